"""Domain objects <-> neibao.sectorexchange.v1 messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Final

from google.protobuf.timestamp_pb2 import Timestamp

from neibao.sectorexchange.v1 import exchange_pb2
from sector_exchange.domain.figures import FigureRow, WarningCount
from sector_exchange.domain.health import FeedStatus, SubmitterHealth
from sector_exchange.domain.model import Batch, StoredRecord
from sector_exchange.domain.receipts import Receipt
from sector_exchange.domain.validation import Rejection


def timestamp(moment: datetime | None) -> Timestamp | None:
    """A protobuf Timestamp (None stays unset)."""
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


def receipt_to_proto(receipt: Receipt) -> exchange_pb2.Receipt:
    """The receipt message (signed_at is the signed string's instant: whole seconds)."""
    return exchange_pb2.Receipt(
        hash=receipt.hash,
        signature=receipt.signature,
        algorithm=receipt.algorithm,
        key_id=receipt.key_id,
        signed_at=timestamp(datetime.fromisoformat(receipt.signed_at.replace("Z", "+00:00"))),
    )


def rejections_to_proto(rejections: tuple[Rejection, ...]) -> list[exchange_pb2.RecordRejection]:
    """Rejections with their errors' pointers."""
    return [
        exchange_pb2.RecordRejection(
            index=r.index,
            errors=[
                exchange_pb2.RecordError(pointer=e.pointer, detail=e.detail, reason=e.reason)
                for e in r.errors
            ],
        )
        for r in rejections
    ]


def batch_to_proto(batch: Batch) -> exchange_pb2.Batch:
    """The batch message."""
    return exchange_pb2.Batch(
        batch_id=batch.batch_id,
        organisation=batch.organisation,
        sector=batch.sector,
        dataset=batch.dataset,
        schema_version=batch.schema_version,
        accepted=batch.accepted,
        rejected=rejections_to_proto(batch.rejected),
        receipt=receipt_to_proto(batch.receipt),
        received_at=timestamp(batch.received_at),
        log_sequence=batch.log_sequence,
    )


def record_to_proto(record: StoredRecord) -> exchange_pb2.Record:
    """The record message; its fields as a JSON object."""
    return exchange_pb2.Record(
        id=str(record.id),
        sector=record.sector,
        dataset=record.dataset,
        schema_version=record.schema_version,
        organisation=record.organisation,
        batch_id=record.batch_id,
        record_index=record.record_index,
        jurisdiction=record.jurisdiction,
        occurred_at=timestamp(record.occurred_at),
        received_at=timestamp(record.received_at),
        fields_json=json.dumps(record.fields, ensure_ascii=False, separators=(",", ":")).encode(),
    )


def figures_to_proto(row: FigureRow) -> exchange_pb2.Figures:
    """One group's counts and the rates that apply (the others left unset)."""
    message = exchange_pb2.Figures(
        organisation=row.organisation,
        site=row.site,
        jurisdiction=row.jurisdiction,
        day=row.day.isoformat() if row.day else "",
        **row.counts.as_dict(),
    )
    for name, value in row.rates().items():
        if value is not None:
            setattr(message, name, value)
    return message


STATUSES: Final = {
    FeedStatus.HEALTHY: exchange_pb2.SUBMITTER_STATUS_HEALTHY,
    FeedStatus.LATE: exchange_pb2.SUBMITTER_STATUS_LATE,
    FeedStatus.FAILING: exchange_pb2.SUBMITTER_STATUS_FAILING,
}


def submitter_health_to_proto(health: SubmitterHealth) -> exchange_pb2.SubmitterHealth:
    """A submitter and its feed's health (rates and the last batch left unset when there are none)."""
    submitter, activity = health.submitter, health.activity
    message = exchange_pb2.SubmitterHealth(
        client_id=submitter.client_id,
        organisation=submitter.organisation,
        name=submitter.name,
        sector=submitter.sector,
        datasets=sorted(submitter.datasets),
        batches_24h=activity.batches_24h,
        records_24h=activity.records_24h,
        batches_7d=activity.batches_7d,
        records_7d=activity.records_7d,
        rejected_7d=activity.rejected_7d,
        status=STATUSES[health.status],
        expected_interval_hours=submitter.expected_interval_hours,
    )
    if activity.last_batch_at is not None:
        message.last_batch_at.FromDatetime(activity.last_batch_at.astimezone(UTC))
    if health.rejection_rate is not None:
        message.rejection_rate = health.rejection_rate
    if health.late_rate is not None:
        message.late_rate = health.late_rate
    return message


def warning_count_to_proto(warning: WarningCount) -> exchange_pb2.WarningCount:
    """One rule's count of early warnings."""
    return exchange_pb2.WarningCount(
        rule_id=warning.rule_id, count=warning.count, last_raised_at=timestamp(warning.last_raised_at)
    )
