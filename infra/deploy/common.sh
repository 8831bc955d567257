# Shared by the deployment-check scripts (sourced, not run): locations, the pinned Kubernetes version,
# and a Python with PyYAML that needs no project sync.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS_BIN="${NEIBAO_TOOLS_BIN:-$ROOT/.run/tools/go-bin}"
SCHEMAS_DIR="${NEIBAO_SCHEMAS_DIR:-$ROOT/.run/tools/schemas}"
# The Kubernetes version manifests are validated against (kubeconform, helm's capabilities).
K8S_VERSION="1.34.0"
export PATH="$TOOLS_BIN:$PATH"

# The repository's pinned uv (make bootstrap), Python 3.11 from the machine, PyYAML pinned.
pyyaml_python() {
  local uv="${UV:-$ROOT/.run/tools/bin/uv}"
  [[ -x "$uv" ]] || uv=uv
  UV_PYTHON=3.11 UV_PYTHON_DOWNLOADS=never "$uv" run --quiet --no-project --with pyyaml==6.0.3 python "$@"
}
