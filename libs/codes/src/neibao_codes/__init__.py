"""Chinese identifiers: USCC, resident ID numbers, licence plates, GB/T 2260 division codes."""

from neibao_codes.division import (
    LIAONING,
    LIAONING_CITIES,
    DivisionLevel,
    division_level,
    division_name,
    in_jurisdiction,
    is_known_division_code,
    is_valid_division_code,
    jurisdiction_prefix,
    validate_division_code,
)
from neibao_codes.errors import IdentifierKind, InvalidIdentifier
from neibao_codes.plate import PlateKind, is_valid_plate, plate_kind, validate_plate
from neibao_codes.resident_id import (
    Sex,
    is_valid_resident_id,
    resident_id_birth_date,
    resident_id_sex,
    validate_resident_id,
)
from neibao_codes.uscc import is_valid_uscc, validate_uscc

__all__ = [
    "LIAONING",
    "LIAONING_CITIES",
    "DivisionLevel",
    "IdentifierKind",
    "InvalidIdentifier",
    "PlateKind",
    "Sex",
    "division_level",
    "division_name",
    "in_jurisdiction",
    "is_known_division_code",
    "is_valid_division_code",
    "is_valid_plate",
    "is_valid_resident_id",
    "is_valid_uscc",
    "jurisdiction_prefix",
    "plate_kind",
    "resident_id_birth_date",
    "resident_id_sex",
    "validate_division_code",
    "validate_plate",
    "validate_resident_id",
    "validate_uscc",
]
