#!/usr/bin/env bash
# The Spark suite: the five step programs on local Spark, the dataset generator, and the image
# checks that need no Docker engine. Installs what it needs (idempotently), then runs pytest.
#   scripts/verify/test-spark.sh [pytest args...]     e.g. scripts/verify/test-spark.sh -k splitter
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
started=$SECONDS

# shellcheck source=../spark/versions.env
source spark/versions.env
: "${SPARK_VERSION:?spark/versions.env must set SPARK_VERSION}" "${HADOOP_VERSION:?}"

if ! command -v java >/dev/null 2>&1; then
  echo "test-spark: java not found on PATH; pyspark $SPARK_VERSION needs Java 17 or 21" >&2
  exit 1
fi

# Install: the test venv (pyspark pinned from versions.env), and hadoop-project's pom, whose
# aws-java-sdk-v2.version property the image check compares with versions.env. Fetched here, not
# in a test, and cached; the SHA-1 Maven Central publishes guards against a truncated download.
venv=$(bash scripts/verify/venv.sh spark requirements/spark.txt "pyspark==$SPARK_VERSION")
cache=${XDG_CACHE_HOME:-$HOME/.cache}/zenml-spark-eks/maven
pom="$cache/hadoop-project-$HADOOP_VERSION.pom"
if [ ! -s "$pom" ]; then
  mkdir -p "$cache"
  url="https://repo1.maven.org/maven2/org/apache/hadoop/hadoop-project/$HADOOP_VERSION/hadoop-project-$HADOOP_VERSION.pom"
  echo "test-spark: fetching $url" >&2
  curl --fail --silent --show-error --retry 2 --max-time 60 -o "$pom.tmp" "$url"
  want=$(curl --fail --silent --show-error --retry 2 --max-time 60 "$url.sha1" | cut -c1-40)
  got=$(sha1sum "$pom.tmp" | cut -c1-40)
  if [ "$want" != "$got" ]; then
    rm -f "$pom.tmp"
    echo "test-spark: SHA-1 of $url is $got, Maven Central says $want" >&2
    exit 1
  fi
  mv "$pom.tmp" "$pom"
fi

# The tests never talk to AWS: no credentials, no instance metadata.
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
export AWS_EC2_METADATA_DISABLED=true SPARK_LOCAL_IP=127.0.0.1 HADOOP_PROJECT_POM="$pom"

# pytest's tmp_path directories go under a directory of this run, removed however it ends (left
# to itself pytest keeps the last three runs' in the temp dir), and so do Spark's local directories
# (SPARK_LOCAL_DIRS; the JVM's java.io.tmpdir ignores TMPDIR).
work=$(mktemp -d "${TMPDIR:-/tmp}/zse-spark-XXXXXX")
trap 'rm -rf "$work"' EXIT
export SPARK_LOCAL_DIRS="$work"
cd spark
set +e
"$venv/bin/python" -m pytest -q -p no:cacheprovider --basetemp "$work/pytest" "$@"
rc=$?
set -e
echo "test-spark: pyspark $SPARK_VERSION, exit $rc, $((SECONDS - started))s in total (install included)"
exit $rc
