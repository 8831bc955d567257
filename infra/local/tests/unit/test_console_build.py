"""The local stack reinstalls the console's packages and rebuilds it only when stale (no npm runs here)."""

from __future__ import annotations

import os
from pathlib import Path

from neibao_localstack import console


def make_project(root: Path) -> Path:
    for name, text in {
        "package.json": "{}",
        "package-lock.json": "{}",
        "index.html": "<div id=root></div>",
        "src/main.tsx": "export {};",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def age(path: Path, seconds: float) -> None:
    stat = path.stat()
    os.utime(path, (stat.st_atime - seconds, stat.st_mtime - seconds))


def test_a_missing_or_older_build_is_stale_and_a_fresh_one_is_not(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    assert console.build_stale(root)
    for source in root.rglob("*"):
        if source.is_file():
            age(source, 60)
    (root / "dist").mkdir()
    (root / "dist" / "index.html").write_text("built")
    assert not console.build_stale(root)
    (root / "src" / "main.tsx").write_text("export const changed = 1;")
    assert console.build_stale(root)


def test_packages_are_reinstalled_when_the_lock_is_newer_than_the_install(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    assert console.packages_stale(root)
    installed = root / "node_modules" / ".package-lock.json"
    installed.parent.mkdir()
    installed.write_text("{}")
    age(root / "package-lock.json", 60)
    assert not console.packages_stale(root)
    age(installed, 120)
    assert console.packages_stale(root)
