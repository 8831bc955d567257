"""What a reader sees of a record's personal fields: masked, by kind (GB/T 35273 style)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from neibao_privacy import mask_address, mask_name, mask_phone, mask_plate, mask_resident_id
from sector_exchange.domain.datasets import Dataset, PersonalKind

MASKS: Final[Mapping[PersonalKind, Callable[[str], str]]] = {
    PersonalKind.RESIDENT_ID: mask_resident_id,
    PersonalKind.NAME: mask_name,
    PersonalKind.PHONE: mask_phone,
    PersonalKind.ADDRESS: mask_address,
    PersonalKind.PLATE: mask_plate,
}


def masked(dataset: Dataset, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The record's fields with every personal one masked."""
    shown: dict[str, Any] = {}
    for name, value in fields.items():
        spec = dataset.field(name)
        if spec is not None and spec.personal is not None and isinstance(value, str):
            shown[name] = MASKS[spec.personal](value)
        else:
            shown[name] = value
    return shown


def split_personal(dataset: Dataset, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(fields without personal data, personal fields) of a validated record."""
    public: dict[str, Any] = {}
    personal: dict[str, Any] = {}
    names = dataset.personal_names
    for name, value in fields.items():
        (personal if name in names else public)[name] = value
    return public, personal
