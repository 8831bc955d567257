"""python -m gateway serve"""

from __future__ import annotations

import argparse

from gateway.bootstrap import serve
from gateway.config import Settings


def main(argv: list[str] | None = None) -> None:
    """Parse the command and run it."""
    parser = argparse.ArgumentParser(prog="python -m gateway", description="The Neibao gateway.")
    parser.add_argument("command", choices=["serve"], help="serve: run the HTTP server")
    parser.parse_args(argv)
    serve(Settings())  # type: ignore[call-arg]  # required fields come from the environment


if __name__ == "__main__":
    main()
