"""What hadolint does not know about our images: each service's Dockerfile is hardened and consistent.

For every service that declares [tool.neibao.service] in its pyproject (the same list the local stack
runs), services/<name>/Dockerfile must exist and:

- pin every base image to a full version (x.y.z) or a digest;
- end in a stage built on the slim Python image, not on the builder;
- run as a numeric, non-root USER, with a HEALTHCHECK that asks the right thing (the gRPC health service on
  <env_prefix>GRPC_PORT for a gRPC service, /healthz for the HTTP gateway);
- have no build tools in the final stage: no uv, no pip install (the base image's pip is uninstalled),
  no compiler packages, nothing copied from the builder but the virtual environment;
- start `python -m <package>` with CMD ["serve"];
- copy the service's migrations when it owns a database.

And the gRPC services' Dockerfiles must be the same file but for their names, so a fix reaches all.
`--self-test` first proves that the checks reject insecure variants.

Usage: python infra/compose/images_check.py [--self-test]
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FINAL_BASE = re.compile(r"^python:\d+\.\d+\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?$")
# name:tag with a full x.y.z version in the tag, or name[:tag]@sha256:digest.
PINNED = re.compile(r"^[\w./-]+(:[\w.-]*\d+\.\d+\.\d+[\w.-]*|(:[\w.-]+)?@sha256:[0-9a-f]{64})$")
BUILD_TOOLS = re.compile(
    r"\b(uv|pip3?\s+install|pip\s+download|gcc|g\+\+|cc|clang|make|build-essential|"
    r"python3?-dev|libpq-dev|npm|node|git)\b"
)
TEMPLATE = "unit-registry"  # the gRPC service whose Dockerfile the others must match


@dataclass
class Stage:
    """One FROM ... stage: its base, name and instructions (keyword, arguments)."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        """The arguments of every instruction with this keyword."""
        return [args for kw, args in self.instructions if kw == keyword]


@dataclass(frozen=True)
class Service:
    """What a service's pyproject declares about how it runs."""

    name: str
    package: str
    env_prefix: str
    database: bool
    http: bool


def instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction: comments dropped, continuation lines joined."""
    result: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        result.append((keyword.upper(), args.strip()))
        pending = ""
    return result


def stages(text: str) -> list[Stage]:
    """The Dockerfile's stages in order."""
    found: list[Stage] = []
    for keyword, args in instructions(text):
        if keyword == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            found.append(Stage(words[0], name))
        elif found:
            found[-1].instructions.append((keyword, args))
    return found


def problems(text: str, service: Service) -> list[str]:
    """Everything wrong with one Dockerfile (empty when it passes)."""
    found = stages(text)
    if not found:
        return ["no FROM instruction"]
    names = {s.name for s in found if s.name}
    errors = [
        f"base image {stage.base!r} is not pinned to a full version or a digest"
        for stage in found
        if stage.base not in names and not PINNED.match(stage.base)
    ]
    final = found[-1]
    if not FINAL_BASE.match(final.base):
        errors.append(f"the final stage must start from the slim Python image, not {final.base!r}")
    return errors + _user_and_health(final, service) + _no_build_tools(final) + _start(final, service)


def _user_and_health(final: Stage, service: Service) -> list[str]:
    errors = []
    users = final.all("USER")
    user = users[-1].split(":")[0] if users else ""
    if not user.isdigit() or int(user) == 0:
        errors.append(f"the final stage must run as a numeric non-root USER, not {user or 'root'!r}")
    health = " ".join(final.all("HEALTHCHECK"))
    if not health or health.upper().startswith("NONE"):
        errors.append("the final stage has no HEALTHCHECK")
    elif service.http and "/healthz" not in health:
        errors.append("the gateway's HEALTHCHECK must ask /healthz")
    elif not service.http and ("grpc_health" not in health or f"{service.env_prefix}GRPC_PORT" not in health):
        errors.append(f"the HEALTHCHECK must ask the gRPC health service on {service.env_prefix}GRPC_PORT")
    return errors


def _no_build_tools(final: Stage) -> list[str]:
    errors = [
        f"the final stage runs a build tool: RUN {args[:80]}"
        for args in final.all("RUN")
        if BUILD_TOOLS.search(args.replace("pip uninstall", ""))
    ]
    if not any("pip uninstall" in args for args in final.all("RUN")):
        errors.append("the final stage must uninstall the base image's pip")
    for args in final.all("COPY"):
        words = args.split()
        source = words[-2] if len(words) >= 2 else ""
        if "--from=" in args and "--from=console" not in args and source != "/app/.venv":
            errors.append(f"the final stage copies more than the venv from a build stage: COPY {args}")
        if re.search(r"\buv\b", args):
            errors.append(f"the final stage copies uv: COPY {args}")
    return errors


