#!/usr/bin/env bash
# The deployment checks (make chart-check): the chart and the operators' resources, validated offline.
#   1. tools (helm, kubeconform, kustomize; pinned) and schemas (Kubernetes + operators' CRDs)
#   2. infra/k8s's generated files are fresh (topics, databases, roles, realm import)
#   3. charts/neibao: `helm lint --strict` and `helm template | kubeconform -strict` with the defaults and
#      each ci/*.yaml; each ci-insecure/*.yaml must be REFUSED by values.schema.json
#      and each rendering's environments are accepted by the services' own Settings (chart_settings_check.py)
#   4. infra/k8s: every overlay (and the base) built by kustomize and validated by kubeconform -strict
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
start=$SECONDS
CHART=charts/neibao
# The workspace's Python (make sync): the services' Settings are imported to judge the chart's environments.
WORKSPACE_PYTHON=("${UV:-$ROOT/.run/tools/bin/uv}" run --frozen --no-sync python)
[[ -d "$ROOT/.venv" ]] || { echo "chart-check: no workspace environment: run make sync (or make bootstrap)" >&2; exit 1; }

"$ROOT/infra/deploy/tools.sh"
"$ROOT/infra/deploy/schemas.sh"

echo "chart-check: infra/k8s generated files ..."
pyyaml_python infra/k8s/generate.py --check

validate() {  # stdin: manifests; $1: what they are
  kubeconform -strict -summary -kubernetes-version "$K8S_VERSION" \
    -schema-location "$SCHEMAS_DIR/kubernetes/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$SCHEMAS_DIR/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    | sed "s|^Summary: |kubeconform: $1: |"
}

echo "chart-check: charts/neibao-lib: lint; $CHART: library dependency ..."
helm lint --strict --quiet charts/neibao-lib | { grep -v '^$' || true; }
helm dependency build "$CHART" >/dev/null

rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT
for values in "" "$CHART"/ci/*.yaml; do
  label="${values:-default values}"
  echo "chart-check: $CHART with $label: lint, template, validate ..."
  args=(--kube-version "$K8S_VERSION" ${values:+--values "$values"})
  helm lint --strict --quiet "${args[@]}" "$CHART" | { grep -v '^$' || true; }
  helm template neibao "$CHART" "${args[@]}" >"$rendered"
  validate "$label" <"$rendered"
  # The demo device platform is off unless a demo asks for it.
  "${WORKSPACE_PYTHON[@]}" infra/deploy/chart_settings_check.py --optional demo <"$rendered"
done

for values in "$CHART"/ci-insecure/*.yaml; do
  # Refused means refused by the schema (not by some other template error that could go away).
  if output="$(helm template neibao "$CHART" --kube-version "$K8S_VERSION" --values "$values" 2>&1)"; then
    echo "chart-check: FAIL: $values was accepted; values.schema.json must refuse it" >&2
    exit 1
  fi
  if ! grep -q "values don't meet the specifications of the schema" <<<"$output"; then
    echo "chart-check: FAIL: $values failed, but not by values.schema.json:" >&2
    echo "$output" >&2
    exit 1
  fi
  echo "chart-check: $values refused by values.schema.json: $(grep -m1 -- "- at '" <<<"$output" | sed 's/^ *//')"
done

for kustomization in infra/k8s/base infra/k8s/overlays/*; do
  echo "chart-check: $kustomization: kustomize build, validate ..."
  kustomize build "$kustomization" | validate "$kustomization"
done

echo "chart-check: passed in $((SECONDS - start))s"
