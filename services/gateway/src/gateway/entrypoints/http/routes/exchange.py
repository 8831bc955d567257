"""Sector data exchange: REST over neibao.sectorexchange.v1 (issue 8's stable contract).

Sector systems submit batches as their own organisation; the exchange checks each record on its own,
keeps the valid ones and answers a signed receipt. Police, regulators and the province admin list records
in their scope, personal fields masked; every answer carrying records is audited before it leaves.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import Query
from starlette.responses import Response

from gateway.adapters.proto_json import to_rest
from gateway.adapters.upstream import Upstreams
from gateway.domain.caller import Caller
from gateway.entrypoints.http.auth import ALL_ROLES, require_roles
from gateway.entrypoints.http.dependencies import Audit, Services
from gateway.entrypoints.http.exchange_schemas import (
    BatchIdPath,
    BatchIn,
    BatchRead,
    BatchSummaryRead,
    DatasetPath,
    ExchangeFigurePage,
    ExchangeFigureQuery,
    RecordPage,
    RecordQuery,
    RecordSearchIn,
    SectorPath,
    SigningKeyList,
    SubmitterHealthList,
    SubmitterQuery,
)
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.paging import PageSize
from gateway.entrypoints.http.problems import problem_responses
from gateway.entrypoints.http.rest import JSONDocument, message_response
from gateway.service.audit import AuditTrail
from neibao.audit.v1 import audit_pb2
from neibao.sectorexchange.v1 import exchange_pb2, exchange_pb2_grpc
from neibao_identity import Role

if TYPE_CHECKING:
    from neibao.sectorexchange.v1.exchange_pb2_grpc import ExchangeServiceAsyncStub

SECTOR_EXCHANGE: Final = "sector-exchange"
SUBMITTERS: Final = (Role.SECTOR_SYSTEM,)
READERS: Final = (Role.POLICE, Role.REGULATOR, Role.PROVINCE_ADMIN)
# Finding a person's records by the ID number is an investigative act: police (and the province admin).
PERSON_SEARCHERS: Final = (Role.POLICE, Role.PROVINCE_ADMIN)
RECEIPT_READERS: Final = (Role.SECTOR_SYSTEM, Role.REGULATOR, Role.PROVINCE_ADMIN)
# A batch of thousands of records is checked, sealed and signed: more than the default deadline.
SUBMIT_DEADLINE_SECONDS: Final = 30.0
AUDIT_KINDS: Final = {
    "resident_id": audit_pb2.PERSONAL_DATA_KIND_RESIDENT_ID,
    "name": audit_pb2.PERSONAL_DATA_KIND_NAME,
    "phone": audit_pb2.PERSONAL_DATA_KIND_PHONE,
    "address": audit_pb2.PERSONAL_DATA_KIND_ADDRESS,
    "plate": audit_pb2.PERSONAL_DATA_KIND_PLATE,
}

# The audit's operation of a search by a person's ID number (the number itself is not recorded).
SEARCH_OPERATION: Final = "search_by_resident_id"

router = gateway_router(prefix="/exchange", tags=["exchange"])


def exchange_service(services: Upstreams) -> ExchangeServiceAsyncStub:
    """The sector exchange's ExchangeService."""
    return services.stub(SECTOR_EXCHANGE, exchange_pb2_grpc.ExchangeServiceStub)


@router.get(
    "/keys",
    summary="Receipt-signing public keys",
    operation_id="list_exchange_signing_keys",
    response_model=SigningKeyList,
    responses=problem_responses(502),
)
async def list_signing_keys(
    caller: Annotated[Caller, require_roles(*ALL_ROLES)],
    services: Services,
) -> Response:
    """The public keys receipts are signed with, to verify a receipt from one's own data alone."""
    answer = await services.call(
        exchange_service(services).ListSigningKeys, exchange_pb2.ListSigningKeysRequest(), caller
    )
    return message_response(answer)


