"""Unit lists in USCC order at scale: (term, uscc) postings kept in step with the unit rows.

Lists are keyset pages in USCC order. At 10^6 units neither of PostgreSQL's plans served a filtered page:
the GIN indexes find the matches but not in USCC order (a page of a common name fragment or sector had
to fetch and sort every match, ~0.5 s), and an ordered scan that filters crosses long runs of
non-matching USCCs first (the 12... institutions precede the 91... companies; a city's units follow
every unit of the cities before it), ~0.7 s. A b-tree on (term, uscc) reads the units of a term already
in USCC order, a page at a time. Terms: each name bigram (what name search needs, two characters
included), `sector:<sector>` for each sector, `key_unit:<true|false>`, `city:<4-digit prefix>`. The
jurisdiction rides along (INCLUDE) so a jurisdiction scope filters inside the index.

Statement-level triggers with transition tables keep the postings in step with every write, bulk COPY
included, so the write path stays as it is. The GIN indexes stay (1-character queries; other plans).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The terms of one unit row (the repository builds the same strings for a query).
TERMS_FUNCTION = """
CREATE FUNCTION unit_search_terms(tokens text[], sectors text[], key_unit boolean, jurisdiction text)
RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT t FROM unnest(tokens) AS t WHERE char_length(t) = 2
    UNION ALL SELECT 'sector:' || s FROM unnest(sectors) AS s
    UNION ALL SELECT 'key_unit:' || key_unit::text
    UNION ALL SELECT 'city:' || left(jurisdiction, 4)
$$
"""
_TERMS_OF = (
    "SELECT t, {r}.uscc, {r}.jurisdiction FROM {source},"
    " unit_search_terms({r}.search_tokens, {r}.sectors, {r}.key_unit, {r}.jurisdiction) AS t"
)
_CHANGED = (
    "(o.uscc, o.jurisdiction, o.search_tokens, o.sectors, o.key_unit)"
    " IS DISTINCT FROM (n.uscc, n.jurisdiction, n.search_tokens, n.sectors, n.key_unit)"
)
_INSERT = "INSERT INTO unit_search_term (term, uscc, jurisdiction)"
_DELETE = "DELETE FROM unit_search_term AS p USING old_units AS o"
_PAIRS = "old_units AS o JOIN new_units AS n ON n.id = o.id"
# The trigger functions' bodies (constant SQL, joined from the parts above).
FUNCTIONS = {
    "unit_search_term_inserted": " ".join((_INSERT, _TERMS_OF.format(r="n", source="new_units AS n"), ";")),
    "unit_search_term_updated": " ".join(
        (
            *(_DELETE, "JOIN new_units AS n ON n.id = o.id WHERE p.uscc = o.uscc AND", _CHANGED, ";"),
            *(_INSERT, _TERMS_OF.format(r="n", source=_PAIRS), "WHERE", _CHANGED, ";"),
        )
    ),
    "unit_search_term_deleted": " ".join((_DELETE, "WHERE p.uscc = o.uscc;")),
    "unit_search_term_truncated": "TRUNCATE unit_search_term;",
}
TRIGGERS = {
    "unit_search_term_inserted": "AFTER INSERT ON unit REFERENCING NEW TABLE AS new_units FOR EACH STATEMENT",
    "unit_search_term_updated": (
        "AFTER UPDATE ON unit REFERENCING OLD TABLE AS old_units NEW TABLE AS new_units FOR EACH STATEMENT"
    ),
    "unit_search_term_deleted": "AFTER DELETE ON unit REFERENCING OLD TABLE AS old_units FOR EACH STATEMENT",
    "unit_search_term_truncated": "AFTER TRUNCATE ON unit FOR EACH STATEMENT",
}


def upgrade() -> None:
    op.execute(TERMS_FUNCTION)
    op.create_table(
        "unit_search_term",
        sa.Column("term", sa.Text(collation="C"), nullable=False),
        sa.Column("uscc", sa.String(18, collation="C"), nullable=False),
        sa.Column("jurisdiction", sa.String(6, collation="C"), nullable=False),
    )
    # Backfilled before the key exists: one b-tree build instead of millions of inserts.
    op.execute(" ".join((_INSERT, _TERMS_OF.format(r="u", source="unit AS u"))))
    op.execute(
        "ALTER TABLE unit_search_term ADD CONSTRAINT pk_unit_search_term"
        " PRIMARY KEY (term, uscc) INCLUDE (jurisdiction)"
    )
    for name, body in FUNCTIONS.items():
        plpgsql = f"BEGIN {body} RETURN NULL; END"
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ {plpgsql} $$")
        op.execute(f"CREATE TRIGGER {name} {TRIGGERS[name]} EXECUTE FUNCTION {name}()")
    # Terms are many and skewed: a long MCV list lets the planner size each posting list.
    op.execute("ALTER TABLE unit_search_term ALTER COLUMN term SET STATISTICS 1000")
    op.execute("ANALYZE unit_search_term")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON unit")
        op.execute(f"DROP FUNCTION {name}()")
    op.drop_table("unit_search_term")
    op.execute("DROP FUNCTION unit_search_terms(text[], text[], boolean, text)")
