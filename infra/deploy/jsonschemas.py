"""Prepare kubeconform's offline schema folder (called by schemas.sh).

crds OUT_DIR CRD.yaml...  convert CRDs to kubeconform's layout, <out>/<group>/<kind>_<version>.json: a
                          minimal re-implementation of kubeconform's openapi2jsonschema.py, strict like
                          `-strict` expects (an object listing its properties refuses others, unless the
                          CRD preserves unknown fields there)
localize DIR              make kubernetes-validate's schemas resolve from the folder they lie in: they
                          name a web base ($id) and refer to /api/_definitions.json under it, which
                          kubeconform would fetch
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml


def _strict(node: Any) -> Any:
    """Close every object schema that declares properties, recursively (as kubeconform's -strict needs)."""
    if isinstance(node, dict):
        node = {key: _strict(value) for key, value in node.items()}
        preserves_unknown = node.get("x-kubernetes-preserve-unknown-fields") is True
        if "properties" in node and "additionalProperties" not in node and not preserves_unknown:
            node["additionalProperties"] = False
        # int-or-string fields (ports, percentages) are typed as either in JSON schema.
        if node.get("x-kubernetes-int-or-string") is True:
            node.pop("type", None)
            node.pop("format", None)
            node["oneOf"] = [{"type": "string"}, {"type": "integer"}]
        return node
    if isinstance(node, list):
        return [_strict(item) for item in node]
    return node


def convert(crd: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write one schema per served version of the CRD; return the files written."""
    spec = crd["spec"]
    group, kind = spec["group"], spec["names"]["kind"]
    written = []
    for version in spec["versions"]:
        schema = dict(version["schema"]["openAPIV3Schema"])
        properties = dict(schema.get("properties", {}))
        # apiVersion, kind and metadata are checked by the API server for every object; pin the first two.
        properties["apiVersion"] = {"type": "string", "enum": [f"{group}/{version['name']}"]}
        properties["kind"] = {"type": "string", "enum": [kind]}
        properties["metadata"] = {"type": "object"}
        schema["properties"] = properties
        target = out_dir / group / f"{kind.lower()}_{version['name']}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(_strict(schema), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        written.append(target)
    return written


def localize(directory: Path) -> int:
    """Drop each schema's web $id and point its references at the sibling _definitions.json."""
    for path in directory.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        schema = json.loads(text.replace('"$ref": "/api/_definitions.json#', '"$ref": "_definitions.json#'))
        schema.pop("$id", None)
        path.write_text(json.dumps(schema), encoding="utf-8")
    print(f"schemas: {directory.name} made local")
    return 0


def main(argv: list[str]) -> int:
    """Run the subcommand."""
    if argv[0] == "localize":
        return localize(Path(argv[1]))
    if argv[0] != "crds":
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = Path(argv[1])
    count = 0
    for path in argv[2:]:
        for document in yaml.safe_load_all(Path(path).read_text(encoding="utf-8")):
            if document and document.get("kind") == "CustomResourceDefinition":
                count += len(convert(document, out_dir))
    print(f"schemas: {count} CRD version schema(s) written under {out_dir}")
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