@router.get(
    "/receipts/{batch_id}",
    summary="A batch's receipt",
    operation_id="get_exchange_receipt",
    response_model=BatchSummaryRead,
    responses=problem_responses(404, 502),
)
async def get_receipt(
    batch_id: BatchIdPath,
    caller: Annotated[Caller, require_roles(*RECEIPT_READERS)],
    services: Services,
    organisation: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9A-Z]{18}$", description="The submitter (USCC); a sector system's own by default."
        ),
    ] = None,
) -> Response:
    """A batch's outcome and signed receipt: a sector system's own, its sector's for a regulator."""
    request = exchange_pb2.GetReceiptRequest(batch_id=batch_id, organisation=organisation or "")
    answer = await services.call(exchange_service(services).GetReceipt, request, caller)
    return message_response(answer.batch)


@router.post(
    "/{sector}/{dataset}",
    summary="Submit a batch of records",
    operation_id="submit_exchange_batch",
    response_model=BatchRead,
    responses=problem_responses(404, 409, 502),
)
async def submit_batch(
    sector: SectorPath,
    dataset: DatasetPath,
    body: BatchIn,
    caller: Annotated[Caller, require_roles(*SUBMITTERS)],
    services: Services,
) -> Response:
    """Submit records of a dataset your organisation is registered for (403 otherwise). Each record is
    checked on its own: valid ones are kept, the others listed in `rejected` with a JSON pointer per
    error. The receipt signs the batch's hash; the same `batch_id` again answers the same receipt and
    stores nothing (409 if its records differ)."""
    request = exchange_pb2.SubmitBatchRequest(
        sector=sector,
        dataset=dataset,
        batch_id=body.batch_id,
        records_json=json.dumps(body.records, ensure_ascii=False, separators=(",", ":")).encode(),
    )
    answer = await services.call(
        exchange_service(services).SubmitBatch, request, caller, deadline=SUBMIT_DEADLINE_SECONDS
    )
    return message_response(answer)


def _record(record: exchange_pb2.Record) -> dict[str, Any]:
    document = to_rest(record)
    document.pop("fields_json", None)
    document["fields"] = json.loads(record.fields_json or b"{}")
    return document


