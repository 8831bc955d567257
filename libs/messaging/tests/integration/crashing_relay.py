"""A relay that dies by SIGKILL after Kafka acknowledged its second batch and before its commit.

Run by test_delivery.py as a real process: `python crashing_relay.py DB_URL BOOTSTRAP BATCH_SIZE`.
Exits 3 if the batch was not fully acknowledged (the test would then prove nothing).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from functools import partial

from sqlalchemy import create_engine

from neibao_messaging import OutboxMessage, OutboxRelay, idempotent_producer


class CrashingRelay(OutboxRelay):
    batches = 0

    def _publish_batch(self, rows: Sequence[OutboxMessage]) -> dict[int, BaseException]:
        failures = super()._publish_batch(rows)
        self.batches += 1
        if self.batches == 2:
            if failures:
                sys.exit(3)
            os.kill(os.getpid(), signal.SIGKILL)
        return failures


def main() -> None:
    db_url, bootstrap, batch_size = sys.argv[1:4]
    relay = CrashingRelay(
        create_engine(db_url), partial(idempotent_producer, bootstrap), batch_size=int(batch_size)
    )
    while relay.run_once():
        pass


if __name__ == "__main__":
    main()
