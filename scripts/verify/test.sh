#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (idempotently), then runs every
# suite and prints a summary table. `scripts/verify/test.sh unit lint` runs only the named suites.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

# Fast suites first; the ones that need Python tools install them (cached) inside their own script.
ALL_SUITES=(install typecheck lint unit synth manifests gates spark pipeline history kubernetes emulator zenml zenml-server rehearsal)
usage() {
  cat <<USAGE
Usage: bash scripts/verify/test.sh [SUITE ...]   (npm test runs them all)

Installs what the suites need (idempotently), runs the named suites (default: all, in this order)
and prints a summary table; each suite's log goes to .cache/test-logs/<suite>.log.
Suites: ${ALL_SUITES[*]}
  -h, --help   this help

Exit codes: 0 every suite passed, 1 a suite failed, 2 bad flags or flag values (an unknown suite).
USAGE
}
# Arguments first, before anything is installed: a typo must not run (or skip) suites silently.
for arg in "$@"; do
  case $arg in
    -h | --help) usage; exit 0 ;;
  esac
done
for arg in "$@"; do
  if [[ $arg == -* ]]; then
    echo "test: unknown flag '$arg' (see --help)" >&2
    exit 2
  elif [[ " ${ALL_SUITES[*]} " != *" $arg "* ]]; then
    echo "test: unknown suite '$arg': use one or more of ${ALL_SUITES[*]} (or none for all)" >&2
    exit 2
  fi
done
export PATH="$root/node_modules/.bin:$PATH"
# No test may reach a real AWS account: drop any credentials the caller's shell carries.
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
# Node 24 first on PATH (installed, once, if the machine's is older) and node_modules in step with the
# lock file, before anything else: every later step (npm ci, tsx, jest, cdk) runs on it.
# shellcheck source=../lib/ensure-node.sh
source "$root/scripts/lib/ensure-node.sh" || { echo "test: no usable Node.js $ZSE_NODE_MIN_MAJOR" >&2; exit 1; }
echo "node: $(command -v node) $(node --version)"

want=("$@")
[ ${#want[@]} -eq 0 ] && want=("${ALL_SUITES[@]}")
[[ " ${want[*]} " == *" install "* ]] || want=(install "${want[@]}")

declare -a rows=()
failed=0
log_dir="$root/.cache/test-logs"
mkdir -p "$log_dir"

# Nothing a suite makes may outlive it. Each suite gets a temp dir of its own (TMPDIR: Node, Python,
# Go and mktemp honour it) that must be empty afterwards, except the caches tools keep there by
# design (CACHES_IN_TMP: tsx's transpile cache tsx-<uid>, lark's grammar cache that checkov's parser
# writes, Node's module compile cache in a child process a test starts with an environment of its
# own); a suite must not leave untracked files in the clone either. Entries of
# the project's own prefixes appearing directly in the shared temp dir are reported too (without
# failing: on a shared machine another clone's run may have made them).
tmp_root=${TMPDIR:-/tmp}
# Node 24's module compile cache (TypeScript and jest turn it on) goes with the other caches, not
# into each suite's temp dir: kept warm across suites and runs.
export NODE_COMPILE_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/zenml-spark-eks/node-compile-cache"
CACHES_IN_TMP=(-name 'tsx-*' -o -name '.lark_cache_*' -o -name 'node-compile-cache')
PROJECT_TMP_PREFIXES='^(zse-|zenml-spark|moto-|gates-|cdk\.out|cdk8s\.outdir\.|manifests-|render-|run-pipeline-|run-commands-|zenml-e2e-|spark-driver-kube-|schemas-|wheel-|pytest-of-)'
project_tmp_entries() { ls -1A "$tmp_root" 2>/dev/null | grep -E "$PROJECT_TMP_PREFIXES" | sort || true; }
untracked_files() { git -C "$root" status --porcelain --untracked-files=all 2>/dev/null | sed -n 's/^?? //p' | sort || true; }

run_suite() {
  local name=$1; shift
  [[ " ${want[*]} " == *" $name "* ]] || return 0
  echo
  echo "━━ $name: $*"
  local start=$SECONDS rc suite_tmp before_tmp before_repo
  suite_tmp=$(mktemp -d "$tmp_root/zenml-spark-eks-suite-$name.XXXXXX")
  before_tmp=$(project_tmp_entries)
  before_repo=$(untracked_files)
  TMPDIR="$suite_tmp" "$@" 2>&1 | tee "$log_dir/$name.log"
  rc=${PIPESTATUS[0]}
  local took=$((SECONDS - start)) left stray shared
  left=$(find "$suite_tmp" -mindepth 1 -maxdepth 1 ! \( "${CACHES_IN_TMP[@]}" \) -printf '%f\n' | sort)
  stray=$(comm -13 <(echo "$before_repo") <(untracked_files))
  shared=$(comm -13 <(echo "$before_tmp") <(project_tmp_entries))
  rm -rf "$suite_tmp"
  if [ -n "$left" ] || [ -n "$stray" ]; then
    echo "$name: left behind (a suite must remove what it creates, on success and on failure):" >&2
    [ -n "$left" ] && printf '  temp dir: %s\n' $left >&2
    [ -n "$stray" ] && printf '  clone: %s\n' $stray >&2
    [ "$rc" -eq 0 ] && rc=97
  fi
  if [ -n "$shared" ]; then
    echo "$name: new in $tmp_root with this project's prefixes (outside the suite's temp dir; maybe another clone's run):" >&2
    printf '  %s\n' $shared >&2
  fi
  if [ "$rc" -eq 0 ]; then rows+=("$name|pass|${took}s")
  elif [ "$rc" -eq 97 ]; then rows+=("$name|FAIL (left files)|${took}s"); failed=1
  else rows+=("$name|FAIL (exit $rc)|${took}s"); failed=1; fi
}

install_all() {
  source scripts/lib/ensure-node.sh && bash scripts/verify/gates.sh --install-only
}

run_suite install install_all
run_suite typecheck tsc --noEmit -p tsconfig.json
run_suite lint biome ci .
# The install suite has put every tool in place: a test that needs one fails instead of skipping.
run_suite unit env ZSE_REQUIRE_TOOLS=1 jest --silent
run_suite synth bash scripts/estimate/synth.sh
run_suite manifests bash scripts/verify/test-manifests.sh
run_suite gates bash scripts/verify/gates.sh
run_suite spark bash scripts/verify/test-spark.sh
run_suite pipeline bash scripts/verify/test-pipeline.sh
run_suite history bash scripts/verify/test-history.sh
run_suite kubernetes bash scripts/verify/test-kubernetes.sh
run_suite emulator bash scripts/verify/test-emulator.sh
run_suite zenml bash scripts/verify/test-zenml.sh
run_suite zenml-server bash scripts/verify/test-zenml-server.sh
run_suite rehearsal bash scripts/verify/rehearsal.sh

echo
printf '%-12s %-16s %s\n' suite result time
printf '%-12s %-16s %s\n' ------------ ---------------- ------
for r in "${rows[@]}"; do IFS='|' read -r n s t <<<"$r"; printf '%-12s %-16s %s\n' "$n" "$s" "$t"; done
echo "logs: $log_dir"
exit $failed
