#!/usr/bin/env bash
# Install the pinned deployment-check tools (helm, kubeconform, kustomize) from the Go module proxy into
# the git-ignored run folder. Idempotent: a binary already built from the pinned module version is kept.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
BIN="$TOOLS_BIN"
mkdir -p "$BIN"

# command | main package | module version
TOOLS=(
  "helm|helm.sh/helm/v3/cmd/helm|v3.19.0"
  "kubeconform|github.com/yannh/kubeconform/cmd/kubeconform|v0.7.0"
  "kustomize|sigs.k8s.io/kustomize/kustomize/v5|v5.7.1"
)

# Module mode whatever go.work/go.mod lies around; static binaries; the proxy the machine is set up with.
export GOFLAGS="-mod=mod ${GOFLAGS:-}" GOBIN="$BIN" CGO_ENABLED=0

for spec in "${TOOLS[@]}"; do
  IFS='|' read -r name pkg version <<<"$spec"
  # `go version -m` reads the module version the binary was built from: no tool-specific version flag.
  if [[ -x "$BIN/$name" ]] && go version -m "$BIN/$name" | grep -qE "^\s+mod\s+\S+\s+$version\s"; then
    echo "tools: $name $version present"
    continue
  fi
  echo "tools: installing $name $version from the Go module proxy (the first build takes minutes) ..."
  start=$SECONDS
  # helm and kubeconform report their version from a linker variable, not from the module version.
  case "$name" in
    helm) ldflags="-X helm.sh/helm/v3/internal/version.version=$version" ;;
    kubeconform) ldflags="-X main.version=$version" ;;
    *) ldflags="" ;;
  esac
  (cd "$BIN" && go install -ldflags "$ldflags" "$pkg@$version")
  echo "tools: $name $version installed in $((SECONDS - start))s"
done
