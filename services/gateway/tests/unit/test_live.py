"""Live events: the ring buffer, resume cursors, scope filtering, CloudEvents headers. No I/O."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from dataclasses import dataclass

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from gateway.adapters.kafka_feed import live_event_from_record
from gateway.domain.live import EventBuffer, LiveEvent, StreamGap, visibility, visible_to
from gateway.entrypoints.http.live import server_sent_event
from gateway.service.live import LiveStream
from neibao_identity import Principal, Role, Scope
from neibao_messaging import PayloadRegistry


def event(
    n: int, jurisdiction: str | None = "210102", sector: str | None = None, unit: str | None = None
) -> LiveEvent:
    return LiveEvent(
        id=f"0-{n}",
        event_id=f"e{n}",
        type="t",
        time="2025-01-01T00:00:00Z",
        jurisdiction=jurisdiction,
        sector=sector,
        unit=unit,
    )


def test_a_reader_without_last_event_id_sees_only_new_events() -> None:
    buffer = EventBuffer(10)
    buffer.append([event(0), event(1)])

    cursor = buffer.cursor_after(None)
    buffer.append([event(2)])

    assert [e.id for e in buffer.read(cursor)[0]] == ["0-2"]


def test_resume_after_a_held_id_and_from_the_oldest_for_an_unknown_one() -> None:
    buffer = EventBuffer(10)
    buffer.append([event(n) for n in range(5)])

    assert [e.id for e in buffer.read(buffer.cursor_after("0-2"))[0]] == ["0-3", "0-4"]
    assert [e.id for e in buffer.read(buffer.cursor_after("9-99"))[0]] == [f"0-{n}" for n in range(5)]
    assert buffer.read(buffer.cursor_after("0-4"))[0] == []


def test_the_buffer_keeps_the_last_events_and_forgets_evicted_ids() -> None:
    buffer = EventBuffer(3)
    buffer.append([event(n) for n in range(5)])

    events, cursor = buffer.read(0)

    assert [e.id for e in events] == ["0-2", "0-3", "0-4"]
    assert cursor == 5 == buffer.end
    assert buffer.cursor_after("0-0") == 2  # evicted: from the oldest held
    assert buffer.cursor_after("0-3") == 4


def test_reads_are_bounded_and_duplicates_skipped() -> None:
    buffer = EventBuffer(100)
    assert buffer.append([event(n) for n in range(10)]) == 10
    assert buffer.append([event(3)]) == 0

    first, cursor = buffer.read(0, limit=4)
    rest, end = buffer.read(cursor, limit=100)

    assert [e.id for e in first] == ["0-0", "0-1", "0-2", "0-3"]
    assert len(rest) == 6
    assert end == 10
    with pytest.raises(ValueError, match="capacity"):
        EventBuffer(0)


def principal(role: Role, **claims: str) -> Principal:
    return Principal(subject="s", username="u", roles=frozenset({role}), **claims)


HEPING = event(1, "210102", "postal", "91210102MA0LN001X3")
DALIAN = event(2, "210211", "commerce", "91210211MA0CCCCC3Z")
UNSCOPED = event(3, None, None, None)


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        (principal(Role.PROVINCE_ADMIN, jurisdiction="210000"), {"0-1", "0-2", "0-3"}),
        (principal(Role.POLICE, jurisdiction="210000"), {"0-1", "0-2"}),
        (principal(Role.POLICE, jurisdiction="210100"), {"0-1"}),
        (principal(Role.POLICE, jurisdiction="210102"), {"0-1"}),
        (principal(Role.POLICE, jurisdiction="210200"), {"0-2"}),
        (principal(Role.POLICE), set()),
        (principal(Role.REGULATOR, jurisdiction="210000", sector="postal"), {"0-1"}),
        (principal(Role.REGULATOR, jurisdiction="210200", sector="postal"), set()),
        (principal(Role.REGULATOR, jurisdiction="210200", sector="commerce"), {"0-2"}),
        (principal(Role.UNIT_SECURITY, jurisdiction="210102", unit="91210102MA0LN001X3"), {"0-1"}),
        (principal(Role.UNIT_SECURITY, unit="91210202MA0BBBBB2Y"), set()),
        (principal(Role.SECTOR_SYSTEM, sector="postal", org="91210102MA0LN001X3"), {"0-1"}),
    ],
)
def test_events_are_filtered_by_the_readers_scope(who: Principal, visible: set[str]) -> None:
    scope = Scope.for_principal(who)
    assert {e.id for e in (HEPING, DALIAN, UNSCOPED) if visible_to(scope, e)} == visible
    # The reader's precomputed filter decides the same.
    assert {e.id for e in (HEPING, DALIAN, UNSCOPED) if visibility(scope)(e)} == visible


def test_an_events_json_is_its_document_encoded_once() -> None:
    live = LiveEvent(
        id="0-7",
        event_id="e7",
        type="t",
        time="2025-01-01T00:00:00Z",
        unit="91210102MA0LN001X3",
        data={"description": "入侵报警", "priority": 1},
    )

    encoded = live.document_json()

    assert json.loads(encoded) == live.document()
    assert "入侵报警" in encoded  # UTF-8, not \u escapes
    assert live.document_json() is encoded
    assert live == dataclasses.replace(live)  # the cache is no part of equality


def test_an_sse_frame_carries_id_type_and_json_and_no_forged_lines() -> None:
    forged = LiveEvent(id="0-8", event_id="e8", type="t\r\ndata: {}", time="2025-01-01T00:00:00Z")

    frame = server_sent_event(forged).decode()

    assert frame == f"id: 0-8\r\nevent: tdata: {{}}\r\ndata: {forged.document_json()}\r\n\r\n"


async def test_a_reader_gets_what_arrived_since_it_last_woke_in_one_batch_of_its_scope() -> None:
    stream = LiveStream("alarms", EventBuffer(100))
    stream.attach(asyncio.get_running_loop())
    police_heping = Scope.for_principal(principal(Role.POLICE, jurisdiction="210102"))
    batches = stream.batches(police_heping)
    first = asyncio.ensure_future(anext(batches))
    await asyncio.sleep(0)  # the reader is waiting now

    stream.buffer.append([event(1, "210102"), event(2, "210211"), event(3, "210102")])
    stream.notify_threadsafe()
    batch = await asyncio.wait_for(first, 5)
    stream.buffer.append([event(4, "210211")])
    stream.notify_threadsafe()
    stream.buffer.append([event(5, "210102")])
    stream.notify_threadsafe()
    later = await asyncio.wait_for(anext(batches), 5)
    await batches.aclose()

    assert [e.id for e in batch] == ["0-1", "0-3"]
    assert [e.id for e in later] == ["0-5"]  # a batch with nothing in scope is not sent at all


async def test_notifications_within_the_linger_wake_the_readers_once_with_everything() -> None:
    stream = LiveStream("alarms", EventBuffer(100), linger=0.05)
    stream.attach(asyncio.get_running_loop())
    admin = Scope.for_principal(principal(Role.PROVINCE_ADMIN, jurisdiction="210000"))
    batches = stream.batches(admin)
    first = asyncio.ensure_future(anext(batches))
    await asyncio.sleep(0)

    for n in range(3):
        stream.buffer.append([event(n)])
        stream.notify_threadsafe()
        await asyncio.sleep(0.005)
    batch = await asyncio.wait_for(first, 5)
    await batches.aclose()

    assert [e.id for e in batch] == ["0-0", "0-1", "0-2"]


async def test_a_resuming_reader_gets_the_held_events_after_its_last_id() -> None:
    stream = LiveStream("alarms", EventBuffer(100))
    stream.attach(asyncio.get_running_loop())
    stream.buffer.append([event(n) for n in range(4)])
    admin = Scope.for_principal(principal(Role.PROVINCE_ADMIN, jurisdiction="210000"))

    events = stream.events(admin, last_event_id="0-1")
    resumed = [await asyncio.wait_for(anext(events), 5) for _ in range(2)]
    await events.aclose()

    assert [e.id for e in resumed] == ["0-2", "0-3"]


async def test_a_reader_that_falls_more_than_the_buffer_behind_is_told_of_the_gap() -> None:
    stream = LiveStream("alarms", EventBuffer(3))
    stream.attach(asyncio.get_running_loop())
    admin = Scope.for_principal(principal(Role.PROVINCE_ADMIN, jurisdiction="210000"))
    batches = stream.batches(admin)
    first = asyncio.ensure_future(anext(batches))
    await asyncio.sleep(0)  # the reader waits at the end of the buffer

    stream.buffer.append([event(n) for n in range(5)])  # 0-0 and 0-1 are evicted before it reads
    stream.notify_threadsafe()
    batch = await asyncio.wait_for(first, 5)
    await batches.aclose()

    assert batch[0] == StreamGap(missed=2)
    assert [e.id for e in batch[1:] if isinstance(e, LiveEvent)] == ["0-2", "0-3", "0-4"]


async def test_resuming_after_an_id_no_longer_held_starts_with_a_gap_then_everything_held() -> None:
    stream = LiveStream("alarms", EventBuffer(3))
    stream.attach(asyncio.get_running_loop())
    stream.buffer.append([event(n) for n in range(5)])
    admin = Scope.for_principal(principal(Role.PROVINCE_ADMIN, jurisdiction="210000"))

    held = stream.batches(admin, last_event_id="0-3")
    after_held = await asyncio.wait_for(anext(held), 5)
    await held.aclose()
    evicted = stream.batches(admin, last_event_id="0-0")
    after_evicted = await asyncio.wait_for(anext(evicted), 5)
    await evicted.aclose()

    assert [e.id for e in after_held if isinstance(e, LiveEvent)] == ["0-4"]
    assert not any(isinstance(e, StreamGap) for e in after_held)
    assert after_evicted[0] == StreamGap(missed=None)
    assert [e.id for e in after_evicted[1:] if isinstance(e, LiveEvent)] == ["0-2", "0-3", "0-4"]


def test_a_gap_frame_has_no_id_so_the_readers_last_event_id_stays() -> None:
    assert server_sent_event(StreamGap(missed=7)).decode() == 'event: gap\r\ndata: {"missed":7}\r\n\r\n'
    assert server_sent_event(StreamGap(missed=None)).decode() == 'event: gap\r\ndata: {"missed":null}\r\n\r\n'


@dataclass
class Record:
    partition: int
    offset: int
    headers: list[tuple[str, bytes | None]]
    key: bytes | None = b"k"
    value: bytes | None = b""


def test_a_record_becomes_a_live_event_from_its_headers_alone() -> None:
    record = Record(
        3,
        42,
        [
            ("ce_id", b"8d9f"),
            ("ce_type", b"neibao.unit-registry.unit.updated.v1"),
            ("ce_time", b"2025-03-01T00:30:05.123456Z"),
            ("ce_subject", b"91210102MA0LN001X3"),
            ("ce_jurisdiction", b"210102"),
            ("ce_sector", b""),
            ("ce_unit", b"91210102MA0LN001X3"),
            ("ce_dataschema", b"neibao.unitregistry.v1.UnitUpdated"),
            ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ],
    )

    live = live_event_from_record(record)

    assert live is not None
    assert live.id == "3-42"
    assert live.document() == {
        "id": "8d9f",
        "type": "neibao.unit-registry.unit.updated.v1",
        "time": "2025-03-01T00:30:05.123456Z",
        "subject": "91210102MA0LN001X3",
        "jurisdiction": "210102",
        "sector": None,
        "unit": "91210102MA0LN001X3",
    }


def test_a_record_without_cloudevents_headers_is_not_an_event() -> None:
    assert live_event_from_record(Record(0, 1, [("ce_type", b"t")])) is None
    assert live_event_from_record(Record(0, 1, [])) is None


def test_a_stream_that_decodes_carries_only_the_types_it_knows() -> None:
    headers = [("ce_id", b"1"), ("ce_time", b"2026-11-25T00:00:00Z"), ("ce_jurisdiction", b"210102")]
    silence = Record(0, 7, [("ce_type", b"neibao.alarm-routing.silence.created.v1"), *headers])
    alarms = PayloadRegistry({"neibao.alarm-routing.alarm.raised.v1": Timestamp})
    assert live_event_from_record(silence, alarms) is None
    assert live_event_from_record(silence) is not None
