"""The read handlers: a unit's score and history, rankings; validated input, scope from the caller."""

from __future__ import annotations

import abc
import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from types import TracebackType
from typing import Any

from neibao_codes import is_valid_uscc
from neibao_identity import Scope, jurisdiction_prefix
from safe_unit_scoring.domain.errors import FieldViolation, NotFound, ValidationFailed
from safe_unit_scoring.domain.periods import Period, china_day

SECTORS = frozenset(
    {
        "postal",
        "transport",
        "commerce",
        "housing",
        "banking",
        "insurance",
        "securities",
        "sasac",
        "culture_tourism",
        "health",
        "education",
        "energy",
        "telecom",
    }
)
DEFAULT_PAGE = 50
MAX_PAGE = 200
DEFAULT_MOVERS = 10
MAX_MOVERS = 100
MAX_HISTORY = 120


@dataclass(frozen=True, slots=True)
class ScoreView:
    """A stored period score with its explanation (JSON of indicators, facts, evidence, vetoes)."""

    uscc: str
    period: str
    model_version: str
    as_of: date
    total: Decimal
    band: str
    grade: str
    grade_reason: str
    explanation: dict[str, Any]
    unit_name: str
    jurisdiction: str
    sector: str
    computed_at: datetime


@dataclass(frozen=True, slots=True)
class GradeChangeView:
    """A recorded grade change."""

    period: str
    from_grade: str | None
    to_grade: str
    reason: str
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class RankingView:
    """A ranked unit."""

    rank: int
    uscc: str
    unit_name: str
    jurisdiction: str
    sector: str
    total: Decimal
    grade: str
    previous_total: Decimal | None


@dataclass(frozen=True, slots=True)
class MoverView:
    """A unit whose total moved between the period before and the period."""

    uscc: str
    name: str
    jurisdiction: str
    total: Decimal
    previous_total: Decimal
    grade: str
    previous_grade: str

    @property
    def delta(self) -> Decimal:
        """total − previous_total."""
        return self.total - self.previous_total


@dataclass(frozen=True, slots=True)
class Movers:
    """The period's movers up (risen most first) and down (fallen most first)."""

    period: str
    up: Sequence[MoverView]
    down: Sequence[MoverView]


@dataclass(frozen=True, slots=True)
class RankingFilter:
    """Which units to rank (besides the caller's scope)."""

    period: str
    jurisdiction_prefix: str | None
    sector: str | None


class ScoreReader(abc.ABC):
    """Reads of scores, every one filtered by the caller's scope in its query."""

    async def __aenter__(self) -> ScoreReader:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @abc.abstractmethod
    async def close(self) -> None:
        """Release the session."""

    @abc.abstractmethod
    async def get(self, uscc: str, period: str | None, scope: Scope) -> ScoreView | None:
        """The unit's score for the period (the latest when None), if the unit is in scope."""

    @abc.abstractmethod
    async def history(
        self, uscc: str, scope: Scope, limit: int
    ) -> tuple[Sequence[ScoreView], Sequence[GradeChangeView]] | None:
        """The unit's periods (newest first) and grade changes, or None if it is not in scope."""

    @abc.abstractmethod
    async def rankings(
        self, criteria: RankingFilter, scope: Scope, limit: int, after: tuple[Decimal, str] | None
    ) -> Sequence[RankingView]:
        """Units in scope and filter by total (highest first), after the keyset position."""

    @abc.abstractmethod
    async def movers(
        self, criteria: RankingFilter, scope: Scope, limit: int, up: bool
    ) -> Sequence[MoverView]:
        """Up to `limit` units in scope and filter scored in the period and the month before whose total
        rose (`up`) or fell, the largest move first."""


def _uscc(uscc: str) -> str:
    if not is_valid_uscc(uscc):
        raise ValidationFailed([FieldViolation("uscc", "not a valid unified social credit code")])
    return uscc


def _period(text: str, field: str = "period") -> str | None:
    if not text:
        return None
    try:
        return str(Period.parse(text))
    except ValueError:
        raise ValidationFailed([FieldViolation(field, "a period is YYYY-MM")]) from None


