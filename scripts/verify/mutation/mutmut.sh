#!/usr/bin/env bash
# mutmut over spark/zenml_spark_steps (config: spark/setup.cfg), for scripts/verify/mutation.ts.
# Installs its venv (requirements/mutation.txt + pyspark from spark/versions.env, cached), runs
# mutmut with one child at a time (the machine is shared; each mutant's tests start a local JVM),
# and writes `mutmut results --all true` to .cache/mutation/spark/mutmut-results.txt.
#   scripts/verify/mutation/mutmut.sh [package]      default zenml_spark_steps
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
# shellcheck source=../../../spark/versions.env
source spark/versions.env
venv=$(bash scripts/verify/venv.sh mutation requirements/mutation.txt "pyspark==$SPARK_VERSION")
out="$root/.cache/mutation/spark"
mkdir -p "$out"
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
export AWS_EC2_METADATA_DISABLED=true SPARK_LOCAL_IP=127.0.0.1
work=$(mktemp -d "${TMPDIR:-/tmp}/zse-mutmut-XXXXXX")
trap 'rm -rf "$work"' EXIT
export SPARK_LOCAL_DIRS="$work"
cd spark
set +e
"$venv/bin/mutmut" run --max-children "${MUTMUT_CHILDREN:-1}"
rc=$?
"$venv/bin/mutmut" results --all true >"$out/mutmut-results.txt"
set -e
echo "mutmut: exit $rc; $(grep -c ': ' "$out/mutmut-results.txt") mutants listed in ${out#"$root"/}/mutmut-results.txt"
