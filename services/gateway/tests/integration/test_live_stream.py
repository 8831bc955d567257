"""The unit live stream (SSE) on the real Kafka: scoped per reader, resumable, with heartbeats."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from google.protobuf.struct_pb2 import Struct

from neibao_messaging import Event, encode, idempotent_producer
from neibao_testkit import StackEndpoints

from ..support import wait_until
from .conftest import RunningGateway, StartGateway, bearer

STREAM = "/api/v1/units/stream"
UNIT_UPDATED = "neibao.unit-registry.unit.updated.v1"

# (subject, jurisdiction, sector, unit)
HEPING_UNIT = ("91210102MA0LN001X3", "210102", "education", "91210102MA0LN001X3")
HUANGGU_UNIT = ("91210105MA0AAAAA1X", "210105", "postal", "91210105MA0AAAAA1X")
DALIAN_UNIT = ("91210202MA0BBBBB2Y", "210202", "commerce", "91210202MA0BBBBB2Y")
GANJINGZI_UNIT = ("91210211MA0CCCCC3Z", "210211", "postal", "91210211MA0CCCCC3Z")
NO_SCOPE = ("91210000MA0DDDDD4W", None, None, None)


@dataclass
class Frame:
    id: str | None
    event: str | None
    data: dict[str, object] | None


def publish(bootstrap: str, topic: str, units: list[tuple[str, str | None, str | None, str | None]]) -> None:
    producer = idempotent_producer(bootstrap)
    try:
        for subject, jurisdiction, sector, unit in units:
            event = Event.create(
                type=UNIT_UPDATED,
                source="/neibao/unit-registry",
                data=Struct(),
                subject=subject,
                jurisdiction=jurisdiction,
                sector=sector,
                unit=unit,
            )
            key, value, headers = encode(event)
            producer.send(topic, value=value, key=key, headers=headers).get(timeout=10)
    finally:
        producer.close()


async def read_frames(
    client: httpx.AsyncClient,
    token: str,
    count: int,
    *,
    last_event_id: str | None = None,
    within: float = 15,
    comments: list[str] | None = None,
) -> list[Frame]:
    """The first `count` event frames of a stream (then the connection is closed)."""
    headers = bearer(token) | ({"Last-Event-ID": last_event_id} if last_event_id else {})
    frames: list[Frame] = []
    current: dict[str, str] = {}

    async def consume() -> None:
        async with client.stream("GET", STREAM, headers=headers) as response:
            assert response.status_code == 200, await response.aread()
            assert response.headers["content-type"].startswith("text/event-stream")
            async for line in response.aiter_lines():
                if line.startswith(":") and comments is not None:
                    comments.append(line)
                elif line == "" and current:
                    frames.append(
                        Frame(
                            current.get("id"), current.get("event"), json.loads(current.get("data", "null"))
                        )
                    )
                    current.clear()
                    if len(frames) >= count:
                        return
                elif ":" in line and not line.startswith(":"):
                    name, _, value = line.partition(":")
                    current[name] = value.removeprefix(" ")
                if comments is not None and count == 0 and comments:
                    return

    await asyncio.wait_for(consume(), within)
    return frames


async def started(serve_gateway: StartGateway, topic: str, **overrides: object) -> RunningGateway:
    gateway = await serve_gateway(unit_events_topic=topic, **overrides)
    feed = gateway.dependencies.live_feeds["units"]
    await asyncio.to_thread(wait_until, feed.positioned.is_set, 30, "the live feed positioned")
    return gateway


async def test_each_reader_gets_only_the_events_of_its_scope(
    serve_gateway: StartGateway,
    tokens: dict[str, str],
    kafka_topic: Callable[..., str],
    kafka: StackEndpoints,
) -> None:
    topic = kafka_topic("test.units")
    gateway = await started(serve_gateway, topic)
    readers = {
        "police-heping": read_frames(gateway.client, tokens["police-heping"], 1),
        "police-dalian": read_frames(gateway.client, tokens["police-dalian"], 2),
        "police-shenyang": read_frames(gateway.client, tokens["police-shenyang"], 2),
        "regulator-postal": read_frames(gateway.client, tokens["regulator-postal"], 2),
        "security-chief-demo": read_frames(gateway.client, tokens["security-chief-demo"], 1),
        "admin": read_frames(gateway.client, tokens["admin"], 5),
    }
    tasks = {name: asyncio.create_task(reader) for name, reader in readers.items()}
    await asyncio.sleep(0.5)  # the streams are open

    await asyncio.to_thread(
        publish,
        kafka.kafka_bootstrap,
        topic,
        [HEPING_UNIT, HUANGGU_UNIT, DALIAN_UNIT, GANJINGZI_UNIT, NO_SCOPE],
    )
    received = {name: await task for name, task in tasks.items()}

    def subjects(name: str) -> list[object]:
        return [frame.data["subject"] for frame in received[name] if frame.data]

    assert subjects("police-heping") == [HEPING_UNIT[0]]
    assert subjects("police-dalian") == [DALIAN_UNIT[0], GANJINGZI_UNIT[0]]
    assert subjects("police-shenyang") == [HEPING_UNIT[0], HUANGGU_UNIT[0]]
    assert subjects("regulator-postal") == [HUANGGU_UNIT[0], GANJINGZI_UNIT[0]]
    assert subjects("security-chief-demo") == [HEPING_UNIT[0]]
    assert subjects("admin") == [
        unit[0] for unit in (HEPING_UNIT, HUANGGU_UNIT, DALIAN_UNIT, GANJINGZI_UNIT, NO_SCOPE)
    ]
    first = received["police-heping"][0]
    assert first.event == UNIT_UPDATED
    assert first.id == "0-0"
    assert first.data is not None
    assert first.data["jurisdiction"] == "210102"
    assert first.data["unit"] == HEPING_UNIT[0]
    assert first.data["type"] == UNIT_UPDATED
    assert first.data["time"]
    assert first.data["id"]


async def test_a_reconnecting_reader_gets_only_what_it_missed(
    serve_gateway: StartGateway,
    tokens: dict[str, str],
    kafka_topic: Callable[..., str],
    kafka: StackEndpoints,
) -> None:
    topic = kafka_topic("test.units")
    gateway = await started(serve_gateway, topic)
    token = tokens["police-dalian"]
    reader = asyncio.create_task(read_frames(gateway.client, token, 1))
    await asyncio.sleep(0.5)
    await asyncio.to_thread(publish, kafka.kafka_bootstrap, topic, [DALIAN_UNIT, HEPING_UNIT])
    [seen] = await reader  # the reader disconnects after its first event

    await asyncio.to_thread(publish, kafka.kafka_bootstrap, topic, [GANJINGZI_UNIT, HEPING_UNIT, DALIAN_UNIT])
    buffer = gateway.dependencies.live_streams["units"].buffer
    await asyncio.to_thread(wait_until, lambda: buffer.end == 5, 20, "five events buffered")
    resumed = await read_frames(gateway.client, token, 2, last_event_id=seen.id)

    assert seen.id == "0-0"
    assert [frame.id for frame in resumed] == ["0-2", "0-4"]
    assert [frame.data["subject"] for frame in resumed if frame.data] == [GANJINGZI_UNIT[0], DALIAN_UNIT[0]]


async def test_an_idle_stream_gets_heartbeats(
    serve_gateway: StartGateway, tokens: dict[str, str], kafka_topic: Callable[..., str]
) -> None:
    gateway = await started(serve_gateway, kafka_topic("test.units"), sse_heartbeat_seconds=0.3)
    comments: list[str] = []

    frames = await read_frames(gateway.client, tokens["police-heping"], 0, comments=comments, within=5)

    assert frames == []
    assert comments[0] == ": heartbeat"