def encode_cursor(total: Decimal, uscc: str) -> str:
    """The opaque keyset position after a ranked row."""
    return base64.urlsafe_b64encode(json.dumps([str(total), uscc]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[Decimal, str]:
    """The keyset position of a cursor; ValidationFailed if it is not one of ours."""
    try:
        total, uscc = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return Decimal(total), str(uscc)
    except (ValueError, TypeError, InvalidOperation, binascii.Error):
        raise ValidationFailed([FieldViolation("cursor", "not a cursor this service issued")]) from None


@dataclass(frozen=True, slots=True)
class RankingPage:
    """A page of rankings."""

    period: str
    items: Sequence[RankingView]
    next_cursor: str


class Scores:
    """The read use cases."""

    def __init__(
        self, reader: Callable[[], ScoreReader], clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._reader = reader
        self._clock = clock

    async def get_score(self, uscc: str, period: str, scope: Scope) -> ScoreView:
        """The unit's score for a period (its latest when empty); NotFound outside the scope."""
        wanted = _period(period)
        async with self._reader() as reader:
            found = await reader.get(_uscc(uscc), wanted, scope)
        if found is None:
            raise NotFound(f"no score of unit {uscc}" + (f" for {wanted}" if wanted else ""))
        return found

    async def list_history(
        self, uscc: str, limit: int, scope: Scope
    ) -> tuple[Sequence[ScoreView], Sequence[GradeChangeView]]:
        """The unit's periods, newest first, and its grade changes; NotFound outside the scope."""
        if limit < 0:
            raise ValidationFailed([FieldViolation("limit", "must not be negative")])
        async with self._reader() as reader:
            found = await reader.history(_uscc(uscc), scope, min(limit or MAX_HISTORY, MAX_HISTORY))
        if found is None:
            raise NotFound(f"no scores of unit {uscc}")
        return found

    def _filter(
        self, period: str, jurisdiction: str, sector: str
    ) -> tuple[RankingFilter, list[FieldViolation]]:
        """The units asked for, and what is wrong with the request."""
        violations = []
        prefix = None
        if jurisdiction:
            prefix = jurisdiction_prefix(jurisdiction)
            if prefix is None:
                violations.append(FieldViolation("jurisdiction", "a GB/T 2260 code of six digits"))
        if sector and sector not in SECTORS:
            violations.append(FieldViolation("sector", f"one of {', '.join(sorted(SECTORS))}"))
        try:
            wanted = _period(period) or str(Period.of(china_day(self._clock())))
        except ValidationFailed as error:
            violations.extend(error.violations)
            wanted = ""
        return RankingFilter(wanted, prefix, sector or None), violations

    async def list_movers(
        self, period: str, jurisdiction: str, sector: str, limit: int, scope: Scope
    ) -> Movers:
        """Units in scope whose total rose and fell most in the period against the month before."""
        criteria, violations = self._filter(period, jurisdiction, sector)
        if limit < 0 or limit > MAX_MOVERS:
            violations.append(FieldViolation("limit", f"between 0 and {MAX_MOVERS}"))
        if violations:
            raise ValidationFailed(violations)
        async with self._reader() as reader:
            up = await reader.movers(criteria, scope, limit or DEFAULT_MOVERS, up=True)
            down = await reader.movers(criteria, scope, limit or DEFAULT_MOVERS, up=False)
        return Movers(criteria.period, up, down)

    async def list_rankings(
        self,
        period: str,
        jurisdiction: str,
        sector: str,
        scope: Scope,
        *,
        page_size: int = 0,
        cursor: str = "",
    ) -> RankingPage:
        """Units in scope (and in the jurisdiction and sector asked for) by total, highest first."""
        criteria, violations = self._filter(period, jurisdiction, sector)
        if page_size < 0 or page_size > MAX_PAGE:
            violations.append(FieldViolation("page_size", f"between 0 and {MAX_PAGE}"))
        after = None
        if cursor:
            try:
                after = decode_cursor(cursor)
            except ValidationFailed as error:
                violations.extend(error.violations)
        if violations:
            raise ValidationFailed(violations)
        limit = page_size or DEFAULT_PAGE
        async with self._reader() as reader:
            rows = await reader.rankings(criteria, scope, limit + 1, after)
        items = rows[:limit]
        more = len(rows) > limit
        return RankingPage(
            criteria.period, items, encode_cursor(items[-1].total, items[-1].uscc) if more else ""
        )
