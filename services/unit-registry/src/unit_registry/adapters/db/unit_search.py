"""The unit list's SQL: one statement per shape of criteria and scope, compiled once, values bound per call.

Lists are keyset pages in USCC order (migrations 0004 and 0005: postings of (term, uscc) per city).

- A name fragment of two or more characters: the postings of its rarest term (a bigram, or a sector,
  key-unit or city term when rarer) are walked in USCC order, and each candidate is checked against its
  unit row (the fragment in one piece, scope, every filter) until the page is full. Only one term walks:
  a fragment's bigrams are strongly correlated (中国, 国石 and 石化 come together), so the planner, which
  assumes them independent, expected a handful of common units and joined and sorted every one of them
  (~90 ms for 中国石化); the rarest term's walk reaches a page after about a page of candidates.
- No fragment, but a sector, key-unit or city term: the planner intersects the selective terms'
  postings (independent attributes: its estimates hold) in USCC order.
- Otherwise the unit rows in USCC order (by USCC, or by (jurisdiction, uscc) for a county).

Each candidate's unit check is a LATERAL subquery with OFFSET 0, so it stays a per-candidate check: as a
join, the planner would merge the postings with an ordered scan of all units, which crosses long runs of
non-matching USCCs. The same clause as every unit read (`unit_scope`) applies the caller's scope there;
the postings' city partitions and jurisdiction range only narrow the walk.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Label,
    Select,
    Text,
    bindparam,
    false,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect
from sqlalchemy.orm import QueryableAttribute, aliased

from neibao_identity import Scope
from neibao_identity.principal import Role
from unit_registry.adapters.db.scope import unit_scope
from unit_registry.adapters.db.tables import DivisionRow, UnitRow, UnitSearchTermRow
from unit_registry.service.list_views import UnitSummary
from unit_registry.service.unit_of_work import UnitFilter

_DIALECT = psycopg_dialect.dialect()  # type: ignore[no-untyped-call]

# A term on more than this share of the units is dense: left to the unit check while a rarer one walks.
DENSE_TERM: Final = 0.4
_TERM_STATISTICS_SECONDS: Final = 300.0

# The common terms' shares of the units (ANALYZE's most common values of the postings, times postings per
# unit: a unit has a term at most once). Postings are partitioned: their count is the partitions' sum.
TERM_FREQUENCIES_SQL: Final = (
    "SELECT m.term, m.frequency * coalesce(r.postings_per_unit, 1) FROM pg_stats AS s,"
    " unnest(s.most_common_vals::text::text[], s.most_common_freqs) AS m(term, frequency),"
    " (SELECT CASE WHEN u.reltuples > 0 AND p.postings > 0 THEN p.postings / u.reltuples END"
    "  AS postings_per_unit FROM pg_class AS u,"
    "  (SELECT sum(greatest(c.reltuples, 0)) AS postings FROM pg_class AS c"
    "   WHERE c.relkind = 'r' AND (c.oid = 'unit_search_term'::regclass OR c.oid IN"
    "   (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'unit_search_term'::regclass))) AS p"
    "  WHERE u.oid = 'unit'::regclass) AS r"
    " WHERE s.schemaname = current_schema() AND s.tablename = 'unit_search_term' AND s.attname = 'term'"
)


@dataclass
class TermStatistics:
    """The common terms' shares of the units, as last read (shared by every reader of the process)."""

    read_at: float = -_TERM_STATISTICS_SECONDS
    frequencies: dict[str, float] = field(default_factory=dict)

    @property
    def stale(self) -> bool:
        """Whether they are due to be read again."""
        return time.monotonic() - self.read_at >= _TERM_STATISTICS_SECONDS

    def update(self, rows: Sequence[Sequence[Any]]) -> None:
        """Keep the rows of TERM_FREQUENCIES_SQL."""
        self.frequencies = {str(term): float(share) for term, share in rows}
        self.read_at = time.monotonic()


term_statistics = TermStatistics()

# The columns a list reads, in UnitSummary's order (its last, jurisdiction_name, is computed).
_SUMMARY_COLUMNS: Final = tuple(UnitRow.__table__.c[name] for name in UnitSummary._fields[:-1])


@dataclass(frozen=True, slots=True)
class _Shape:
    """What the statement's text depends on: scope, plan, and which filters are given (not their values)."""

    scope: Scope
    plan: str  # "uscc" | "term" | "terms" | "units"
    terms: int
    fragment: int  # 0: none; 1: one character (token containment); 2: a fragment (LIKE)
    prefix: int  # the length of the jurisdiction filter's prefix (0: none; 6: a county, as equality)
    filters: frozenset[str]
    flags: tuple[bool | None, ...]  # the boolean criteria in _FLAGS' order (None: not given)
    after: bool
    limit: int


