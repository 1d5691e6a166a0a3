#!/usr/bin/env bash
# The `history` suite: Spark event logs and the Spark History Server with real parts. The five step
# programs on local Spark (the pinned pyspark) write their event logs through S3A to S3 served by
# moto on 127.0.0.1, with the project's event-log settings (spark/zenml_spark_steps/event_log.py,
# from contract.json); then Spark's own HistoryServer, from the same pyspark's jars plus the image's
# S3A jars, reads the prefix with the project's history-server settings and must list every step's
# application and its jobs through /api/v1. Prints the event-log size per step and the server's
# start-up time.
#
# Reuses the caches of the other suites: the spark venv (test-spark.sh), the moto venv and the S3A
# jars (scripts/verify/s3a-jars.sh, as the pipeline suite). Everything it starts it stops; its files
# live in one temp dir, removed however the suite ends.
#
#   scripts/verify/test-history.sh [pytest args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
started=$SECONDS

# shellcheck source=../../spark/versions.env
source spark/versions.env
if ! command -v java >/dev/null 2>&1; then
  echo "test-history: java not found on PATH; pyspark $SPARK_VERSION needs Java 17 or 21" >&2
  exit 1
fi
venv=$(bash scripts/verify/venv.sh spark requirements/spark.txt "pyspark==$SPARK_VERSION")
moto_venv=$(bash scripts/verify/venv.sh moto requirements/moto.txt)
jars=$(bash scripts/verify/s3a-jars.sh)

work=$(mktemp -d "${TMPDIR:-/tmp}/zse-history-XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# No test may reach a real AWS account: moto's dummy keys only.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export SPARK_LOCAL_IP=127.0.0.1 HISTORY_TEST_WORK=$work MOTO_VENV=$moto_venv S3A_JARS=$jars
# Python's, pyspark's and the JVM's temp files go to the suite's dir.
export TMPDIR="$work/tmp" SPARK_LOCAL_DIRS="$work/spark-local"
mkdir -p "$TMPDIR" "$SPARK_LOCAL_DIRS"

set +e
"$venv/bin/python" -m pytest -q -s -p no:cacheprovider --basetemp "$work/pytest" \
  --rootdir scripts/verify/history scripts/verify/history "$@"
rc=$?
set -e
echo "test-history: pyspark $SPARK_VERSION, exit $rc, $((SECONDS - started))s in total (install included)"
exit $rc
