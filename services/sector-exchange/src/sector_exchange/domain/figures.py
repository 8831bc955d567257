"""Compliance and quality figures: counts per receipt day, submitter, site and division, rates from them.

Each accepted batch adds its counts to a daily tally (one row per day, submitter, dataset, division, site):
figures over any period and grouping are sums of tallies, never a scan of the records.

- express "三个100%": inspected before sealing (验视), real-name (实名), X-ray screened (过机安检). Every kept
  shipment is real-name (the sender's name, ID and phone are required and checked); a record rejected for
  its sender's identity is a shipment not taken by real name.
- fuel: sales matching a valid police certificate (its litres given and not exceeded by the sale, sold
  within its validity).
- every dataset: rejected records, and late data (received more than `LATE_AFTER` after it happened).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, Final

from sector_exchange.domain.datasets import COMMERCE_FUEL_SALES, POSTAL_SHIPMENTS, Dataset
from sector_exchange.domain.validation import Rejection, ValidRecord

CHINA_TIME: Final = timezone(timedelta(hours=8))
# Real-name data is due as it happens; a record received a day after the fact is late.
LATE_AFTER: Final = timedelta(hours=24)
CERTIFICATE_VALIDITY: Final = timedelta(days=3)
SENDER_IDENTITY: Final = ("sender_name", "sender_id_number", "sender_phone", "sender_id_type")
# The field naming a record's site, per dataset (a station's USCC for fuel); none: one site per division.
SITE_FIELD: Final = {POSTAL_SHIPMENTS.key: "site_name", COMMERCE_FUEL_SALES.key: "station_uscc"}


class Grouping(StrEnum):
    """How figures are summed."""

    SUBMITTER = "submitter"
    SITE = "site"
    SECTOR = "sector"
    DAY = "day"


@dataclass(frozen=True, slots=True, order=True)
class TallyKey:
    """Where a tally's counts belong."""

    day: date
    organisation: str
    sector: str
    dataset: str
    jurisdiction: str
    site: str


@dataclass(slots=True)
class Counts:
    """What is counted (the dataset-specific counts stay zero for the other datasets)."""

    received: int = 0
    rejected: int = 0
    late: int = 0
    identity_rejected: int = 0
    inspected: int = 0
    xray_screened: int = 0
    prohibited_found: int = 0
    certificate_valid: int = 0

    def add(self, other: Counts) -> None:
        """Add another's counts to these."""
        for spec in fields(self):
            setattr(self, spec.name, getattr(self, spec.name) + getattr(other, spec.name))

    def as_dict(self) -> dict[str, int]:
        """The counts by name."""
        return {spec.name: getattr(self, spec.name) for spec in fields(self)}


def receipt_day(moment: datetime) -> date:
    """The day (China time) a batch was received."""
    return moment.astimezone(CHINA_TIME).date()


def _certificate_valid(fields_: Mapping[str, Any], sold_at: datetime) -> bool:
    limit = fields_.get("certificate_litres")
    issued = fields_.get("certificate_issued_at")
    if limit is None or not isinstance(issued, str):
        return False
    issued_at = datetime.fromisoformat(issued.replace("Z", "+00:00"))
    return fields_["litres"] <= limit and issued_at <= sold_at <= issued_at + CERTIFICATE_VALIDITY


def tally_batch(
    dataset: Dataset,
    organisation: str,
    *,
    valid: Sequence[ValidRecord],
    rejected: Sequence[Rejection],
    raw_records: Sequence[Any],
    received_at: datetime,
) -> dict[TallyKey, Counts]:
    """A batch's counts by tally key (a rejected record is placed by its raw site and division, if any)."""
    day = receipt_day(received_at)
    site_field = SITE_FIELD.get(dataset.key)
    tallies: dict[TallyKey, Counts] = {}

    def counts_for(jurisdiction: str, site: str) -> Counts:
        key = TallyKey(day, organisation, dataset.sector, dataset.name, jurisdiction, site)
        return tallies.setdefault(key, Counts())

    for record in valid:
        site = str(record.fields.get(site_field, "")) if site_field else ""
        counts = counts_for(record.jurisdiction, site)
        counts.received += 1
        if received_at - record.occurred_at > LATE_AFTER:
            counts.late += 1
        if dataset.key == POSTAL_SHIPMENTS.key:
            counts.inspected += record.fields["inspected"] is True
            counts.xray_screened += record.fields["xray_screened"] is True
            counts.prohibited_found += record.fields.get("prohibited_item_found") is True
        elif dataset.key == COMMERCE_FUEL_SALES.key:
            counts.certificate_valid += _certificate_valid(record.fields, record.occurred_at)
    for rejection in rejected:
        raw = raw_records[rejection.index] if rejection.index < len(raw_records) else None
        raw = raw if isinstance(raw, dict) else {}
        region = raw.get(dataset.jurisdiction_field)
        jurisdiction = region if isinstance(region, str) and len(region) == 6 and region.isdigit() else ""
        raw_site = raw.get(site_field) if site_field else ""
        counts = counts_for(jurisdiction, raw_site[:200] if isinstance(raw_site, str) else "")
        counts.rejected += 1
        pointers = {error.pointer.rsplit("/", 1)[-1] for error in rejection.errors}
        if dataset.key == POSTAL_SHIPMENTS.key and pointers & set(SENDER_IDENTITY):
            counts.identity_rejected += 1
    return tallies


@dataclass(frozen=True, slots=True)
class FigureRow:
    """Summed counts of one group and the rates they give (None: the rate does not apply or has no base)."""

    organisation: str
    site: str
    jurisdiction: str
    sector: str
    dataset: str
    counts: Counts = field(default_factory=Counts)
    # The receipt day, when grouped by day.
    day: date | None = None

    def rates(self) -> dict[str, float | None]:
        """Rejection and late rates; the express and fuel compliance rates for their datasets."""
        received, rejected = self.counts.received, self.counts.rejected

        def rate(part: int, whole: int) -> float | None:
            return round(part / whole, 6) if whole else None

        rates: dict[str, float | None] = {
            "rejection_rate": rate(rejected, received + rejected),
            "late_rate": rate(self.counts.late, received),
        }
        key = f"{self.sector}/{self.dataset}"
        if key == POSTAL_SHIPMENTS.key:
            rates["inspected_rate"] = rate(self.counts.inspected, received)
            rates["real_name_rate"] = rate(received, received + self.counts.identity_rejected)
            rates["xray_rate"] = rate(self.counts.xray_screened, received)
        if key == COMMERCE_FUEL_SALES.key:
            rates["certificate_rate"] = rate(self.counts.certificate_valid, received)
        return rates


@dataclass(frozen=True, slots=True)
class WarningCount:
    """How many early warnings one rule raised over a period, and when the last one was."""

    rule_id: str
    count: int
    last_raised_at: datetime


def receipt_days_span(since: date, until: date) -> tuple[datetime, datetime]:
    """The instants from the start of `since` to the end of `until` (receipt days, China time)."""
    start = datetime.combine(since, datetime.min.time(), CHINA_TIME)
    return start, datetime.combine(until, datetime.min.time(), CHINA_TIME) + timedelta(days=1)
