"""Bodies of the dossier figures' route, for validation and the OpenAPI document.

They describe, key for key, what `adapters.proto_json` makes of neibao.unitregistry.v1.figures messages
(field names are the proto's; enums are the proto's values without their prefix, lower-cased; an empty
value is null).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from gateway.entrypoints.http.registry_schemas import Sector


class UnitFigureGrouping(StrEnum):
    """What the rows of the figures are."""

    JURISDICTION = "jurisdiction"
    SECTOR = "sector"


class UnitFigureQuery(BaseModel):
    """Which units the figures count (always within the caller's scope)."""

    jurisdiction: str | None = Field(default=None, pattern=r"^[0-9]{6}$", examples=["210100"])
    sector: Sector | None = Field(default=None, description="Only units whose sectors include this one.")
    group_by: UnitFigureGrouping | None = Field(
        default=None, description="jurisdiction (default: one level under the one asked) or lead sector."
    )


class UnitFigureRowRead(BaseModel):
    """The counts of one group (key null: the total)."""

    key: str | None = Field(description="A division code one level under the one asked, or a lead sector.")
    units: int = Field(description="Active units.")
    key_units: int = Field(description="Active key units (治安保卫重点单位).")
    key_units_filed: int = Field(description="Key units whose security organisation filing is accepted.")
    filing_rate: float = Field(description="key_units_filed / key_units (0 without key units).")
    drills_overdue: int = Field(description="Key units with fewer than 2 drills in the last 12 months.")
    hazards_overdue: int = Field(description="Open hazards past their rectification deadline.")
    units_hazards_overdue: int = Field(description="Units with at least one such hazard.")


class UnitFiguresRead(BaseModel):
    """Dashboard figures of the unit dossiers."""

    total: UnitFigureRowRead
    rows: list[UnitFigureRowRead]
