"""The exchange's events as CloudEvents with protobuf payloads."""

from __future__ import annotations

from typing import Final

from google.protobuf.timestamp_pb2 import Timestamp

from neibao.sectorexchange.v1 import events_pb2
from neibao_messaging import Event, PayloadRegistry
from sector_exchange.adapters.proto_mapping import receipt_to_proto, timestamp
from sector_exchange.domain.datasets import DATASETS
from sector_exchange.domain.early_warnings import EarlyWarning
from sector_exchange.domain.model import BatchAccepted, DomainEvent, RecordsAccepted

TOPIC: Final = "neibao.sector-exchange.events.v1"
RECORDS_TOPIC: Final = "neibao.sector-exchange.records.v1"
SOURCE: Final = "/neibao/sector-exchange"
BATCH_ACCEPTED: Final = "neibao.sector-exchange.batch.accepted.v1"
WARNING_RAISED: Final = "neibao.sector-exchange.warning.raised.v1"


def records_accepted_type(sector: str, dataset: str) -> str:
    """The CloudEvents type of a dataset's accepted records (…postal.shipments.accepted.v1)."""
    return f"neibao.sector-exchange.{sector}.{dataset}.accepted.v1"


PAYLOADS: Final = PayloadRegistry(
    {
        BATCH_ACCEPTED: events_pb2.BatchAccepted,
        WARNING_RAISED: events_pb2.EarlyWarningRaised,
        **{records_accepted_type(d.sector, d.name): events_pb2.RecordsAccepted for d in DATASETS.values()},
    }
)
"""Every event type this service publishes and its payload class (for consumers and tests)."""


def cloud_event(event: DomainEvent) -> Event:
    """The envelope written to the outbox for a domain event."""
    if isinstance(event, EarlyWarning):
        return warning_event(event)
    if isinstance(event, RecordsAccepted):
        return records_event(event)
    return batch_event(event)


def records_event(event: RecordsAccepted) -> Event:
    """RecordsAccepted, keyed by the submitting organisation; personal data only sealed."""
    batch = event.batch
    data = events_pb2.RecordsAccepted(
        batch_id=batch.batch_id,
        organisation=batch.organisation,
        sector=batch.sector,
        dataset=batch.dataset,
        schema_version=batch.schema_version,
        log_sequence=batch.log_sequence,
        received_at=timestamp(batch.received_at),
        records=[
            events_pb2.AcceptedRecord(
                id=str(record.id),
                record_index=record.index,
                jurisdiction=record.jurisdiction,
                occurred_at=Timestamp(
                    seconds=int(record.occurred_at.timestamp()), nanos=record.occurred_at.microsecond * 1000
                ),
                fields_json=record.fields_json.encode(),
                personal_sealed=record.personal_sealed or b"",
                person_index=record.person_index,
            )
            for record in event.records
        ],
    )
    return Event.create(
        type=records_accepted_type(batch.sector, batch.dataset),
        source=SOURCE,
        data=data,
        subject=f"{batch.organisation}/{batch.batch_id}",
        key=batch.organisation,
        sector=batch.sector,
        unit=batch.organisation,
    )


def warning_event(warning: EarlyWarning) -> Event:
    """EarlyWarningRaised, keyed by the USCC of the unit it is about (alarm routing's unit)."""
    data = events_pb2.EarlyWarningRaised(
        warning_id=str(warning.warning_id),
        rule_id=warning.rule_id,
        rules_version=warning.rules_version,
        priority=warning.priority,
        uscc=warning.uscc,
        jurisdiction=warning.jurisdiction,
        sector=warning.sector,
        dataset=warning.dataset,
        summary=warning.summary,
        batch_ids=list(warning.batch_ids),
        record_ids=list(warning.record_ids),
        occurred_at=timestamp(warning.occurred_at),
    )
    return Event.create(
        type=WARNING_RAISED,
        source=SOURCE,
        data=data,
        subject=str(warning.warning_id),
        key=warning.uscc,
        jurisdiction=warning.jurisdiction,
        sector=warning.sector,
        unit=warning.uscc,
    )


def batch_event(event: BatchAccepted) -> Event:
    """BatchAccepted, keyed by the submitting organisation."""
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
