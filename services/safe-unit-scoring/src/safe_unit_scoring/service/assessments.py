"""联合创建: the unit submits a self-assessment; police or the sector's regulator review it."""

from __future__ import annotations

import abc
import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from types import TracebackType

from neibao_codes import is_valid_uscc
from neibao_identity import Principal, Role, Scope
from safe_unit_scoring.domain.assessments import (
    AssessmentState,
    Claim,
    Reminder,
    ReviewDeadline,
    ReviewDecision,
    SelfAssessment,
    reviewed_points,
)
from safe_unit_scoring.domain.errors import FieldViolation, Forbidden, NotFound, ValidationFailed
from safe_unit_scoring.domain.events import (
    DomainEvent,
    GradeChanged,
    ReviewReminder,
    ScoreChanged,
    SelfAssessmentReviewed,
    SelfAssessmentSubmitted,
    UnitScope,
)
from safe_unit_scoring.domain.grading import GradeDecision, PeriodGrade, decide
from safe_unit_scoring.domain.indicators import Grade, IndicatorModel
from safe_unit_scoring.domain.periods import Period, china_day
from safe_unit_scoring.domain.scoring import Score, review_reason

SUBMITTERS = frozenset({Role.UNIT_SECURITY})
REVIEWERS = frozenset({Role.POLICE, Role.REGULATOR, Role.PROVINCE_ADMIN})
QUEUE_READERS = REVIEWERS | SUBMITTERS
DEFAULT_PAGE = 50
MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class AssessmentView:
    """A self-assessment with its unit's name and jurisdiction (as the queue and the answers show it)."""

    assessment: SelfAssessment
    unit_name: str
    jurisdiction: str


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Which self-assessments to list (besides the caller's scope)."""

    state: AssessmentState | None
    overdue_at: datetime | None
    uscc: str | None


@dataclass(frozen=True, slots=True)
class QueuePage:
    """A page of the review queue, oldest due first."""

    items: Sequence[AssessmentView]
    next_cursor: str


@dataclass(frozen=True, slots=True)
class StoredPeriod:
    """A period's stored score as the domain's, and the grade it was given."""

    score: Score
    grade: Grade


def encode_cursor(due_at: datetime, assessment_id: uuid.UUID) -> str:
    """The opaque keyset position after a queue row."""
    return base64.urlsafe_b64encode(json.dumps([due_at.isoformat(), str(assessment_id)]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The keyset position of a cursor; ValidationFailed if it is not one of ours."""
    try:
        due_at, key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(due_at), uuid.UUID(key)
    except (ValueError, TypeError, binascii.Error):
        raise ValidationFailed([FieldViolation("cursor", "not a cursor this service issued")]) from None


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
        """Store the reviewed (or reminded) assessment."""

    @abc.abstractmethod
    async def unit(self, uscc: str) -> UnitScope:
        """The unit's scope keys as known."""

    @abc.abstractmethod
    async def queue(
        self, criteria: QueueFilter, scope: Scope, limit: int, after: tuple[datetime, uuid.UUID] | None
    ) -> Sequence[AssessmentView]:
        """Assessments of units in scope matching the filter, oldest due first, after the keyset position."""

    @abc.abstractmethod
    async def awaiting_reminder(
        self, now: datetime, deadline: ReviewDeadline, limit: int
    ) -> Sequence[SelfAssessment]:
        """Up to `limit` assessments awaiting review with a reminder due, locked (other sweeps skip them)."""

    @abc.abstractmethod
    async def reviews(self, uscc: str, period: str) -> Sequence[SelfAssessment]:
        """The period's reviewed assessments, oldest review first."""

    @abc.abstractmethod
    async def stored_period(self, uscc: str, period: str) -> StoredPeriod | None:
        """The period's stored score, locked for update, if any."""

    @abc.abstractmethod
    async def history(self, uscc: str) -> Sequence[PeriodGrade]:
        """The unit's stored periods, oldest first."""

    @abc.abstractmethod
    async def save_score(
        self, unit: UnitScope, period: Period, result: Score, decision: GradeDecision, at: datetime
    ) -> None:
        """Replace the period's score."""

    @abc.abstractmethod
    async def add_grade_change(self, change: GradeChanged) -> None:
        """Record a grade change."""

    @abc.abstractmethod
    async def mark_pending(self, uscc: str, cause: str) -> None:
        """Mark the unit for rescoring by the consumer."""

    @abc.abstractmethod
    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Write events to the outbox of this transaction."""


class Assessments:
    """The self-assessment use cases."""

    def __init__(
        self,
        store: Callable[[], AssessmentStore],
        model: IndicatorModel,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        deadline: ReviewDeadline | None = None,
    ) -> None:
        self._store = store
        self._model = model
        self._clock = clock
        self._deadline = deadline or ReviewDeadline()

    async def submit(
        self, uscc: str, period: str, items: Sequence[Claim], note: str, principal: Principal
    ) -> AssessmentView:
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
                deadline=self._deadline,
            )
            await store.add(assessment)
            unit = await store.unit(uscc)
            await store.publish(
                [
                    SelfAssessmentSubmitted(
                        unit,
                        str(assessment.id),
                        assessment.period,
                        assessment.claimed_total,
                        assessment.review_due_at,
                        now,
                    )
                ]
            )
        return AssessmentView(assessment, unit.name, unit.jurisdiction)

    async def review(
        self,
        assessment_id: str,
        decision: ReviewDecision | None,
        adjustments: Sequence[Claim],
        note: str,
        principal: Principal,
    ) -> AssessmentView:
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
            now = self._clock()
            reviewed = found.review(self._model, decision, adjustments, note, by=principal.subject, at=now)
            await store.save(reviewed)
            unit = await store.unit(reviewed.uscc)
            events: list[DomainEvent] = [
                SelfAssessmentReviewed(
                    unit,
                    str(reviewed.id),
                    reviewed.period,
                    reviewed.state.value,
                    reviewed.claimed_total,
                    reviewed.reviewed_total or reviewed.claimed_total,
                    reviewed.reviewed_by,
                    now > reviewed.review_due_at,
                    now,
                )
            ]
            if reviewed.reviewed_points():
                events += await self._regrade(store, unit, reviewed, now)
            await store.publish(events)
        return AssessmentView(reviewed, unit.name, unit.jurisdiction)

    async def _regrade(
        self, store: AssessmentStore, unit: UnitScope, reviewed: SelfAssessment, now: datetime
    ) -> list[DomainEvent]:
        """The reviewed points stand in the period's score: its total, and its grade decided again."""
        period = Period.parse(reviewed.period)
        # The consumer rescores the current period next: it keeps the reviewed points (when they are its
        # own) and decides its grade again after this period's (the month before's, usually).
        await store.mark_pending(unit.uscc, f"self-assessment:{reviewed.id}")
        stored = await store.stored_period(unit.uscc, reviewed.period)
        if stored is None:
            return []  # not scored yet: its first scoring takes the reviewed points
        points = reviewed_points(await store.reviews(unit.uscc, reviewed.period))
        result = stored.score.reviewed(points)
        decision = decide(
            self._model.grading,
            period,
            result.total,
            [v.veto for v in result.vetoes],
            await store.history(unit.uscc),
        )
        decision = review_reason(decision, result.review_sources(points))
        await store.save_score(unit, period, result, decision, now)
        cause = (f"self-assessment:{reviewed.id}",)
        events: list[DomainEvent] = []
        if result.total != stored.score.total or decision.grade is not stored.grade:
            events.append(
                ScoreChanged(
                    unit,
                    str(period),
                    result.model_version,
                    result.total,
                    stored.score.total,
                    decision.grade,
                    cause,
                    now,
                )
            )
        if decision.grade is not stored.grade:
            change = GradeChanged(
                unit, str(period), stored.grade, decision.grade, decision.reason, result.total, cause, now
            )
            await store.add_grade_change(change)
            events.append(change)
        return events

    async def list_queue(
        self,
        state: AssessmentState | None,
        overdue: bool,
        uscc: str,
        principal: Principal,
        *,
        page_size: int = 0,
        cursor: str = "",
    ) -> QueuePage:
        """The review queue in the caller's scope, oldest due first."""
        if not principal.any_role(*QUEUE_READERS):
            raise Forbidden("police, regulators and the unit's security staff see self-assessments")
        violations = []
        if uscc and not is_valid_uscc(uscc):
            violations.append(FieldViolation("uscc", "not a valid unified social credit code"))
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
        criteria = QueueFilter(state, self._clock() if overdue else None, uscc or None)
        async with self._store() as store:
            rows = await store.queue(criteria, Scope.for_principal(principal), limit + 1, after)
        items = rows[:limit]
        last = items[-1].assessment if len(rows) > limit else None
        return QueuePage(items, encode_cursor(last.review_due_at, last.id) if last else "")

    async def remind_due(self, limit: int = 100) -> int:
        """Announce the reminders due now (each once, marked in the same transaction); how many."""
        now = self._clock()
        async with self._store() as store:
            found = await store.awaiting_reminder(now, self._deadline, limit)
            events: list[DomainEvent] = []
            for assessment in found:
                reminder = assessment.reminder(self._deadline, now)
                if reminder is None:
                    continue
                await store.save(assessment.reminded(reminder, now))
                events.append(
                    ReviewReminder(
                        await store.unit(assessment.uscc),
                        str(assessment.id),
                        assessment.period,
                        reminder is Reminder.OVERDUE,
                        assessment.submitted_at,
                        assessment.review_due_at,
                        now,
                    )
                )
            if events:
                await store.publish(events)
        return len(events)
