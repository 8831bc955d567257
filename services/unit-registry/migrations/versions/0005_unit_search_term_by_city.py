"""Search postings partitioned by city, so a city's lists never walk the rest of the province's postings.

With one (term, uscc) key for the whole province, a city's police searching a term common elsewhere (大连
seen from Shenyang: 220k postings, a handful in scope) read every posting of the term to find a page, ~40 ms.
Partitioned by the jurisdiction's city (range [2101, 2102) and so on, one partition per city of the
division table, and a default one for anything else), a city scope prunes to its city's key, still in
USCC order; a province-wide list merges the cities' keys (Merge Append) in USCC order, a page at a time.
The key gains the partition column (PostgreSQL requires it); (term, uscc) stays its leading part.
Migration 0004's triggers and term function are unchanged: they write by the table's name.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS = (
    '(term text COLLATE "C" NOT NULL, uscc varchar(18) COLLATE "C" NOT NULL,'
    ' jurisdiction varchar(6) COLLATE "C" NOT NULL)'
)
# One partition per city prefix (4 digits, not a province's "xx00") of the divisions.
_CITY_PARTITIONS = """
DO $$
DECLARE city text;
BEGIN
    FOR city IN SELECT DISTINCT left(code, 4) FROM division
                WHERE code ~ '^[0-9]{6}$' AND right(left(code, 4), 2) <> '00' ORDER BY 1
    LOOP
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF unit_search_term FOR VALUES FROM (%L) TO (%L)',
            'unit_search_term_' || city, city, lpad((city::int + 1)::text, 4, '0'));
    END LOOP;
END $$
"""


def upgrade() -> None:
    _set_aside()
    op.execute(f"CREATE TABLE unit_search_term {_COLUMNS} PARTITION BY RANGE (jurisdiction)")
    op.execute(_CITY_PARTITIONS)
    op.execute("CREATE TABLE unit_search_term_other PARTITION OF unit_search_term DEFAULT")
    _fill_and_key("(term, uscc, jurisdiction)")


def downgrade() -> None:
    _set_aside()
    op.execute(f"CREATE TABLE unit_search_term {_COLUMNS}")
    _fill_and_key("(term, uscc) INCLUDE (jurisdiction)")


def _set_aside() -> None:
    """Rename the postings table (and its key) out of the way of its replacement."""
    op.execute("ALTER TABLE unit_search_term RENAME TO unit_search_term_old")
    op.execute(
        "ALTER TABLE unit_search_term_old RENAME CONSTRAINT pk_unit_search_term TO pk_unit_search_term_old"
    )


def _fill_and_key(key: str) -> None:
    """Copy the old postings into the new table, build its key once (one bulk build), drop the old one."""
    op.execute(
        "INSERT INTO unit_search_term (term, uscc, jurisdiction)"
        " SELECT term, uscc, jurisdiction FROM unit_search_term_old"
    )
    op.execute(f"ALTER TABLE unit_search_term ADD CONSTRAINT pk_unit_search_term PRIMARY KEY {key}")
    op.execute("DROP TABLE unit_search_term_old")
    # The table's own statistics (lists read its most common terms) come from ANALYZE only; the
    # partitions keep the default target, or each would sample 300,000 rows at every ANALYZE.
    op.execute("ALTER TABLE ONLY unit_search_term ALTER COLUMN term SET STATISTICS 1000")
    op.execute("ANALYZE unit_search_term")
