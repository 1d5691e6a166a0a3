#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (idempotently), then runs every
# suite and prints a summary table. `scripts/verify/test.sh unit lint` runs only the named suites.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export PATH="$root/node_modules/.bin:$PATH"
# No test may reach a real AWS account: drop any credentials the caller's shell carries.
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

# Fast suites first; the ones that need Python tools install them (cached) inside their own script.
ALL_SUITES=(install typecheck lint unit synth manifests gates spark kubernetes emulator zenml zenml-server rehearsal)
want=("$@")
[ ${#want[@]} -eq 0 ] && want=("${ALL_SUITES[@]}")
[[ " ${want[*]} " == *" install "* ]] || want=(install "${want[@]}")

declare -a rows=()
failed=0
log_dir="$root/.cache/test-logs"
mkdir -p "$log_dir"

run_suite() {
  local name=$1; shift
  [[ " ${want[*]} " == *" $name "* ]] || return 0
  echo
  echo "━━ $name: $*"
  local start=$SECONDS rc
  "$@" 2>&1 | tee "$log_dir/$name.log"
  rc=${PIPESTATUS[0]}
  local took=$((SECONDS - start))
  if [ "$rc" -eq 0 ]; then rows+=("$name|pass|${took}s"); else rows+=("$name|FAIL (exit $rc)|${took}s"); failed=1; fi
}

install_all() {
  bash scripts/lib/ensure-node.sh && bash scripts/verify/gates.sh --install-only
}

run_suite install install_all
run_suite typecheck tsc --noEmit -p tsconfig.json
run_suite lint biome ci .
run_suite unit jest --silent
run_suite synth bash scripts/estimate/synth.sh
run_suite manifests bash scripts/verify/test-manifests.sh
run_suite gates bash scripts/verify/gates.sh
run_suite spark bash scripts/verify/test-spark.sh
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
