"""联合创建: the unit submits a self-assessment; police or the sector's regulator review it."""

from __future__ import annotations

import abc
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from types import TracebackType

from neibao_codes import is_valid_uscc
from neibao_identity import Principal, Role, Scope
from safe_unit_scoring.domain.assessments import Claim, ReviewDecision, SelfAssessment
from safe_unit_scoring.domain.errors import FieldViolation, Forbidden, NotFound, ValidationFailed
from safe_unit_scoring.domain.indicators import IndicatorModel
from safe_unit_scoring.domain.periods import Period, china_day

SUBMITTERS = frozenset({Role.UNIT_SECURITY})
REVIEWERS = frozenset({Role.POLICE, Role.REGULATOR, Role.PROVINCE_ADMIN})


class AssessmentStore(abc.ABC):
    """Self-assessments in one transaction; every read filtered by the caller's scope."""

    async def __aenter__(self) -> AssessmentStore:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            await self.commit()
        await self.close()

    @abc.abstractmethod
    async def commit(self) -> None:
        """Commit the transaction."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release the session (rolling back what was not committed)."""

    @abc.abstractmethod
    async def unit_visible(self, uscc: str, scope: Scope) -> bool:
        """Whether the unit is known and in scope."""

    @abc.abstractmethod
    async def computed_total(self, uscc: str, period: str) -> Decimal | None:
        """The platform's total of the period, if scored."""

    @abc.abstractmethod
    async def add(self, assessment: SelfAssessment) -> None:
        """Store a new assessment (AlreadyExists while one of the period awaits review)."""

    @abc.abstractmethod
    async def get(self, assessment_id: uuid.UUID, scope: Scope) -> SelfAssessment | None:
        """An assessment of a unit in scope, locked for update."""

    @abc.abstractmethod
    async def save(self, assessment: SelfAssessment) -> None:
        """Store the reviewed assessment."""


class Assessments:
    """The self-assessment use cases."""

    def __init__(
        self,
        store: Callable[[], AssessmentStore],
        model: IndicatorModel,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._model = model
        self._clock = clock

    async def submit(
        self, uscc: str, period: str, items: Sequence[Claim], note: str, principal: Principal
    ) -> SelfAssessment:
        """The unit's own security staff submit; NotFound for a unit outside the scope."""
        if not principal.any_role(*SUBMITTERS):
            raise Forbidden("only the unit's own security staff submit a self-assessment")
        if not is_valid_uscc(uscc):
            raise ValidationFailed([FieldViolation("uscc", "not a valid unified social credit code")])
        now = self._clock()
        scope = Scope.for_principal(principal)
        async with self._store() as store:
            if not await store.unit_visible(uscc, scope):
                raise NotFound(f"no unit {uscc}")
            assessment = SelfAssessment.submit(
                self._model,
                uscc=uscc,
                period=period,
                items=items,
                note=note,
                by=principal.subject,
                at=now,
                current=Period.of(china_day(now)),
                computed_total=await store.computed_total(uscc, period),
            )
            await store.add(assessment)
        return assessment

    async def review(
        self,
        assessment_id: str,
        decision: ReviewDecision | None,
        adjustments: Sequence[Claim],
        note: str,
        principal: Principal,
    ) -> SelfAssessment:
        """Police or the regulator in scope agree or adjust; NotFound outside the scope."""
        if not principal.any_role(*REVIEWERS):
            raise Forbidden("police and sector regulators review self-assessments")
        try:
            key = uuid.UUID(assessment_id)
        except ValueError:
            raise ValidationFailed([FieldViolation("id", "a UUID")]) from None
        async with self._store() as store:
            found = await store.get(key, Scope.for_principal(principal))
            if found is None:
                raise NotFound(f"no self-assessment {assessment_id}")
            reviewed = found.review(
                self._model, decision, adjustments, note, by=principal.subject, at=self._clock()
            )
            await store.save(reviewed)
        return reviewed
