#!/usr/bin/env bash
# The `kubernetes` suite: what this project sends to Kubernetes, met by a real API server (the
# deploy-time RBAC, the step Jobs, a real Spark driver, run-pipeline, and the ZenML spark-eks step
# operator submitting a step as a pipeline user).
# Builds (once per version, cached) and starts a throwaway control plane on 127.0.0.1 with
# scripts/verify/kube/control-plane.sh, runs every *.kube.test.ts against it, and stops it and
# deletes its state however the suite ends (success, failure, Ctrl-C).
#   scripts/verify/test-kubernetes.sh [jest args...]     e.g. -t 'Pod Security'
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
started=$SECONDS

# shellcheck source=../../spark/versions.env
source spark/versions.env
# The Spark driver test runs the project's pinned PySpark as a client-mode driver.
SPARK_VENV=$(bash scripts/verify/venv.sh spark requirements/spark.txt "pyspark==$SPARK_VERSION")
export SPARK_VENV
# The ZenML step submission test runs real ZenML with the spark-eks package (reinstalled: seconds),
# a real ZenML server (scripts/verify/zenml-server/local-server.sh) and moto.
PIPELINE_VENV=$(bash scripts/verify/venv.sh pipeline requirements/pipeline.txt "pyspark==$SPARK_VERSION")
bash scripts/verify/install-pipeline-package.sh "$PIPELINE_VENV"
bash scripts/verify/venv.sh zenml-server requirements/zenml-server.txt >/dev/null
export PIPELINE_VENV
# pause/resume meet moto (AWS) and this API server (Kubernetes) in one test: make its venv first.
bash scripts/verify/venv.sh moto requirements/moto.txt >/dev/null

state=$(mktemp -d "${TMPDIR:-/tmp}/zenml-spark-kube-XXXXXX")
cleanup() { bash scripts/verify/kube/control-plane.sh down "$state"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
env_file=$(bash scripts/verify/kube/control-plane.sh up "$state")
# shellcheck disable=SC1090
source "$env_file"

set +e
"$root/node_modules/.bin/jest" --testMatch '**/*.kube.test.ts' --testPathIgnorePatterns '/node_modules/' \
  --runInBand --testTimeout 600000 "$@"
rc=$?
set -e
echo "test-kubernetes: exit $rc, $((SECONDS - started))s in total (build and start included)"
exit $rc
