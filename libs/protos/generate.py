"""Generate libs/protos/src/neibao from proto/ (messages, gRPC stubs, typed .pyi); --check fails if stale."""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parents[2]
PROTO_DIR = ROOT / "proto"
OUT_DIR = ROOT / "libs" / "protos" / "src" / "neibao"
HEADER = '"""Generated from proto/ by `make protos`: do not edit."""\n'


def generate(out_root: Path) -> None:
    """Run protoc over every .proto into out_root (which receives the `neibao` package)."""
    sources = sorted(str(p.relative_to(PROTO_DIR)) for p in PROTO_DIR.rglob("*.proto"))
    if not sources:
        raise SystemExit("no .proto files under proto/")
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    plugin_dir = Path(sys.executable).parent
    args = [
        "grpc_tools.protoc",
        f"--proto_path={PROTO_DIR}",
        f"--proto_path={well_known}",
        f"--plugin=protoc-gen-mypy={plugin_dir / 'protoc-gen-mypy'}",
        f"--plugin=protoc-gen-mypy_grpc={plugin_dir / 'protoc-gen-mypy_grpc'}",
        f"--python_out={out_root}",
        f"--grpc_python_out={out_root}",
        f"--mypy_out=quiet:{out_root}",
        f"--mypy_grpc_out=quiet:{out_root}",
        *sources,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    package = out_root / "neibao"
    for directory in [package, *(p for p in package.rglob("*") if p.is_dir())]:
        (directory / "__init__.py").write_text(HEADER)
    (package / "py.typed").write_text("")


def _differences(left: Path, right: Path) -> list[str]:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found = [f"only in generated: {n}" for n in comparison.left_only]
    found += [f"only in committed: {n}" for n in comparison.right_only]
    found += [f"differs: {n}" for n in comparison.diff_files]
    for name, sub in comparison.subdirs.items():
        found += [f"{name}/{line}" for line in _differences(Path(sub.left), Path(sub.right))]
    return found


def main() -> None:
    """Regenerate in place, or with --check compare a fresh generation with what is committed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed code is stale")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(fresh)
        if args.check:
            stale = _differences(fresh / "neibao", OUT_DIR) if OUT_DIR.exists() else ["nothing committed"]
            if stale:
                print("generated protobuf code is stale; run `make protos`:", *stale, sep="\n  ")
                raise SystemExit(1)
            print("generated protobuf code is fresh")
            return
        if OUT_DIR.exists():
            shutil.rmtree(OUT_DIR)
        shutil.copytree(fresh / "neibao", OUT_DIR)
        print(f"generated {sum(1 for _ in OUT_DIR.rglob('*.py'))} modules into {OUT_DIR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
