"""Starts one supervised program with its environment read from a private file, so that any value
(JSON, quotes, secrets) reaches it intact and no secret shows in a command line or in supervisord.conf.

Usage: python -m neibao_localstack.launch <env.json> -- <command> [args...]
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    """Load the environment file and replace this process with the command."""
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        raise SystemExit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as handle:
        os.environ.update(json.load(handle))
    command = sys.argv[3:]
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
