"""The documented DDL is the DDL the MetaData creates. No I/O."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from neibao_messaging import metadata

README = Path(__file__).parents[2] / "README.md"


def normalise(sql: str) -> list[str]:
    """Statements with whitespace collapsed, so layout does not matter."""
    statements = (" ".join(part.split()) for part in sql.split(";"))
    return [s.replace("( ", "(").replace(" )", ")") for s in statements if s]


def test_the_readme_shows_the_ddl_of_the_metadata() -> None:
    dialect = postgresql.dialect()
    generated = []
    for table in metadata.sorted_tables:
        generated.append(str(CreateTable(table).compile(dialect=dialect)))
        generated += [
            str(CreateIndex(ix).compile(dialect=dialect))
            for ix in sorted(table.indexes, key=lambda i: i.name or "")
        ]
    [documented] = re.findall(r"```sql\n(.*?)```", README.read_text(), flags=re.DOTALL)

    assert normalise(documented) == normalise(";".join(generated))
