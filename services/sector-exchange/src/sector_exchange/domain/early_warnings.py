"""Early-warning rules over accepted records (issue 8); their parameters are data (early_warning_rules.yaml).

Each rule names a check implemented here and the parameters it takes; a finding is an `EarlyWarning` with
an id derived from the rule and the facts that make it (never from the rules' version), so evaluating the
same records again finds the same warnings and the store raises each once. No personal data is used in
clear: a buyer is known by the blind index of the ID number, and summaries carry counts, not values.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, Final

# Warning ids are UUIDv5 in this namespace over "<rule id>|<the finding's key>".
WARNING_NAMESPACE: Final = uuid.UUID("6f1c3b0e-5d2a-4e0b-9a57-0d1e7c1b8a44")
# Days are counted as China counts them (a site's "day" is its local day).
CHINA_TIME: Final = timezone(timedelta(hours=8))
# Litres are decimals from JSON: compare with a little slack for binary rounding.
LITRES_SLACK: Final = 1e-6


class Check(StrEnum):
    """The checks a rule can use; each reads one dataset."""

    BUYER_AT_MANY_STATIONS = "buyer_at_many_stations"
    CERTIFICATE_LITRES_EXCEEDED = "certificate_litres_exceeded"
    CERTIFICATE_EXPIRED = "certificate_expired"
    XRAY_NOT_SCREENED = "xray_not_screened"
    PROHIBITED_ITEM_FOUND = "prohibited_item_found"


DATASET_OF: Final[Mapping[Check, str]] = {
    Check.BUYER_AT_MANY_STATIONS: "commerce/fuel-sales",
    Check.CERTIFICATE_LITRES_EXCEEDED: "commerce/fuel-sales",
    Check.CERTIFICATE_EXPIRED: "commerce/fuel-sales",
    Check.XRAY_NOT_SCREENED: "postal/shipments",
    Check.PROHIBITED_ITEM_FOUND: "postal/shipments",
}
# The parameters each check takes and their defaults (a rule's file may set them).
PARAMETERS: Final[Mapping[Check, Mapping[str, float]]] = {
    Check.BUYER_AT_MANY_STATIONS: {"window_hours": 24, "stations": 3},
    Check.CERTIFICATE_LITRES_EXCEEDED: {},
    Check.CERTIFICATE_EXPIRED: {"validity_days": 3},
    Check.XRAY_NOT_SCREENED: {},
    Check.PROHIBITED_ITEM_FOUND: {},
}


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: a check, its priority (1 highest … 4), the summary shown with the alarm, its parameters."""

    id: str
    check: Check
    priority: int
    summary: str
    parameters: Mapping[str, float] = field(default_factory=dict)

    @property
    def dataset(self) -> str:
        """ "sector/name" of the records the rule reads."""
        return DATASET_OF[self.check]

    def parameter(self, name: str) -> float:
        """A parameter's value (the check's default when the file leaves it out)."""
        return self.parameters.get(name, PARAMETERS[self.check][name])


@dataclass(frozen=True, slots=True)
class RuleBook:
    """The rules in force and the version of the file they came from."""

    version: str
    rules: tuple[Rule, ...]

    def for_dataset(self, dataset: str) -> tuple[Rule, ...]:
        """The rules that read `dataset` ("sector/name")."""
        return tuple(rule for rule in self.rules if rule.dataset == dataset)

    def uses(self, check: Check) -> bool:
        """Whether some rule uses `check`."""
        return any(rule.check is check for rule in self.rules)

    def parameter(self, check: Check, name: str) -> float:
        """The largest value of a parameter among the rules using `check` (how far back to look)."""
        values = [rule.parameter(name) for rule in self.rules if rule.check is check]
        return max(values) if values else PARAMETERS[check][name]


@dataclass(frozen=True, slots=True)
class FuelSale:
    """What the fuel rules know of one accepted sale (the buyer by blind index only)."""

    record_id: str
    batch_id: str
    station_uscc: str
    jurisdiction: str
    sold_at: datetime
    buyer: bytes
    litres: float
    certificate_no: str
    certificate_litres: float | None = None
    certificate_issued_at: datetime | None = None
    new: bool = False  # accepted in the batch being evaluated