def search_terms(criteria: UnitFilter, scope: Scope) -> list[str]:
    """The posting terms (migration 0004's unit_search_terms) every listed unit must have."""
    terms = list(criteria.tokens) if len(criteria.fragment) > 1 else []
    sectors = {criteria.sector.value} if criteria.sector is not None else set()
    if not scope.unrestricted and scope.roles == {Role.REGULATOR} and scope.sector:
        sectors.add(scope.sector)  # a regulator's scope: only units of its sector
    terms += sorted(f"sector:{sector}" for sector in sectors)
    if criteria.key_unit is not None:
        terms.append(f"key_unit:{str(criteria.key_unit).lower()}")
    prefixes = {criteria.jurisdiction_prefix, required_prefix(scope)}
    if not terms and not any(len(p) == 6 for p in prefixes):
        # A county's units come from the (jurisdiction, uscc) index; a city's from its postings (with
        # other terms, the postings' city partition and jurisdiction narrow them to the city instead).
        terms += sorted(f"city:{p}" for p in prefixes if len(p) == 4)
    return terms


def required_prefix(scope: Scope) -> str:
    """The jurisdiction prefix every grant of `scope` requires ("" when some grant does not)."""
    if scope.unrestricted or not scope.roles or not scope.roles <= {Role.POLICE, Role.REGULATOR}:
        return ""
    return scope.jurisdiction_prefix or ""


def selective_terms(terms: Sequence[str], frequencies: dict[str, float]) -> list[str]:
    """The terms worth intersecting: dense ones (on more than 40% of the units: 有限, 公司, key_unit:false)
    are left to the check on each unit row, unless nothing rarer is left.

    Intersecting a dense posting list reads it from its start, and dense terms are skewed in USCC order
    (no 12... institution is a 有限公司), so a page could cost a read of most of it.
    """
    selective = [term for term in terms if frequencies.get(term, 0.0) <= DENSE_TERM]
    return selective or [min(terms, key=lambda term: frequencies.get(term, 0.0))]


def rarest_term(terms: Sequence[str], frequencies: dict[str, float]) -> str:
    """The term on the fewest units, as far as the statistics tell (terms they do not list are rarer than
    any they list; among those, the fragment's first)."""
    return min(terms, key=lambda term: frequencies.get(term, 0.0))


_FILTERS: Final = ("uscc", "sector", "unit_type", "status", "police_station")
_EQUALITIES: Final = ("uscc", "unit_type", "status", "police_station")
_FLAGS: Final = ("key_unit", "filing_overdue", "drills_overdue", "hazards_overdue")


def _given_filters(criteria: UnitFilter) -> dict[str, Any]:
    """The criteria other than the fragment and the jurisdiction that are given, as bound values."""
    values: dict[str, Any] = {
        "uscc": criteria.uscc or None,
        "sector": [criteria.sector.value] if criteria.sector is not None else None,
        "unit_type": criteria.unit_type.value if criteria.unit_type is not None else None,
        "status": criteria.status.value if criteria.status is not None else None,
        "police_station": criteria.police_station or None,
    }
    return {name: value for name, value in values.items() if value is not None}


