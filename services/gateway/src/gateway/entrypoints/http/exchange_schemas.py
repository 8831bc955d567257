"""Bodies of the sector data exchange's routes, for validation and the OpenAPI document.

Answers follow `adapters.proto_json` for neibao.sectorexchange.v1 (field names are the proto's, an
empty value is null), except a record's `fields`: the record's own JSON object, personal fields masked.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Final

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from gateway.entrypoints.http.registry_schemas import MAX_CURSOR_LENGTH

MAX_RECORDS: Final = 10_000
DEMO_BATCH: Final = "SJ-20261124-0001"

SectorPath = Annotated[
    str, Path(pattern=r"^[a-z][a-z_]{1,39}$", description="The dataset's sector.", examples=["postal"])
]
DatasetPath = Annotated[
    str,
    Path(
        pattern=r"^[a-z][a-z-]{1,39}$", description="The dataset within its sector.", examples=["shipments"]
    ),
]
BatchIdPath = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9._-]{1,64}$",
        description="The submitter's id of the batch.",
        examples=[DEMO_BATCH],
    ),
]

_SHIPMENT_EXAMPLE: Final[dict[str, Any]] = {
    "waybill_no": "SF1234567890",
    "accepted_at": "2026-11-24T15:30:00+08:00",
    "site_name": "和平区南京北街营业部",
    "site_region_code": "210102",
    "sender_name": "张三",
    "sender_id_type": "resident_id",
    "sender_id_number": "210102199003071233",
    "sender_phone": "13812345678",
    "sender_address": "辽宁省沈阳市和平区南京北街1号",
    "receiver_name": "李四",
    "receiver_phone": "13912345678",
    "receiver_address": "大连市中山区人民路5号",
    "item_name": "书籍",
    "inspected": True,
    "xray_screened": True,
}


class BatchIn(BaseModel):
    """A batch of records of one dataset, submitted by a registered sector system as its organisation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"batch_id": DEMO_BATCH, "records": [_SHIPMENT_EXAMPLE]}]},
    )

    batch_id: str = Field(
        pattern=r"^[A-Za-z0-9._-]{1,64}$",
        description="The submitter's own id of the batch, unique per organisation: sending it again "
        "answers the first receipt and stores nothing twice.",
    )
    records: list[Any] = Field(
        min_length=1,
        max_length=MAX_RECORDS,
        description="The records, JSON objects of the dataset's schema; each is checked on its own.",
    )


class RecordErrorRead(BaseModel):
    """What is wrong with one field of one record."""

    pointer: str = Field(description="JSON pointer into the batch, e.g. /records/3/sender_id_number.")
    detail: str
    reason: str | None = Field(
        description="REQUIRED, INVALID_FORMAT, INVALID_CHECK_CHARACTER, INVALID_TYPE, IN_FUTURE, "
        "OUT_OF_RANGE, TOO_LONG, UNKNOWN_VALUE, UNKNOWN_FIELD."
    )


class RejectionRead(BaseModel):
    """A record that was not kept, with every reason found."""

    index: int
    errors: list[RecordErrorRead]


class ReceiptRead(BaseModel):
    """The platform's signed acknowledgement of a batch.

    `hash` is "sha256:<hex>" of the canonical JSON (keys sorted, no spaces, UTF-8) of
    `{"batch_id", "dataset": "<sector>/<dataset>", "organisation", "records": [as submitted]}`.
    `signature` (base64) covers the canonical JSON of `{"v": 1, "batch_id", "dataset", "organisation",
    "hash", "accepted", "rejected": [indexes], "signed_at", "key_id", "algorithm"}`; the public keys are at
    GET /api/v1/exchange/keys.
    """

    hash: str
    signature: str
    algorithm: str = Field(examples=["Ed25519"])
    key_id: str
    signed_at: datetime


class BatchRead(BaseModel):
    """A batch's outcome: how many records were kept, why the others were not, the receipt."""

    batch_id: str
    accepted: int
    rejected: list[RejectionRead]
    receipt: ReceiptRead
    replayed: bool = Field(
        description="True when the batch had been submitted before (nothing stored again)."
    )


class BatchSummaryRead(BaseModel):
    """A submitted batch, its outcome, its receipt and its place in the message log."""

    batch_id: str
    organisation: str
    sector: str
    dataset: str
    schema_version: int
    accepted: int
    rejected: list[RejectionRead]
    receipt: ReceiptRead
    received_at: datetime
    log_sequence: int


class Disclosure(StrEnum):
    """Whether personal fields are shown masked or in clear."""

    MASKED = "masked"
    CLEAR = "clear"


class RecordRead(BaseModel):
    """One kept record."""

    id: str
    sector: str
    dataset: str
    schema_version: int
    organisation: str
    batch_id: str
    record_index: int
    jurisdiction: str
    occurred_at: datetime | None
    received_at: datetime | None
    fields: dict[str, Any] = Field(description="The record's fields; personal ones masked.")


class RecordPage(BaseModel):
    """One page of a dataset's records in the caller's scope, newest first."""

    items: list[RecordRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    disclosure: Disclosure
    personal_kinds: list[str] = Field(description="The kinds of personal data the records carry.")


class RecordQuery(BaseModel):
    """Criteria of the record list."""

    jurisdiction: str | None = Field(
        default=None, pattern=r"^[0-9]{6}$", description="Only records of this division (and below)."
    )
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH)


