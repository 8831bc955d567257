"""The gateway's OpenAPI document (built in-process, nothing started) as openapi.json; --check: is it fresh.

The console's typed API client (src/api/schema.d.ts) is generated from that snapshot by openapi-typescript,
so a gateway change that the console has not taken in shows up here.
`make console-api` runs it (then openapi-typescript); `make test-console` runs it with --check.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gateway.bootstrap import build_dependencies
from gateway.config import Settings
from gateway.entrypoints.http.app import create_app

SNAPSHOT = Path(__file__).resolve().parent.parent / "openapi.json"


def gateway_openapi() -> dict[str, Any]:
    """The gateway's OpenAPI document, from the app itself (placeholder addresses: nothing connects)."""
    settings = Settings.model_validate(
        {
            "keycloak_url": "http://127.0.0.1:8180",
            "kafka_bootstrap": "127.0.0.1:9092",
            "http_port": 0,
            "metrics_port": 0,
            "instance_id": "openapi-snapshot",
            "console_dir": "/nonexistent",
        }
    )
    document: dict[str, Any] = create_app(settings, build_dependencies(settings)).openapi()
    document.pop("servers", None)
    return document


def render(document: dict[str, Any]) -> str:
    """The snapshot's text: stable key order, readable diffs."""
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    """Write the snapshot, or with --check say whether the committed one is current."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="fail if openapi.json differs from the gateway's"
    )
    args = parser.parse_args()
    text = render(gateway_openapi())
    if args.check:
        if not SNAPSHOT.is_file() or SNAPSHOT.read_text(encoding="utf-8") != text:
            print(
                f"{SNAPSHOT} is stale: run `make console-api`, commit openapi.json and src/api/schema.d.ts",
                file=sys.stderr,
            )
            return 1
        print(f"{SNAPSHOT.name} matches the gateway")
        return 0
    SNAPSHOT.write_text(text, encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
