#!/usr/bin/env bash
# The `pipeline` suite: the ZenML side (pipeline/) with real parts. Real ZenML 0.98.0 runs
# pipeline/run.py, all five steps through the spark-eks step operator's local launcher (the same
# command and environment a step pod gets, as a subprocess), Spark local on the project's pyspark,
# artifacts on S3 served by moto on 127.0.0.1 through S3A; first with a local ZenML store, then with
# a real ZenML server (zenml[server] on a local MariaDB, scripts/verify/zenml-server/). Also: the
# sizing parity with k8s/spark-sizing.ts, the flavor's validation, the rendered submission against
# kubeconform (the gates' binary and schemas), the planted-canary check, the regression tests of
# ZenML's own spark integration, and the materializers.
#
# Installs what it needs, idempotently: the venv of requirements/pipeline.txt + pyspark from
# spark/versions.env, the moto venv, the S3A jars (Maven Central, checked against the SHA-256 in
# spark/versions.env, cached in ${XDG_CACHE_HOME:-~/.cache}/zenml-spark-eks/maven); the kubeconform
# test runs the gates' own gate, which installs kubeconform and its schemas (cached).
# Everything it starts (moto, the ZenML server, MariaDB, Spark) it stops; its files live in one
# temp dir, deleted however the suite ends.
#
#   scripts/verify/test-pipeline.sh [--store local|server|both] [pytest args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
started=$SECONDS
stores=both
if [ "${1:-}" = "--store" ]; then stores=${2:?--store needs local, server or both}; shift 2; fi
case $stores in local | server | both) ;; *) echo "test-pipeline: --store $stores: use local, server or both" >&2; exit 2 ;; esac

# shellcheck source=../../spark/versions.env
source spark/versions.env
if ! command -v java >/dev/null 2>&1; then
  echo "test-pipeline: java not found on PATH; pyspark $SPARK_VERSION needs Java 17 or 21" >&2
  exit 1
fi

step() { echo "test-pipeline: $* ($((SECONDS - started)) s)" >&2; }

step "venvs"
venv=$(bash scripts/verify/venv.sh pipeline requirements/pipeline.txt "pyspark==$SPARK_VERSION")
moto_venv=$(bash scripts/verify/venv.sh moto requirements/moto.txt)

work=$(mktemp -d "${TMPDIR:-/tmp}/zenml-spark-pipeline-XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# The package under test, fresh on every run (seconds): a venv keyed by the pins would otherwise keep
# an old copy.
step "installing pipeline/ (zenml-spark-eks) into the venv"
bash scripts/verify/install-pipeline-package.sh "$venv"

# S3A for local Spark: the jars the image adds to /opt/spark/jars, same versions, same SHA-256.
maven=${XDG_CACHE_HOME:-$HOME/.cache}/zenml-spark-eks/maven
mkdir -p "$maven"
jar() { # group-path artifact version sha256
  local file="$maven/$2-$3.jar"
  if [ ! -s "$file" ] || ! printf '%s  %s\n' "$4" "$file" | sha256sum --strict -c - >/dev/null 2>&1; then
    step "fetching $2-$3.jar from Maven Central"
    curl --fail --silent --show-error --retry 2 --max-time 600 -o "$file.tmp" \
      "https://repo1.maven.org/maven2/$1/$2/$3/$2-$3.jar"
    if ! printf '%s  %s\n' "$4" "$file.tmp" | sha256sum --strict -c - >/dev/null; then
      rm -f "$file.tmp"
      echo "test-pipeline: $2-$3.jar does not have the SHA-256 pinned in spark/versions.env" >&2
      exit 1
    fi
    mv "$file.tmp" "$file"
  fi
  printf '%s' "$file"
}
jars=$(jar org/apache/hadoop hadoop-aws "$HADOOP_VERSION" "$HADOOP_AWS_SHA256")
jars+=:$(jar software/amazon/awssdk bundle "$AWS_SDK_V2_VERSION" "$AWS_SDK_V2_BUNDLE_SHA256")
jars+=:$(jar software/amazon/s3/analyticsaccelerator analyticsaccelerator-s3 "$ANALYTICS_ACCELERATOR_VERSION" "$ANALYTICS_ACCELERATOR_SHA256")


# No test may reach a real AWS account or a user's ZenML: dummy moto keys, a throwaway ZenML config.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL ZENML_STORE_URL ZENML_STORE_API_KEY \
  ZENML_STORE_API_TOKEN ZENML_STORE_USERNAME ZENML_STORE_PASSWORD ZENML_STORE_TYPE ZENML_REPOSITORY_PATH
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export SPARK_LOCAL_IP=127.0.0.1 ZENML_ANALYTICS_OPT_IN=false ZENML_LOGGING_COLORS_DISABLED=true NO_COLOR=1
export SPARK_EKS_LOCAL_JARS=$jars PYTHONPATH="$root/spark"
export PIPELINE_TEST_WORK=$work MOTO_VENV=$moto_venv PIPELINE_VENV=$venv
export KUBECONFORM_GATE="bash $root/scripts/verify/gates.sh"
# Python's, pyspark's and the JVM's temp files (Spark's local dirs included) go to the suite's dir.
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"

server_state="$work/zenml-server"
cleanup() {
  bash scripts/verify/zenml-server/local-server.sh down "$server_state"
  rm -rf "$work"
}

rc=0
for store in local server; do
  [ "$stores" = both ] || [ "$stores" = "$store" ] || continue
  step "pytest, ZenML store: $store"
  export ZENML_CONFIG_PATH="$work/zenml-$store" PIPELINE_TEST_STORE=$store
  set +e
  (
    set -e
    if [ "$store" = server ]; then
      # A real ZenML server (zenml[server] on MariaDB), as the client's store: steps get a workload token.
      # shellcheck disable=SC1090
      source "$(bash scripts/verify/zenml-server/local-server.sh up "$server_state")"
    fi
    cd pipeline
    "$venv/bin/python" -m pytest -q -p no:cacheprovider --durations=6 --basetemp "$work/pytest-$store" "$@"
  )
  code=$?
  set -e
  if [ -f "$work/timings-$store.json" ]; then echo "test-pipeline: measured ($store store): $(cat "$work/timings-$store.json")"; fi
  # pytest exits 5 when a -k filter selects nothing in one of the two runs: not a failure.
  [ "$code" -eq 0 ] || [ "$code" -eq 5 ] || rc=$code
done
echo "test-pipeline: pyspark $SPARK_VERSION, zenml $("$venv/bin/python" -c 'import zenml; print(zenml.__version__)'), exit $rc, $((SECONDS - started))s in total (install included)"
exit $rc