@router.get(
    "/{sector}/{dataset}/records",
    summary="A dataset's records",
    operation_id="list_exchange_records",
    response_model=RecordPage,
    responses=problem_responses(404, 502, 503),
)
async def list_records(
    sector: SectorPath,
    dataset: DatasetPath,
    *,
    query: Annotated[RecordQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    audit: Audit,
    limit: PageSize,
) -> Response:
    """Records of the dataset in the caller's scope (police: their jurisdiction; regulators: their
    sector in theirs), newest first, personal fields masked. The read is audited."""
    request = exchange_pb2.ListRecordsRequest(
        sector=sector,
        dataset=dataset,
        jurisdiction=query.jurisdiction or "",
        cursor=query.cursor or "",
        limit=limit,
    )
    answer = await services.call(exchange_service(services).ListRecords, request, caller)
    return await _audited_records(answer, caller, audit, searched=False)


@router.post(
    "/{sector}/{dataset}/records/search",
    summary="A person's records, by the resident ID number",
    operation_id="search_exchange_records",
    response_model=RecordPage,
    responses=problem_responses(404, 502, 503),
)
async def search_records(
    sector: SectorPath,
    dataset: DatasetPath,
    *,
    body: RecordSearchIn,
    caller: Annotated[Caller, require_roles(*PERSON_SEARCHERS)],
    services: Services,
    audit: Audit,
) -> Response:
    """Records of the dataset in the caller's scope naming a resident ID number (sender, buyer, ...),
    found by its blind index, newest first, personal fields masked. Every search is audited, even one
    that finds nothing (it tells whether a person appears in the data)."""
    request = exchange_pb2.ListRecordsRequest(
        sector=sector,
        dataset=dataset,
        jurisdiction=body.jurisdiction or "",
        cursor=body.cursor or "",
        limit=body.limit or 0,
        id_number=body.id_number.upper(),
    )
    answer = await services.call(exchange_service(services).ListRecords, request, caller)
    return await _audited_records(answer, caller, audit, searched=True)


async def _audited_records(
    answer: exchange_pb2.ListRecordsResponse, caller: Caller, audit: AuditTrail, *, searched: bool
) -> Response:
    """The records page, once the read is recorded in the audit trail (before anything leaves)."""
    if answer.items or searched:
        organisations = {item.organisation for item in answer.items}
        await audit.personal_data_read(
            caller,
            kinds=sorted(AUDIT_KINDS[kind] for kind in answer.personal_kinds if kind in AUDIT_KINDS),
            disclosure=(
                audit_pb2.DISCLOSURE_CLEAR
                if answer.disclosure == exchange_pb2.DISCLOSURE_CLEAR
                else audit_pb2.DISCLOSURE_MASKED
            ),
            record_count=len(answer.items),
            unit=next(iter(organisations)) if len(organisations) == 1 else None,
            operation=SEARCH_OPERATION if searched else None,
        )
    return JSONDocument(
        {
            "items": [_record(item) for item in answer.items],
            "next_cursor": answer.next_cursor or None,
            "disclosure": "clear" if answer.disclosure == exchange_pb2.DISCLOSURE_CLEAR else "masked",
            "personal_kinds": list(answer.personal_kinds),
        }
    )


@router.get(
    "/submitters",
    summary="Submitters and the health of their feeds",
    operation_id="list_exchange_submitters",
    response_model=SubmitterHealthList,
    responses=problem_responses(502, 503),
)
async def list_submitters(
    query: Annotated[SubmitterQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
) -> Response:
    """The registered sector systems in the caller's scope (regulators: their sector; police: those
    registered in their jurisdiction): what each sent in the last 24 hours and 7 days, its rejection and
    late rates, and its status (late: nothing within its expected interval; failing: too many rejected)."""
    request = exchange_pb2.ListSubmittersRequest(sector=query.sector or "")
    answer = await services.call(exchange_service(services).ListSubmitters, request, caller)
    return message_response(answer)


FIGURE_COUNTS: Final = (
    "received",
    "rejected",
    "late",
    "identity_rejected",
    "inspected",
    "xray_screened",
    "prohibited_found",
    "certificate_valid",
)
FIGURE_RATES: Final = (
    "rejection_rate",
    "late_rate",
    "inspected_rate",
    "real_name_rate",
    "xray_rate",
    "certificate_rate",
)


def _figures(item: exchange_pb2.Figures) -> dict[str, Any]:
    document: dict[str, Any] = {
        "organisation": item.organisation or None,
        "site": item.site or None,
        "jurisdiction": item.jurisdiction or None,
    }
    document.update({name: getattr(item, name) for name in FIGURE_COUNTS})
    document.update({name: getattr(item, name) if item.HasField(name) else None for name in FIGURE_RATES})
    document["day"] = item.day or None
    return document


@router.get(
    "/{sector}/{dataset}/figures",
    summary="A dataset's compliance and quality figures",
    operation_id="get_exchange_figures",
    response_model=ExchangeFigurePage,
    responses=problem_responses(404, 502, 503),
)
async def get_figures(
    sector: SectorPath,
    dataset: DatasetPath,
    *,
    query: Annotated[ExchangeFigureQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
) -> Response:
    """Compliance and quality in the caller's scope (police: their jurisdiction; regulators: their sector
    in theirs) by submitter, site, sector or day, over receipt days: express "三个100%" (inspected,
    real-name, X-ray screened), fuel sales matching a valid police certificate, rejection and late rates;
    and the early warnings raised, by rule."""
    request = exchange_pb2.GetFiguresRequest(
        sector=sector,
        dataset=dataset,
        group_by=query.group_by.value,
        since=query.since.isoformat() if query.since else "",
        until=query.until.isoformat() if query.until else "",
        jurisdiction=query.jurisdiction or "",
    )
    answer = await services.call(exchange_service(services).GetFigures, request, caller)
    return JSONDocument(
        {
            "sector": answer.sector,
            "dataset": answer.dataset,
            "group_by": answer.group_by,
            "since": answer.since,
            "until": answer.until,
            "items": [_figures(item) for item in answer.items],
            "warnings": [to_rest(warning) for warning in answer.warnings],
        }
    )