def _start(final: Stage, service: Service) -> list[str]:
    errors = []
    if final.all("ENTRYPOINT") != [json.dumps(["python", "-m", service.package])]:
        errors.append(f'ENTRYPOINT must be ["python", "-m", "{service.package}"]')
    if final.all("CMD") != ['["serve"]']:
        errors.append('CMD must be ["serve"]')
    if service.database and not any(f"services/{service.name}/migrations" in a for a in final.all("COPY")):
        errors.append("the final stage must carry the service's migrations")
    return errors


def normalised(text: str, service: Service) -> list[tuple[str, str]]:
    """The instructions with the service's names replaced by placeholders (comments dropped)."""
    words = {
        service.env_prefix: "<PREFIX>",
        service.name: "<name>",
        service.package: "<package>",
    }
    result = []
    for keyword, args in instructions(text):
        named = args
        for word, placeholder in words.items():
            named = named.replace(word, placeholder)
        result.append((keyword, named))
    return result


def services() -> list[Service]:
    """Every service that declares how it runs ([tool.neibao.service])."""
    found = []
    for pyproject in sorted((REPO / "services").glob("*/pyproject.toml")):
        table = tomllib.loads(pyproject.read_text()).get("tool", {}).get("neibao", {}).get("service")
        if table:
            found.append(
                Service(
                    name=pyproject.parent.name,
                    package=table["package"],
                    env_prefix=table["env_prefix"],
                    database=bool(table.get("database")),
                    http=bool(table.get("http_port")),
                )
            )
    return found


def check() -> list[str]:
    """Every problem of every service's Dockerfile, prefixed by its path."""
    errors: list[str] = []
    grpc = [s for s in services() if not s.http]
    template = next((s for s in grpc if s.name == TEMPLATE), None)
    reference = (
        normalised((REPO / "services" / TEMPLATE / "Dockerfile").read_text(), template) if template else None
    )
    for service in services():
        path = REPO / "services" / service.name / "Dockerfile"
        if not path.is_file():
            errors.append(f"{path.relative_to(REPO)}: missing")
            continue
        text = path.read_text()
        errors += [f"{path.relative_to(REPO)}: {problem}" for problem in problems(text, service)]
        if reference is not None and not service.http and normalised(text, service) != reference:
            errors.append(
                f"{path.relative_to(REPO)}: differs from services/{TEMPLATE}/Dockerfile by more than names"
            )
    return errors


def self_test() -> list[str]:
    """Insecure variants of a good Dockerfile, each of which the checks must reject."""
    service = next(s for s in services() if s.name == TEMPLATE)
    good = (REPO / "services" / TEMPLATE / "Dockerfile").read_text()
    variants: dict[str, Callable[[str], str]] = {
        "root user": lambda t: t.replace("USER 10001:10001", "USER root"),
        "no user": lambda t: t.replace("USER 10001:10001\n", ""),
        "no healthcheck": lambda t: re.sub(r"HEALTHCHECK [^\n]*\\\n[^\n]*\n", "", t),
        "unpinned base": lambda t: t.replace("python:3.11.14-slim-bookworm AS builder", "python:3.11-slim"),
        "latest base": lambda t: t.replace("python:3.11.14-slim-bookworm\n", "python:latest\n"),
        "compiler in final": lambda t: t.replace(
            "USER 10001", "RUN apt-get install -y --no-install-recommends gcc=12\nUSER 10001"
        ),
        "uv in final": lambda t: t.replace(
            "USER 10001", "COPY --from=builder /usr/local/bin/uv /usr/local/bin/uv\nUSER 10001"
        ),
        "pip kept": lambda t: t.replace(
            "python -m pip uninstall --yes --quiet pip setuptools wheel \\\n    && ", ""
        ),
        "final on builder": lambda t: t.replace("FROM python:3.11.14-slim-bookworm\n", "FROM builder\n"),
        "no migrations": lambda t: re.sub(r"COPY services/unit-registry/migrations[^\n]*\n", "", t),
    }
    if problems(good, service):
        return [f"the reference Dockerfile fails: {problems(good, service)}"]
    failures = []
    for what, change in variants.items():
        bad = change(good)
        if bad == good:
            failures.append(f"self-test variant {what!r} did not change the Dockerfile")
        elif not problems(bad, service):
            failures.append(f"self-test: a Dockerfile with {what} passed")
    return failures


def main(argv: list[str]) -> int:
    """Run the checks; the exit status."""
    errors = (self_test() if "--self-test" in argv else []) + check()
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        return 1
    print(f"images-check: {len(services())} Dockerfiles hardened and consistent")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
