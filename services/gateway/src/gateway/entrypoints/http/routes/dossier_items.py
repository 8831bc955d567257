"""What the unit dossier's routes share: item paths and roles, item ETags and If-Match, and answers
carrying people's data, which are audited before they leave (no audit record, no data: 503).

Items of a dossier (a responsible person, a staff member, a hazard, ...) carry a `version`; their strong
ETag is `"<version>"`. PATCH and DELETE need If-Match (428 without, 412 when stale); workflow actions
(submit, accept, rectify, ...) take it optionally.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Final, TypeVar

from fastapi import Path
from google.protobuf.message import Message
from pydantic import BaseModel

from gateway.adapters.proto_json import field_mask, from_rest, invalid_fields, to_rest
from gateway.domain.caller import Caller
from gateway.domain.problems import FieldViolation
from gateway.entrypoints.http.rest import ETAG_HEADER, JSONDocument, strong_etag, version_to_change
from gateway.service.audit import AuditTrail
from neibao.audit.v1 import audit_pb2
from neibao.unitregistry.v1 import dossier_pb2
from neibao_identity import Role

M = TypeVar("M", bound=Message)

# Who keeps a unit's own records (staff, responsible persons, key parts, plans, drills, rectifications):
# its own security staff only, as the registry rules (services/unit-registry domain/policy.py).
KEEPERS: Final = (Role.UNIT_SECURITY,)
# Who writes and submits a filing: the unit's security staff or its police.
FILERS: Final = (Role.POLICE, Role.PROVINCE_ADMIN, Role.UNIT_SECURITY)
# Who inspects, opens hazards and verifies rectifications: police and the unit's sector regulators.
INSPECTORS: Final = (Role.POLICE, Role.REGULATOR, Role.PROVINCE_ADMIN)


def item_id_path(what: str) -> Any:
    """The path parameter naming one item of a dossier."""
    return Path(min_length=1, max_length=64, description=f"The {what}'s id (a UUID).")


def answer(description: str) -> dict[str, Any]:
    """The OpenAPI response of an item with its ETag."""
    return {"description": description, "headers": ETAG_HEADER}


def body_of(model: BaseModel | None, *, exclude_unset: bool = False) -> dict[str, Any]:
    """A validated body as the JSON document it stands for."""
    if model is None:
        return {}
    document: dict[str, Any] = model.model_dump(mode="json", exclude_unset=exclude_unset)
    return document


def changes_of(model: BaseModel) -> dict[str, Any]:
    """The keys a PATCH body sends; a 400 when it sends none."""
    changes = body_of(model, exclude_unset=True)
    if not changes:
        raise invalid_fields([FieldViolation("", "name at least one field to change")])
    return changes


def update_request(changes: Mapping[str, Any], message_type: type[M], **keys: Any) -> M:
    """An Update request of the changed fields, its mask naming them."""
    request = from_rest({**changes, **keys}, message_type)
    request.update_mask.CopyFrom(field_mask(changes))  # type: ignore[attr-defined]
    return request


async def version_of(if_match: str | None, current: Callable[[], Awaitable[int]], *, required: bool) -> int:
    """The item version a change is based on (0: not checked)."""
    return await version_to_change(if_match, current, required=required)


def item_response(
    message: Message, *, status_code: int = 200, extra: Mapping[str, Any] | None = None
) -> JSONDocument:
    """An item (with a `version`), with its ETag."""
    document = {**to_rest(message), **(extra or {})}
    version = int(getattr(message, "version", 0))
    return JSONDocument(document, status_code=status_code, headers={"ETag": strong_etag(version)})


def find_version(items: Iterable[Any], item_id: str) -> int:
    """The version of the item `item_id` among `items` (0 when it is not there: the registry answers 404)."""
    for item in items:
        if item.id == item_id:
            return int(item.version)
    return 0


# --- personal data ---------------------------------------------------------------------------------


def audit_kinds(
    disclosure: dossier_pb2.Disclosure, *, names: bool
) -> list[audit_pb2.PersonalDataKind.ValueType]:
    """The audit's kinds of what an answer shows: the registry's protected kinds, and names when shown."""
    kinds = {
        audit_pb2.PersonalDataKind.Value(dossier_pb2.PersonalDataKind.Name(kind))
        for kind in disclosure.kinds
        if kind != dossier_pb2.PERSONAL_DATA_KIND_UNSPECIFIED
    }
    if names:
        kinds.add(audit_pb2.PERSONAL_DATA_KIND_NAME)
    return sorted(kinds)


def audit_disclosure(disclosure: dossier_pb2.Disclosure) -> audit_pb2.Disclosure.ValueType:
    """Clear when the registry showed protected data in clear; masked otherwise (nothing left in clear)."""
    if disclosure.level == dossier_pb2.DISCLOSURE_LEVEL_CLEAR:
        return audit_pb2.DISCLOSURE_CLEAR
    return audit_pb2.DISCLOSURE_MASKED


async def audited(
    audit: AuditTrail,
    caller: Caller,
    disclosure: dossier_pb2.Disclosure,
    *,
    record_count: int,
    unit: str | None,
) -> None:
    """Record the personal-data read (names, and the protected kinds shown); a 503 if it cannot be."""
    await audit.personal_data_read(
        caller,
        kinds=audit_kinds(disclosure, names=record_count > 0),
        disclosure=audit_disclosure(disclosure),
        record_count=record_count,
        unit=unit,
    )


async def disclosed_list(
    audit: AuditTrail, caller: Caller, answer: Message, *, unit: str | None
) -> JSONDocument:
    """A list answer (`items`, `disclosure`, ...) of people, audited."""
    items = list(answer.items)  # type: ignore[attr-defined]
    units = {item.uscc for item in items}
    await audited(
        audit,
        caller,
        answer.disclosure,  # type: ignore[attr-defined]
        record_count=len(items),
        unit=unit or (next(iter(units)) if len(units) == 1 else None),
    )
    return JSONDocument(to_rest(answer))


async def disclosed_item(
    audit: AuditTrail,
    caller: Caller,
    item: Message,
    disclosure: dossier_pb2.Disclosure,
    *,
    status_code: int = 200,
) -> JSONDocument:
    """One person, with its ETag and the answer's `disclosure`, audited."""
    await audited(audit, caller, disclosure, record_count=1, unit=getattr(item, "uscc", None))
    return item_response(item, status_code=status_code, extra={"disclosure": to_rest(disclosure)})
