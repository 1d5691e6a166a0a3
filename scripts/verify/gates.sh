#!/usr/bin/env bash
# The independent gates (scripts/verify/gates.ts) on the output of the main synth command (cdk.out/, dist/).
# Installs what they need first, idempotently and in parallel, into the shared cache:
#   cfn-lint, checkov, kubernetes-validate (schema source)  - one venv each, pinned in requirements/
#   kubeconform, gitleaks                                   - `go install` of pinned module versions
# A second run installs nothing. `scripts/verify/gates.sh --install-only` stops after installing.
#
#   bash scripts/verify/gates.sh [--out cdk.out] [--dist dist] [--only gate,...] [--verbose]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
KUBECONFORM_MODULE=github.com/yannh/kubeconform/cmd/kubeconform
KUBECONFORM_VERSION=v0.8.0
GITLEAKS_MODULE=github.com/zricethezav/gitleaks/v8
GITLEAKS_VERSION=v8.30.1

cache=${XDG_CACHE_HOME:-$HOME/.cache}/zenml-spark-eks
logs="$root/.cache/gates-install"
mkdir -p "$cache/go-tools" "$logs"

# Builds a Go tool once into $cache/go-tools/<name>-<version>/ (a finished build is renamed into place).
go_tool() {
  local name=$1 module=$2 version=$3 dir="$cache/go-tools/$1-$3"
  if [ ! -x "$dir/$name" ]; then
    echo "gates: go install $module@$version" >&2
    rm -rf "$dir.tmp"
    GOBIN="$dir.tmp" GOFLAGS=-buildvcs=false GOTOOLCHAIN=local go install "$module@$version"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
}

# shellcheck source=../lib/ensure-node.sh
source scripts/lib/ensure-node.sh
started=$SECONDS
declare -A jobs=()
bash scripts/verify/venv.sh cfn-lint requirements/cfn-lint.txt >"$logs/cfn-lint.out" 2>"$logs/cfn-lint.log" & jobs[cfn-lint]=$!
bash scripts/verify/venv.sh checkov requirements/checkov.txt >"$logs/checkov.out" 2>"$logs/checkov.log" & jobs[checkov]=$!
bash scripts/verify/venv.sh kubernetes-schemas requirements/kubernetes-schemas.txt >"$logs/kubernetes-schemas.out" 2>"$logs/kubernetes-schemas.log" & jobs[kubernetes-schemas]=$!
go_tool kubeconform "$KUBECONFORM_MODULE" "$KUBECONFORM_VERSION" >"$logs/kubeconform.log" 2>&1 & jobs[kubeconform]=$!
go_tool gitleaks "$GITLEAKS_MODULE" "$GITLEAKS_VERSION" >"$logs/gitleaks.log" 2>&1 & jobs[gitleaks]=$!
failed=0
for name in "${!jobs[@]}"; do
  if ! wait "${jobs[$name]}"; then
    echo "gates: installing $name failed; last lines of $logs/$name.log:" >&2
    tail -n 20 "$logs/$name.log" >&2
    failed=1
  fi
done
[ "$failed" -eq 0 ] || exit 1
if [ $((SECONDS - started)) -gt 2 ]; then echo "gates: tools installed in $((SECONDS - started)) s" >&2; fi

schemas_venv=$(cat "$logs/kubernetes-schemas.out")
export GATES_CACHE="$cache"
export GATES_CFN_LINT="$(cat "$logs/cfn-lint.out")/bin/cfn-lint"
export GATES_CHECKOV="$(cat "$logs/checkov.out")/bin/checkov"
export GATES_KUBECONFORM="$cache/go-tools/kubeconform-$KUBECONFORM_VERSION/kubeconform"
export GATES_GITLEAKS="$cache/go-tools/gitleaks-$GITLEAKS_VERSION/gitleaks"
export GATES_K8S_SCHEMA_KEY=$(basename "$schemas_venv")
GATES_K8S_SCHEMA_WHEEL=$("$schemas_venv/bin/python" -c \
  'import kubernetes_validate, os; print(os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema"))')
export GATES_K8S_SCHEMA_WHEEL
export GATES_TOOL_VERSIONS="kubeconform $KUBECONFORM_VERSION, gitleaks $GITLEAKS_VERSION"
if [ "${1:-}" = "--install-only" ]; then
  echo "gates: tools ready ($GATES_TOOL_VERSIONS; venvs in $cache/venvs)"
  exit 0
fi
# The gates never talk to AWS: drop whatever credentials the caller's shell carries.
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
exec "$root/node_modules/.bin/tsx" "$root/scripts/verify/gates.ts" "$@"
