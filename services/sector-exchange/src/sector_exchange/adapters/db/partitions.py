"""The monthly partitions of `record` and the deletion of expired rows (the retention job's SQL)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final

from sqlalchemy import Engine, text

from sector_exchange.domain.datasets import DATASETS
from sector_exchange.domain.retention import DEFAULT_PARTITION, PARTITION_PREFIX, Month
from sector_exchange.service.retention import PartitionStore

log = logging.getLogger(__name__)

DELETE_CHUNK: Final = 10_000
_PARTITIONS = text(
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
    " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'record'"
)
_IN_DEFAULT = text(
    f"SELECT count(*) FROM {DEFAULT_PARTITION} WHERE received_at >= :start AND received_at < :end"  # noqa: S608 - a constant
)
_DELETE_EXPIRED = text(
    "DELETE FROM record WHERE (id, received_at) IN (SELECT id, received_at FROM record"
    " WHERE sector = :sector AND dataset = :dataset AND received_at < :before LIMIT :chunk)"
)


def _create(month: Month) -> str:
    return (
        f"CREATE TABLE {month.name} PARTITION OF record"
        f" FOR VALUES FROM ('{month.start.isoformat()}') TO ('{month.end.isoformat()}')"
    )


class SqlPartitionStore(PartitionStore):
    """Partitions and expired rows in the exchange's database (each step its own transaction)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def months(self) -> list[Month]:
        """The monthly partitions there are."""
        with self._engine.connect() as connection:
            names = connection.execute(_PARTITIONS).scalars().all()
        return sorted(month for name in names if (month := Month.from_name(name)) is not None)

    def create_month(self, month: Month) -> None:
        """Make a month's partition, moving in any rows of it the default partition caught."""
        with self._engine.begin() as connection:
            caught = connection.execute(_IN_DEFAULT, {"start": month.start, "end": month.end}).scalar_one()
            if not caught:
                connection.execute(text(_create(month)))
                return
            # The default partition holds rows of this month: it cannot stay attached while the month's
            # partition is made, so detach it, make the month, move its rows over, attach it again.
            log.warning("moving %d rows of %s out of the default partition", caught, month.name)
            connection.execute(text(f"ALTER TABLE record DETACH PARTITION {DEFAULT_PARTITION}"))
            connection.execute(text(_create(month)))
            window = {"start": month.start, "end": month.end}
            connection.execute(
                text(
                    f"INSERT INTO record SELECT * FROM {DEFAULT_PARTITION}"  # noqa: S608 - constants
                    " WHERE received_at >= :start AND received_at < :end"
                ),
                window,
            )
            connection.execute(
                text(
                    f"DELETE FROM {DEFAULT_PARTITION} WHERE received_at >= :start AND received_at < :end"  # noqa: S608
                ),
                window,
            )
            connection.execute(text(f"ALTER TABLE record ATTACH PARTITION {DEFAULT_PARTITION} DEFAULT"))

    def drop_month(self, month: Month) -> int:
        """Drop a month's partition and its rows; how many rows it held."""
        if not month.name.startswith(PARTITION_PREFIX):
            raise ValueError(f"not a monthly partition: {month.name}")
        with self._engine.begin() as connection:
            rows = connection.execute(text(f"SELECT count(*) FROM {month.name}")).scalar_one()  # noqa: S608
            connection.execute(text(f"ALTER TABLE record DETACH PARTITION {month.name}"))
            connection.execute(text(f"DROP TABLE {month.name}"))
        return int(rows)

    def delete_expired(self, dataset: str, before: datetime) -> int:
        """Delete a dataset's rows received before `before`, in chunks; how many."""
        spec = DATASETS[dataset]
        deleted = 0
        while True:
            with self._engine.begin() as connection:
                count = connection.execute(
                    _DELETE_EXPIRED,
                    {"sector": spec.sector, "dataset": spec.name, "before": before, "chunk": DELETE_CHUNK},
                ).rowcount
            deleted += count
            if count < DELETE_CHUNK:
                return deleted
