"""Who may change a unit's protection: its own security staff, police of its jurisdiction, the admin."""

from __future__ import annotations

from device_inventory.domain.errors import Forbidden
from device_inventory.domain.model import UnitView
from neibao_identity import Role, Scope


def may_write(scope: Scope, unit: UnitView) -> bool:
    """Whether the caller may register and change the unit's devices and protection."""
    if scope.unrestricted:
        return True
    if Role.POLICE in scope.roles and scope.within_jurisdiction(unit.jurisdiction):
        return True
    return Role.UNIT_SECURITY in scope.roles and scope.unit is not None and scope.unit == unit.uscc


def may_report_heartbeats(scope: Scope, unit: UnitView) -> bool:
    """Whether the caller may report heartbeats of the unit's devices (also its sector system)."""
    if may_write(scope, unit):
        return True
    return Role.SECTOR_SYSTEM in scope.roles and scope.org is not None and scope.org == unit.uscc


def require_write(scope: Scope, unit: UnitView) -> None:
    """Forbidden unless the caller may change the unit's protection (visibility checked before)."""
    if not may_write(scope, unit):
        raise Forbidden("only the unit's security staff, its police or the province admin may change this")
