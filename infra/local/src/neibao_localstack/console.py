"""The console (services/console): its npm packages and its production build, redone only when stale.

The gateway serves services/console/dist at / (and tells it where to sign in, so one build fits any stack).
A build is stale when a source is newer than it; packages are reinstalled (`npm ci`) when package-lock.json
is newer than what npm last installed.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from neibao_localstack.config import StackConfig
from neibao_localstack.progress import fail, say, step

# What the build is made from (tests are sources too: `npm run build` type-checks them).
SOURCES = (
    "index.html",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "vite.config.ts",
    "src",
    "public",
)


def console_dir(cfg: StackConfig) -> Path:
    """Where the console's project lives."""
    return cfg.repo / "services" / "console"


def _files(root: Path, names: Iterable[str]) -> Iterable[Path]:
    for name in names:
        path = root / name
        if path.is_dir():
            yield from (file for file in path.rglob("*") if file.is_file())
        elif path.is_file():
            yield path


def newest_source(root: Path) -> float:
    """The latest modification time among the build's sources."""
    return max((file.stat().st_mtime for file in _files(root, SOURCES)), default=0.0)


def packages_stale(root: Path) -> bool:
    """Whether node_modules is missing or older than package-lock.json."""
    installed = root / "node_modules" / ".package-lock.json"  # npm's record of what it installed
    lock = root / "package-lock.json"
    return not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime


def build_stale(root: Path) -> bool:
    """Whether dist is missing or older than a source (vite writes dist/index.html on every build)."""
    built = root / "dist" / "index.html"
    return not built.is_file() or built.stat().st_mtime < newest_source(root)


def _npm(root: Path, *args: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        fail("npm is missing: `make system` installs Debian's nodejs and npm")
        return
    # npm's own output goes straight to the terminal: installs and builds take a while.
    result = subprocess.run([npm, *args], cwd=root, check=False)
    if result.returncode != 0:
        fail(f"`npm {' '.join(args)}` in {root} failed (exit {result.returncode}); see its output above")


MIN_NODE = (20, 19)  # Vite 8's floor


def check_node() -> None:
    """Stop with a clear message unless Node.js is recent enough to build the console."""
    node = shutil.which("node")
    if node is None:
        fail("node is missing: `make system` installs Debian's nodejs and npm")
        return
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    try:
        found = tuple(int(part) for part in version.lstrip("v").split(".")[:2])
    except ValueError:
        found = (0, 0)
    if found < MIN_NODE:
        wanted = ".".join(map(str, MIN_NODE))
        fail(f"the console needs Node.js >= {wanted}; this machine has {version or 'none'}")


def ensure_packages(cfg: StackConfig) -> None:
    """`npm ci` when the installed packages do not match the lock file."""
    root = console_dir(cfg)
    if not packages_stale(root):
        say("console: npm packages up to date")
        return
    with step("console: installing npm packages (npm ci)"):
        _npm(root, "ci", "--no-audit", "--no-fund", "--loglevel=error")


def build(cfg: StackConfig) -> None:
    """Install the console's packages and build it into services/console/dist, each only when stale."""
    root = console_dir(cfg)
    if not (root / "package.json").is_file():
        return
    check_node()
    ensure_packages(cfg)
    if not build_stale(root):
        say("console: build up to date (services/console/dist)")
        return
    with step("console: type-checking and building (tsc, vite build)"):
        _npm(root, "run", "build", "--silent")
