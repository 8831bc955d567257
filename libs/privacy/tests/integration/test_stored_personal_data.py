"""Personal data stored in real PostgreSQL: encrypted at rest, found by its blind index, bound to its row."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest

from neibao_privacy import RESIDENT_ID, BlindIndex, FieldCipher, InvalidCiphertext, field_context

PEOPLE = {
    "210102199003071233": "张伟",
    "11010519491231002X": "李娜",
    "210203198512125421": "王芳",
}


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher({"k1": os.urandom(32)}, "k1")


@pytest.fixture
def index() -> BlindIndex:
    return BlindIndex(os.urandom(32))


@pytest.fixture
def staff(pg_database: str, cipher: FieldCipher, index: BlindIndex) -> psycopg.Connection[tuple[object, ...]]:
    conn = psycopg.connect(pg_database.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    conn.execute(
        "CREATE TABLE staff (id uuid PRIMARY KEY, name text NOT NULL,"
        " resident_id bytea NOT NULL, resident_id_index bytea NOT NULL)"
    )
    conn.execute("CREATE INDEX ON staff (resident_id_index)")
    for number, name in PEOPLE.items():
        row_id = uuid.uuid4()
        conn.execute(
            "INSERT INTO staff VALUES (%s, %s, %s, %s)",
            (
                row_id,
                name,
                cipher.encrypt_text(number, context=field_context("staff", "resident_id", row_id)),
                index.compute(RESIDENT_ID, number),
            ),
        )
    yield conn
    conn.close()


def test_nothing_readable_is_stored(staff: psycopg.Connection[tuple[object, ...]]) -> None:
    stored = b"".join(
        bytes(row[0]) + bytes(row[1])
        for row in staff.execute("SELECT resident_id, resident_id_index FROM staff")
    )
    for number in PEOPLE:
        assert number.encode() not in stored
        assert number[-6:].encode() not in stored


def test_a_person_is_found_by_blind_index_however_the_number_is_typed(
    staff: psycopg.Connection[tuple[object, ...]], cipher: FieldCipher, index: BlindIndex
) -> None:
    typed = " 11010519491231002x "  # lower-case check character and stray spaces, as people type it
    rows = staff.execute(
        "SELECT id, name, resident_id FROM staff WHERE resident_id_index = %s",
        (index.compute(RESIDENT_ID, typed),),
    ).fetchall()
    assert len(rows) == 1
    row_id, name, ciphertext = rows[0]
    assert name == "李娜"
    assert cipher.decrypt_text(bytes(ciphertext), context=field_context("staff", "resident_id", row_id)) == (
        "11010519491231002X"
    )
    assert not staff.execute(
        "SELECT 1 FROM staff WHERE resident_id_index = %s",
        (index.compute(RESIDENT_ID, "210102199003071241"),),
    ).fetchall()


def test_a_ciphertext_moved_to_another_row_fails_to_decrypt(
    staff: psycopg.Connection[tuple[object, ...]], cipher: FieldCipher
) -> None:
    (first, first_ct), (second, _) = staff.execute(
        "SELECT id, resident_id FROM staff ORDER BY id LIMIT 2"
    ).fetchall()
    # Someone with write access to the table copies one person's number onto another's row.
    staff.execute("UPDATE staff SET resident_id = %s WHERE id = %s", (first_ct, second))
    moved = bytes(staff.execute("SELECT resident_id FROM staff WHERE id = %s", (second,)).fetchone()[0])
    with pytest.raises(InvalidCiphertext):
        cipher.decrypt_text(moved, context=field_context("staff", "resident_id", second))
    # In its own row it still decrypts.
    assert cipher.decrypt_text(moved, context=field_context("staff", "resident_id", first)) in PEOPLE
