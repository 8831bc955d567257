"""Response bodies of the gateway's own routes (Read models, as the conventions name them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from gateway.domain.caller import Caller
from gateway.domain.jurisdiction import describe_jurisdiction
from neibao_codes import DivisionLevel
from neibao_identity import Role


class JurisdictionRead(BaseModel):
    """A GB/T 2260 division."""

    code: str = Field(examples=["210102"])
    name: str | None = Field(description="Full name (city and district).", examples=["沈阳市和平区"])
    level: DivisionLevel | None = Field(description="province, city or county.")


class PrincipalRead(BaseModel):
    """The caller as the platform understands it."""

    subject: str = Field(description="The token's subject (Keycloak user or service-account id).")
    username: str
    roles: list[Role] = Field(description="The platform roles the caller holds.")
    jurisdiction: JurisdictionRead | None
    sector: str | None = Field(examples=["postal"])
    unit: str | None = Field(description="USCC of the caller's unit (unit security staff).")
    org: str | None = Field(description="USCC of the organisation of a machine client.")
    client_id: str | None = Field(description="The OAuth client the token was issued to.")
    is_machine: bool = Field(description="A machine client (client credentials), not a person.")

    @classmethod
    def of(cls, caller: Caller) -> PrincipalRead:
        """The read model of a caller."""
        principal = caller.principal
        jurisdiction = None
        if principal.jurisdiction:
            described = describe_jurisdiction(principal.jurisdiction)
            jurisdiction = JurisdictionRead(code=described.code, name=described.name, level=described.level)
        return cls(
            subject=principal.subject,
            username=principal.username,
            roles=sorted(Role(role) for role in principal.roles if role in Role.__members__.values()),
            jurisdiction=jurisdiction,
            sector=principal.sector,
            unit=principal.unit,
            org=principal.org,
            client_id=principal.client_id,
            is_machine=principal.is_machine,
        )


class HealthRead(BaseModel):
    """The process answers."""

    status: Literal["ok"] = "ok"


class ReadinessRead(BaseModel):
    """Everything the gateway needs answers."""

    status: Literal["ready"] = "ready"
    checks: dict[str, bool] = Field(description="Each dependency checked, and whether it answered.")