class RecordSearchIn(BaseModel):
    """Find a person's records by the resident ID number (matched by its blind index, never stored in
    clear); in the body, not the URL, so that the number stays out of logs and browser history."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"id_number": _SHIPMENT_EXAMPLE["sender_id_number"]}]}
    )

    id_number: str = Field(
        pattern=r"^[0-9]{17}[0-9Xx]$", description="The resident ID number (18 characters, check character)."
    )
    jurisdiction: str | None = Field(
        default=None, pattern=r"^[0-9]{6}$", description="Only records of this division (and below)."
    )
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH)
    limit: int | None = Field(default=None, ge=1, le=200, description="Records per page (50 by default).")


class SubmitterStatus(StrEnum):
    """How a submitter's feed is doing."""

    HEALTHY = "healthy"
    LATE = "late"
    FAILING = "failing"


class SubmitterHealthRead(BaseModel):
    """A registered submitter and the health of its feed (records counted as submitted: kept and rejected)."""

    client_id: str = Field(description="The sector system's machine client.")
    organisation: str = Field(description="The organisation it submits as (USCC).")
    name: str | None
    sector: str
    datasets: list[str] = Field(description='The datasets it may submit, e.g. "postal/shipments".')
    last_batch_at: datetime | None = Field(description="When its last batch was received; null if never.")
    batches_24h: int
    records_24h: int
    batches_7d: int
    records_7d: int
    rejected_7d: int
    rejection_rate: float | None = Field(description="Rejected over submitted records, last 7 days.")
    late_rate: float | None = Field(
        description="Kept records received more than 24 hours after they happened, last 7 receipt days."
    )
    status: SubmitterStatus = Field(
        description="late: nothing within the expected interval; failing: rejection rate above the threshold."
    )
    expected_interval_hours: int


class SubmitterHealthList(BaseModel):
    """The registered submitters in the caller's scope and the health of their feeds."""

    items: list[SubmitterHealthRead]
    failing_rejection_rate: float = Field(description="The rejection rate above which a feed is failing.")
    as_of: datetime


class SubmitterQuery(BaseModel):
    """Criteria of the submitter list."""

    sector: str | None = Field(default=None, pattern=r"^[a-z][a-z_]{1,39}$", description="Only this sector.")


class SigningKeyRead(BaseModel):
    """A public key receipts are signed with."""

    key_id: str
    algorithm: str
    public_key: str = Field(description="Base64 of the raw public key.")
    active: bool


class SigningKeyList(BaseModel):
    """Every receipt-signing public key (old ones stay, so that old receipts verify)."""

    keys: list[SigningKeyRead]


class ExchangeFigureGrouping(StrEnum):
    """How figures are summed."""

    SUBMITTER = "submitter"
    SITE = "site"
    SECTOR = "sector"
    DAY = "day"


class ExchangeFigureQuery(BaseModel):
    """Criteria of the figures: a grouping, a period of receipt days (China time), a division."""

    group_by: ExchangeFigureGrouping = Field(
        default=ExchangeFigureGrouping.SUBMITTER,
        description="submitter, site (submitter, site and division), sector (the dataset as a whole) or "
        "day (the dataset as a whole, per receipt day).",
    )
    since: date | None = Field(
        default=None, description="First receipt day; 6 days before `until` by default."
    )
    until: date | None = Field(default=None, description="Last receipt day (inclusive); today by default.")
    jurisdiction: str | None = Field(
        default=None, pattern=r"^[0-9]{6}$", description="Only figures of this division (and below)."
    )


class ExchangeFiguresRead(BaseModel):
    """Counts of one group over the period and the rates they give (null: not applicable, or no base)."""

    organisation: str | None = Field(description="The submitter (USCC); null when grouped by sector.")
    site: str | None = Field(description="Express: the site's name; fuel: the station's USCC (by site only).")
    jurisdiction: str | None = Field(description="The site's division (by site only).")
    received: int
    rejected: int
    late: int = Field(description="Received more than 24 hours after they happened.")
    identity_rejected: int = Field(description="Express: rejected for the sender's identity.")
    inspected: int
    xray_screened: int
    prohibited_found: int
    certificate_valid: int = Field(description="Fuel: sold against a valid police certificate.")
    rejection_rate: float | None
    late_rate: float | None
    inspected_rate: float | None = Field(description="Express 三个100%: inspected before sealing.")
    real_name_rate: float | None = Field(description="Express 三个100%: taken by real name.")
    xray_rate: float | None = Field(description="Express 三个100%: X-ray screened.")
    certificate_rate: float | None = Field(description="Fuel: sales matching a valid police certificate.")
    day: date | None = Field(description="The receipt day (China time); by day only.")


class WarningCountRead(BaseModel):
    """How many early warnings one rule raised over the period, and when the last one was."""

    rule_id: str = Field(examples=["express-site-xray-below-100"])
    count: int
    last_raised_at: datetime | None


class ExchangeFigurePage(BaseModel):
    """A dataset's compliance and quality figures in the caller's scope."""

    sector: str
    dataset: str
    group_by: ExchangeFigureGrouping
    since: date
    until: date
    items: list[ExchangeFiguresRead]
    warnings: list[WarningCountRead] = Field(
        description="Early warnings raised on the dataset's records in scope over the period, by rule."
    )