@dataclass(frozen=True, slots=True)
class Shipment:
    """What the express rules know of one accepted shipment."""

    record_id: str
    batch_id: str
    organisation: str
    waybill_no: str
    site_name: str
    jurisdiction: str
    accepted_at: datetime
    xray_screened: bool
    prohibited_item_found: bool


@dataclass(frozen=True, slots=True)
class EarlyWarning:
    """A rule's finding about a unit (a fuel station, an express company)."""

    warning_id: uuid.UUID
    rule_id: str
    rules_version: str
    priority: int
    uscc: str
    jurisdiction: str
    sector: str
    dataset: str
    summary: str
    batch_ids: tuple[str, ...]
    record_ids: tuple[str, ...]
    occurred_at: datetime


def warning_id(rule_id: str, *key: str) -> uuid.UUID:
    """The stable id of a finding: the rule and the facts' key."""
    return uuid.uuid5(WARNING_NAMESPACE, "|".join((rule_id, *key)))


def _warning(
    rule: Rule, version: str, key: Sequence[str], *, uscc: str, jurisdiction: str, **facts: Any
) -> EarlyWarning:
    sector, dataset = rule.dataset.split("/")
    records: Sequence[FuelSale | Shipment] = facts.pop("records")
    return EarlyWarning(
        warning_id=warning_id(rule.id, *key),
        rule_id=rule.id,
        rules_version=version,
        priority=rule.priority,
        uscc=uscc,
        jurisdiction=jurisdiction,
        sector=sector,
        dataset=dataset,
        summary=rule.summary.format(**facts),
        batch_ids=tuple(sorted({r.batch_id for r in records})),
        record_ids=tuple(r.record_id for r in records),
        occurred_at=facts.pop("occurred_at", None) or _time_of(records[-1]),
    )


def _time_of(record: FuelSale | Shipment) -> datetime:
    return record.sold_at if isinstance(record, FuelSale) else record.accepted_at


def _buyer_at_many_stations(rule: Rule, version: str, sales: Sequence[FuelSale]) -> list[EarlyWarning]:
    """One buyer at >= `stations` stations within `window_hours`; keyed by the window's first sale."""
    window = timedelta(hours=rule.parameter("window_hours"))
    needed = int(rule.parameter("stations"))
    by_buyer: dict[bytes, list[FuelSale]] = defaultdict(list)
    for sale in sales:
        by_buyer[sale.buyer].append(sale)
    found: dict[uuid.UUID, EarlyWarning] = {}
    for buyer, bought in by_buyer.items():
        bought.sort(key=lambda s: (s.sold_at, s.record_id))
        for last in bought:
            inside = [s for s in bought if last.sold_at - window <= s.sold_at <= last.sold_at]
            stations = {s.station_uscc for s in inside}
            if len(stations) < needed or not any(s.new for s in inside):
                continue
            warning = _warning(
                rule,
                version,
                (buyer.hex(), inside[0].record_id),
                uscc=last.station_uscc,
                jurisdiction=last.jurisdiction,
                records=inside,
                stations=len(stations),
                sales=len(inside),
                hours=f"{rule.parameter('window_hours'):g}",
            )
            found.setdefault(warning.warning_id, warning)  # the window's first completion names it
    return list(found.values())


def _by_certificate(sales: Iterable[FuelSale]) -> dict[str, list[FuelSale]]:
    grouped: dict[str, list[FuelSale]] = defaultdict(list)
    for sale in sales:
        grouped[sale.certificate_no].append(sale)
    for group in grouped.values():
        group.sort(key=lambda s: (s.sold_at, s.record_id))
    return {number: group for number, group in grouped.items() if any(s.new for s in group)}


