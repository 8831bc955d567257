"""The full recompute against real PostgreSQL: the same scores as the event-driven rescoring, past periods
re-scored under a new model version when asked (grade changes recorded and announced), worker processes,
and a score an event wrote during the run left standing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from safe_unit_scoring.adapters.db.recompute import recompute_period, unscored_units
from safe_unit_scoring.adapters.indicator_model import load_model
from safe_unit_scoring.domain.periods import Period

from .conftest import HEPING_SHOP, Harness, days_ago, today
from .events import HOLD_UP, REAL, alarm_resolved, compliance, device, drill, filing_accepted, register

J, S = "210102", "commerce"
ROBBED = "91210102MA0LN0RB3Q"
GRADE_CHANGED = "neibao.safe-unit-scoring.grade.changed.v1"


def _units(h: Harness) -> None:
    """A unit in good order, and one with a real robbery (a veto) this month."""
    ids = [
        register(h, HEPING_SHOP, "和平测试商场", J, S),
        filing_accepted(h, HEPING_SHOP, J, S, "filing-1"),
        drill(h, HEPING_SHOP, J, S, "drill-1", days_ago(30)),
        drill(h, HEPING_SHOP, J, S, "drill-2", days_ago(200)),
        device(h, HEPING_SHOP, J, S, "cam-1", online=True),
        compliance(h, HEPING_SHOP, J, S, compliant=True),
        register(h, ROBBED, "和平测试金店", J, S),
        alarm_resolved(h, ROBBED, J, S, str(uuid.uuid4()), HOLD_UP, REAL, today()),
    ]
    assert h.consume(len(ids)) == len(ids)


def _scores(h: Harness, period: Period) -> dict[str, tuple[object, ...]]:
    rows = h.rows(
        "SELECT uscc, total, band, grade, model_version, as_of FROM score WHERE period = %s ORDER BY uscc",
        str(period),
    )
    return {uscc: rest for uscc, *rest in rows}


def _announced(h: Harness) -> int:
    """GradeChanged events in the outbox."""
    return int(h.rows("SELECT count(*) FROM outbox WHERE headers->>'ce_type' = %s", GRADE_CHANGED)[0][0])


def _recompute(h: Harness, period: Period, workers: int = 0, version: str | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    model = load_model()
    if version:
        model = model.model_copy(update={"version": version})
    return recompute_period(
        h.engine,
        model,
        period,
        topic=h.settings.events_topic,
        today=today(),
        workers=workers,
        clock=kwargs.pop("clock", lambda: datetime.now(UTC)),  # type: ignore[arg-type]
    )


def test_the_running_month_recomputed_gives_the_rescorings_scores_and_changes_no_grade(
    harness: Harness,
) -> None:
    _units(harness)
    current = Period.of(today())
    before = _scores(harness, current)
    changes = harness.rows("SELECT count(*) FROM grade_change")[0][0]
    report = _recompute(harness, current)
    assert (report.units, report.written, report.grade_changes) == (2, 2, 0)
    after = _scores(harness, current)
    assert {u: s[:4] for u, s in after.items()} == {u: s[:4] for u, s in before.items()}
    assert after[ROBBED][2] == "rectification"
    assert harness.rows("SELECT count(*) FROM grade_change")[0][0] == changes


def test_history_is_rescored_under_a_new_model_only_when_asked_and_grades_follow(harness: Harness) -> None:
    _units(harness)
    current = Period.of(today())
    earlier = current.previous()
    assert _scores(harness, earlier) == {}
    announced = _announced(harness)
    report = _recompute(harness, earlier, workers=2, version="2026.1-review")
    assert (report.units, report.written) == (2, 2)
    scored = _scores(harness, earlier)
    last_day = datetime(current.year, current.month, 1).date() - timedelta(days=1)
    assert {s[3] for s in scored.values()} == {"2026.1-review"}
    assert {s[4] for s in scored.values()} == {last_day}
    # The robbery happened this month: last month's grade knows nothing of it.
    reasons = dict(harness.rows("SELECT uscc, grade_reason FROM score WHERE period = %s", str(earlier)))
    assert not reasons[ROBBED].startswith("veto")
    # Both units get a first grade for that month: recorded with the reason and announced.
    changes = harness.rows(
        "SELECT uscc, period, to_grade, reason, cause_event_ids FROM grade_change WHERE period = %s",
        str(earlier),
    )
    assert {c[0] for c in changes} == {HEPING_SHOP, ROBBED}
    assert all(c[3].startswith("first period") and c[4] == ["recompute"] for c in changes)
    assert _announced(harness) == announced + 2
    # The running month is untouched until asked; then its grade sees the re-scored month before.
    assert {s[3] for s in _scores(harness, current).values()} == {"2026.1"}
    report = _recompute(harness, current, version="2026.1-review")
    assert report.written == 2
    assert {s[3] for s in _scores(harness, current).values()} == {"2026.1-review"}


def test_a_score_an_event_wrote_during_the_run_stands(harness: Harness) -> None:
    _units(harness)
    current = Period.of(today())
    before = _scores(harness, current)
    # A run that began before the event-driven rescoring wrote the rows: it keeps its hands off them.
    report = _recompute(harness, current, version="older-run", clock=lambda: datetime(2000, 1, 1, tzinfo=UTC))
    assert (report.units, report.written) == (2, 0)
    assert _scores(harness, current) == before


def test_the_rollover_sees_units_without_the_months_score_until_it_runs(harness: Harness) -> None:
    _units(harness)
    earlier = Period.of(today()).previous()
    assert unscored_units(harness.engine, Period.of(today())) == 0
    assert unscored_units(harness.engine, earlier) == 2
    _recompute(harness, earlier)
    assert unscored_units(harness.engine, earlier) == 0