def _like_escaped(text: str) -> str:
    """`text` as a LIKE pattern matching itself (escape character "/")."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _upper_bound(prefix: str) -> str:
    """The least code after every code starting with the digits `prefix` (2101 -> 2102)."""
    return str(int(prefix) + 1).zfill(len(prefix))


def list_statement(
    criteria: UnitFilter, scope: Scope, limit: int, frequencies: dict[str, float]
) -> tuple[str, dict[str, Any]]:
    """The SQL and bound values of a page of units matching `criteria` inside `scope`; rows as UnitSummary."""
    values = _given_filters(criteria)
    fragment = 2 if len(criteria.fragment) > 1 else len(criteria.fragment)
    terms = search_terms(criteria, scope)
    if criteria.uscc:
        plan, drivers = "uscc", []
    elif fragment == 2:
        plan, drivers = "term", [rarest_term(terms, frequencies)]
    elif terms:
        plan, drivers = "terms", selective_terms(terms, frequencies)
    else:
        plan, drivers = "units", []
    values.update({f"term_{n}": term for n, term in enumerate(drivers)})
    if fragment == 2:
        values["fragment"] = _like_escaped(criteria.fragment)
    elif fragment == 1:
        values["tokens"] = list(criteria.tokens)
    prefix = criteria.jurisdiction_prefix
    if prefix:
        values["jurisdiction"] = prefix
        values["jurisdiction_end"] = _upper_bound(prefix)
    if criteria.after_uscc is not None:
        values["after"] = criteria.after_uscc
    required = required_prefix(scope)
    if required:
        values["scope_jurisdiction"] = required
        values["scope_jurisdiction_end"] = _upper_bound(required)
    shape = _Shape(
        scope=scope,
        plan=plan,
        terms=len(drivers),
        fragment=fragment,
        prefix=len(prefix),
        filters=frozenset(values) & frozenset(_FILTERS),
        flags=tuple(getattr(criteria, flag) for flag in _FLAGS),
        after=criteria.after_uscc is not None,
        limit=limit,
    )
    sql, defaults = _compiled(shape)
    return sql, {**defaults, **values}


@lru_cache(maxsize=4096)
def _compiled(shape: _Shape) -> tuple[str, dict[str, Any]]:
    """The statement of a shape, compiled once (scopes repeat: one per principal)."""
    compiled = _statement(shape).compile(dialect=_DIALECT)
    return compiled.string, dict(compiled.params)


def _statement(shape: _Shape) -> Select[Any]:
    checks = _unit_checks(shape)
    if shape.plan in ("uscc", "units"):
        query = select(*_SUMMARY_COLUMNS, _division_name(UnitRow.jurisdiction)).where(*checks)
        return query.order_by(UnitRow.uscc).limit(literal_column(str(shape.limit)))
    postings = [aliased(UnitSearchTermRow, name=f"term_{n}") for n in range(shape.terms)]
    first = postings[0]
    unit = select(*_SUMMARY_COLUMNS).where(UnitRow.uscc == first.uscc, *checks).offset(0).lateral("unit")
    query = select(*unit.c, _division_name(unit.c.jurisdiction)).select_from(first)
    ranges = [("jurisdiction", "jurisdiction_end")] if shape.prefix else []
    if required_prefix(shape.scope):
        ranges.append(("scope_jurisdiction", "scope_jurisdiction_end"))
    for n, posting in enumerate(postings):
        if posting is not first:
            query = query.join(posting, posting.uscc == first.uscc)
        query = query.where(posting.term == bindparam(f"term_{n}", type_=Text))
        for low, high in ranges:
            # A range on the partition key: the city's partition only, and the jurisdiction within it.
            query = query.where(
                posting.jurisdiction >= bindparam(low), posting.jurisdiction < bindparam(high)
            )
    if shape.after:
        query = query.where(first.uscc > bindparam("after"))
    query = query.join(unit, true())
    return query.order_by(first.uscc).limit(literal_column(str(shape.limit)))


def _division_name(jurisdiction: ColumnElement[str] | QueryableAttribute[str]) -> Label[str]:
    return (
        select(DivisionRow.name)
        .where(DivisionRow.code == jurisdiction, DivisionRow.valid_to.is_(None))
        .limit(1)
        .scalar_subquery()
        .label("jurisdiction_name")
    )


def _unit_checks(shape: _Shape) -> list[ColumnElement[bool]]:
    """Scope and every given criterion, as conditions on the unit row."""
    checks = [unit_scope(shape.scope)]
    given = shape.filters
    for name in _EQUALITIES:
        if name in given:
            checks.append(getattr(UnitRow, name) == bindparam(name))
    if shape.prefix == 6:
        # A county as equality, so the (jurisdiction, uscc) index serves USCC order.
        checks.append(UnitRow.jurisdiction == bindparam("jurisdiction"))
    elif shape.prefix:
        checks.append(UnitRow.jurisdiction.startswith(bindparam("jurisdiction"), escape="/"))
    if len(required_prefix(shape.scope)) == 6:
        checks.append(UnitRow.jurisdiction == bindparam("scope_jurisdiction"))  # implied; for the index
    if "sector" in given:
        checks.append(UnitRow.sectors.contains(bindparam("sector", type_=ARRAY(Text))))
    for flag, wanted in zip(_FLAGS, shape.flags, strict=True):
        if wanted is not None:
            # As literals: a partial index (WHERE key_unit, WHERE filing_overdue...) can serve them.
            checks.append(getattr(UnitRow, flag).is_(true() if wanted else false()))
    if shape.fragment == 1:
        checks.append(UnitRow.search_tokens.contains(bindparam("tokens", type_=ARRAY(Text))))
    elif shape.fragment == 2:
        # The fragment in one piece (its bigrams do not prove that, and only one of them walked).
        checks.append(UnitRow.search_text.contains(bindparam("fragment"), escape="/"))
    if shape.after:
        checks.append(UnitRow.uscc > bindparam("after"))
    return checks
