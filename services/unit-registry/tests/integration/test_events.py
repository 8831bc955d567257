"""Every change writes exactly one event to the outbox, in its transaction; the relay publishes it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from kafka import KafkaConsumer
from sqlalchemy import create_engine

from neibao.common.v1 import common_pb2
from neibao.unitregistry.v1 import events_pb2, unit_pb2
from neibao_messaging import OutboxRelay, decode, idempotent_producer
from neibao_testkit.endpoints import StackEndpoints
from unit_registry.adapters.events import PAYLOADS

from .conftest import HEPING_SHOP, Registry, settings_for, start_registry, unit_fields


@pytest.fixture
async def topic_registry(
    database: str,
    stack: StackEndpoints,
    tokens: dict[str, str],
    kafka_topic: Callable[..., str],
    pii_keys: dict[str, str],
) -> AsyncIterator[tuple[Registry, str]]:
    """A registry whose events go to a fresh topic."""
    topic = kafka_topic("unit-registry-test")
    async for running in start_registry(settings_for(database, stack, pii_keys, topic), tokens):
        yield running, topic


async def test_each_change_writes_one_event_and_the_relay_publishes_them(
    topic_registry: tuple[Registry, str], stack: StackEndpoints
) -> None:
    registry, topic = topic_registry
    stub = registry.units
    outbox = "SELECT count(*) FROM outbox"

    await registry.create(
        "police-heping",
        **unit_fields(
            HEPING_SHOP,
            "沈阳太原街商贸中心有限公司",
            "210102",
            unit_pb2.UNIT_TYPE_RESERVE_OR_TRADE_CENTRE,
            unit_pb2.SECTOR_COMMERCE,
        ),
    )
    assert registry.count(outbox) == 1
    await stub.UpdateUnit(
        unit_pb2.UpdateUnitRequest(
            uscc=HEPING_SHOP,
            version=1,
            update_mask=FieldMask(paths=["address"]),
            address="辽宁省沈阳市和平区太原北街88号",
        ),
        metadata=registry.auth("security-chief-demo"),
    )
    assert registry.count(outbox) == 2
    # A no-op change is no change: no version, no event.
    await stub.UpdateUnit(
        unit_pb2.UpdateUnitRequest(
            uscc=HEPING_SHOP,
            version=2,
            update_mask=FieldMask(paths=["address"]),
            address="辽宁省沈阳市和平区太原北街88号",
        ),
        metadata=registry.auth("security-chief-demo"),
    )
    assert registry.count(outbox) == 2
    await stub.ProposeKeyUnit(
        unit_pb2.ProposeKeyUnitRequest(
            uscc=HEPING_SHOP, category=unit_pb2.KEY_UNIT_CATEGORY_RESERVE_OR_TRADE_CENTRE
        ),
        metadata=registry.auth("police-heping"),
    )
    await stub.ConfirmKeyUnit(
        unit_pb2.ConfirmKeyUnitRequest(uscc=HEPING_SHOP), metadata=registry.auth("police-shenyang")
    )
    await stub.WithdrawKeyUnit(
        unit_pb2.WithdrawKeyUnitRequest(uscc=HEPING_SHOP, reason="调整"),
        metadata=registry.auth("police-shenyang"),
    )
    await stub.CloseUnit(
        unit_pb2.CloseUnitRequest(uscc=HEPING_SHOP, version=4), metadata=registry.auth("admin")
    )
    assert registry.count(outbox) == 6
    assert registry.count("SELECT count(*) FROM outbox WHERE topic = %s", topic) == 6

    engine = create_engine(registry.database_url)
    try:
        relay = OutboxRelay(engine, lambda: idempotent_producer(stack.kafka_bootstrap), send_timeout=30)
        with relay:
            assert relay.run_once() == 6
            assert relay.run_once() == 0
    finally:
        engine.dispose()
    assert registry.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=10_000,
    )
    try:
        events = []
        for record in consumer:
            events.append(decode(record, PAYLOADS))
            if len(events) == 6:
                break
    finally:
        consumer.close()
    assert [e.type for e in events] == [
        "neibao.unit-registry.unit.registered.v1",
        "neibao.unit-registry.unit.updated.v1",
        "neibao.unit-registry.key-unit.proposed.v1",
        "neibao.unit-registry.key-unit.designated.v1",
        "neibao.unit-registry.key-unit.withdrawn.v1",
        "neibao.unit-registry.unit.closed.v1",
    ]
    assert {e.key for e in events} == {HEPING_SHOP.encode()}
    assert {e.source for e in events} == {"/neibao/unit-registry"}
    registered = events[0].payload(events_pb2.UnitRegistered)
    assert (registered.uscc, registered.jurisdiction, registered.unit_type) == (
        HEPING_SHOP,
        "210102",
        unit_pb2.UNIT_TYPE_RESERVE_OR_TRADE_CENTRE,
    )
    assert list(registered.sectors) == [unit_pb2.SECTOR_COMMERCE]
    assert registered.actor.name == "police-heping"
    assert registered.actor.kind == common_pb2.ACTOR_KIND_USER
    assert list(events[1].payload(events_pb2.UnitUpdated).changed_fields) == ["address"]
    assert (
        events[3].payload(events_pb2.KeyUnitDesignated).category
        == unit_pb2.KEY_UNIT_CATEGORY_RESERVE_OR_TRADE_CENTRE
    )
    assert events[4].payload(events_pb2.KeyUnitWithdrawn).was_designated
    assert events[5].payload(events_pb2.UnitClosed).version == 5


async def test_a_refused_change_writes_no_event(topic_registry: tuple[Registry, str]) -> None:
    registry, _topic = topic_registry
    fields = unit_fields(HEPING_SHOP, "店", "210102", unit_pb2.UNIT_TYPE_ENTERPRISE, unit_pb2.SECTOR_COMMERCE)
    await registry.create("admin", **fields)
    with pytest.raises(Exception, match="ALREADY_EXISTS"):
        await registry.create("admin", **fields)
    with pytest.raises(Exception, match="FAILED_PRECONDITION"):
        await registry.units.UpdateUnit(
            unit_pb2.UpdateUnitRequest(
                uscc=HEPING_SHOP, version=7, update_mask=FieldMask(paths=["name"]), name="新店"
            ),
            metadata=registry.auth("admin"),
        )
    assert registry.count("SELECT count(*) FROM outbox") == 1
