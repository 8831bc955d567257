"""The audit trail of personal-data reads: no personal data leaves without its audit record (fail closed)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from google.protobuf.timestamp_pb2 import Timestamp
from opentelemetry import trace

from gateway.domain.caller import Caller
from gateway.domain.problems import Problem
from neibao.audit.v1.audit_pb2 import Disclosure, PersonalDataAccessed, PersonalDataKind
from neibao.common.v1.common_pb2 import ACTOR_KIND_MACHINE, ACTOR_KIND_USER, Actor
from neibao_identity import Role
from neibao_messaging import Event, encode
from neibao_messaging.envelope import KafkaHeaders

logger = logging.getLogger(__name__)

PERSONAL_DATA_ACCESSED = "neibao.audit.personal-data.accessed.v1"
SOURCE = "/neibao/gateway"
# CloudEvents extension carrying the request id until the audit proto has a field for it.


class AuditNotRecorded(Exception):
    """The audit record could not be stored (the broker did not acknowledge it in time)."""


class AuditPublisher(Protocol):
    """Where audit records go; `publish` returns once the record is durably stored."""

    async def publish(self, topic: str, key: bytes, value: bytes, headers: KafkaHeaders) -> None: ...


def actor_of(caller: Caller) -> Actor:
    """The audit actor: who the caller is, with the roles and scope claims of the token."""
    principal = caller.principal
    platform_roles = {role.value for role in Role}
    return Actor(
        kind=ACTOR_KIND_MACHINE if principal.is_machine else ACTOR_KIND_USER,
        subject=principal.subject,
        name=(principal.client_id or principal.username) if principal.is_machine else principal.username,
        roles=sorted(role for role in principal.roles if role in platform_roles),
        jurisdiction=principal.jurisdiction or "",
        sector=principal.sector or "",
        unit=principal.unit or principal.org or "",
        client_id=principal.client_id or "",
    )


def current_trace_id() -> str:
    """The W3C trace id of the current span, or "" outside a trace."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else ""


class AuditTrail:
    """What routes call before they return personal data."""

    def __init__(self, publisher: AuditPublisher, topic: str, service: str = "gateway") -> None:
        self._publisher = publisher
        self._topic = topic
        self._service = service

    async def personal_data_read(
        self,
        caller: Caller,
        *,
        kinds: Sequence[PersonalDataKind.ValueType],
        disclosure: Disclosure.ValueType,
        record_count: int,
        unit: str | None = None,
        resource: str | None = None,
        operation: str | None = None,
    ) -> None:
        """Record that `caller` is being shown personal data; raises a 503 Problem if it cannot be recorded.

        Call it after the data was fetched and before it is returned: the response waits for the
        broker's acknowledgement, and without one it carries no personal data.
        """
        occurred_at = Timestamp()
        occurred_at.GetCurrentTime()
        record = PersonalDataAccessed(
            actor=actor_of(caller),
            resource=resource or caller.path,
            operation=operation or caller.method,
            unit=unit or "",
            kinds=list(kinds),
            disclosure=disclosure,
            record_count=record_count,
            trace_id=current_trace_id(),
            service=self._service,
            occurred_at=occurred_at,
            client_address=caller.client_address or "",
            request_id=caller.request_id,
        )
        event = Event.create(
            type=PERSONAL_DATA_ACCESSED,
            source=SOURCE,
            data=record,
            subject=record.resource,
            key=caller.principal.subject,  # the audit topic is keyed by the reader (topics.yaml)
        )
        key, value, headers = encode(event)
        try:
            await self._publisher.publish(self._topic, key, value, headers)
        except AuditNotRecorded as exc:
            logger.error("personal data withheld: its audit record was not stored: %s", exc)
            raise Problem(
                503,
                "The data cannot be shown now because its access cannot be recorded; try again shortly.",
                slug="audit-unavailable",
                headers={"Retry-After": "5"},
            ) from None
