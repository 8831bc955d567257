"""The exchange's events as CloudEvents with protobuf payloads."""

from __future__ import annotations

from typing import Final

from neibao.sectorexchange.v1 import events_pb2
from neibao_messaging import Event, PayloadRegistry
from sector_exchange.adapters.proto_mapping import receipt_to_proto, timestamp
from sector_exchange.domain.model import BatchAccepted

TOPIC: Final = "neibao.sector-exchange.events.v1"
SOURCE: Final = "/neibao/sector-exchange"
BATCH_ACCEPTED: Final = "neibao.sector-exchange.batch.accepted.v1"

PAYLOADS: Final = PayloadRegistry({BATCH_ACCEPTED: events_pb2.BatchAccepted})
"""Every event type this service publishes and its payload class (for consumers and tests)."""


def cloud_event(event: BatchAccepted) -> Event:
    """The envelope written to the outbox: keyed by the submitting organisation."""
    batch = event.batch
    data = events_pb2.BatchAccepted(
        batch_id=batch.batch_id,
        organisation=batch.organisation,
        client_id=batch.client_id,
        sector=batch.sector,
        dataset=batch.dataset,
        schema_version=batch.schema_version,
        accepted=batch.accepted,
        rejected=len(batch.rejected),
        receipt=receipt_to_proto(batch.receipt),
        log_sequence=batch.log_sequence,
        jurisdictions=list(event.jurisdictions),
        received_at=timestamp(batch.received_at),
    )
    return Event.create(
        type=BATCH_ACCEPTED,
        source=SOURCE,
        data=data,
        subject=f"{batch.organisation}/{batch.batch_id}",
        key=batch.organisation,
        sector=batch.sector,
        unit=batch.organisation,
    )