def _certificate_litres_exceeded(rule: Rule, version: str, sales: Sequence[FuelSale]) -> list[EarlyWarning]:
    """More litres sold against a certificate (single use, exact quantity) than it allows."""
    found: list[EarlyWarning] = []
    for number, group in _by_certificate(sales).items():
        allowed = [s.certificate_litres for s in group if s.certificate_litres is not None]
        if not allowed:
            continue
        limit = min(allowed)
        total = 0.0
        for sale in group:
            total += sale.litres
            if total > limit + LITRES_SLACK:
                found.append(
                    _warning(
                        rule,
                        version,
                        (number,),
                        uscc=sale.station_uscc,
                        jurisdiction=sale.jurisdiction,
                        records=group,
                        occurred_at=sale.sold_at,
                        sold=f"{sum(s.litres for s in group):g}",
                        allowed=f"{limit:g}",
                        sales=len(group),
                    )
                )
                break
    return found


def _certificate_expired(rule: Rule, version: str, sales: Sequence[FuelSale]) -> list[EarlyWarning]:
    """A sale after its certificate's validity (days from its issue)."""
    validity = timedelta(days=rule.parameter("validity_days"))
    found: list[EarlyWarning] = []
    for number, group in _by_certificate(sales).items():
        late = [
            s
            for s in group
            if s.certificate_issued_at is not None and s.sold_at > s.certificate_issued_at + validity
        ]
        if late:
            first = late[0]
            found.append(
                _warning(
                    rule,
                    version,
                    (number,),
                    uscc=first.station_uscc,
                    jurisdiction=first.jurisdiction,
                    records=late,
                    occurred_at=first.sold_at,
                    days=f"{rule.parameter('validity_days'):g}",
                    sales=len(late),
                )
            )
    return found


def _xray_not_screened(rule: Rule, version: str, shipments: Sequence[Shipment]) -> list[EarlyWarning]:
    """A site's X-ray rate below 100% on a day: one warning per site and local day."""
    by_site: dict[tuple[str, str, str, str], list[Shipment]] = defaultdict(list)
    for shipment in shipments:
        if not shipment.xray_screened:
            day = shipment.accepted_at.astimezone(CHINA_TIME).date().isoformat()
            by_site[(shipment.organisation, shipment.jurisdiction, shipment.site_name, day)].append(shipment)
    return [
        _warning(
            rule,
            version,
            key,
            uscc=key[0],
            jurisdiction=key[1],
            records=missed,
            occurred_at=missed[0].accepted_at,
            site=key[2],
            day=key[3],
            count=len(missed),
        )
        for key, missed in by_site.items()
    ]


def _prohibited_item_found(rule: Rule, version: str, shipments: Sequence[Shipment]) -> list[EarlyWarning]:
    """A prohibited item found at acceptance: one warning per waybill."""
    return [
        _warning(
            rule,
            version,
            (s.organisation, s.waybill_no),
            uscc=s.organisation,
            jurisdiction=s.jurisdiction,
            records=[s],
            site=s.site_name,
        )
        for s in shipments
        if s.prohibited_item_found
    ]


FUEL_CHECKS: Final = {
    Check.BUYER_AT_MANY_STATIONS: _buyer_at_many_stations,
    Check.CERTIFICATE_LITRES_EXCEEDED: _certificate_litres_exceeded,
    Check.CERTIFICATE_EXPIRED: _certificate_expired,
}
SHIPMENT_CHECKS: Final = {
    Check.XRAY_NOT_SCREENED: _xray_not_screened,
    Check.PROHIBITED_ITEM_FOUND: _prohibited_item_found,
}


def fuel_sale_warnings(book: RuleBook, sales: Sequence[FuelSale]) -> list[EarlyWarning]:
    """The findings of the fuel rules over the new sales and the earlier ones they relate to."""
    return [
        warning
        for rule in book.rules
        if rule.check in FUEL_CHECKS
        for warning in FUEL_CHECKS[rule.check](rule, book.version, sales)
    ]


def shipment_warnings(book: RuleBook, shipments: Sequence[Shipment]) -> list[EarlyWarning]:
    """The findings of the express rules over a batch's new shipments."""
    return [
        warning
        for rule in book.rules
        if rule.check in SHIPMENT_CHECKS
        for warning in SHIPMENT_CHECKS[rule.check](rule, book.version, shipments)
    ]
