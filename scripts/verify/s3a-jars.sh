#!/usr/bin/env bash
# Prints the classpath (colon-separated) of the S3A jars the Spark image adds to /opt/spark/jars:
# hadoop-aws, the AWS SDK v2 bundle and analyticsaccelerator-s3, at the versions of spark/versions.env,
# fetched once from Maven Central into ${XDG_CACHE_HOME:-~/.cache}/zenml-spark-eks/maven and checked
# against the SHA-256 pinned there. Shared by the pipeline and history suites. Progress on stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../spark/versions.env
source "$root/spark/versions.env"
maven=${XDG_CACHE_HOME:-$HOME/.cache}/zenml-spark-eks/maven
mkdir -p "$maven"
jar() { # group-path artifact version sha256
  local file="$maven/$2-$3.jar"
  if [ ! -s "$file" ] || ! printf '%s  %s\n' "$4" "$file" | sha256sum --strict -c - >/dev/null 2>&1; then
    echo "s3a-jars: fetching $2-$3.jar from Maven Central" >&2
    curl --fail --silent --show-error --retry 2 --max-time 600 -o "$file.tmp" \
      "https://repo1.maven.org/maven2/$1/$2/$3/$2-$3.jar"
    if ! printf '%s  %s\n' "$4" "$file.tmp" | sha256sum --strict -c - >/dev/null; then
      rm -f "$file.tmp"
      echo "s3a-jars: $2-$3.jar does not have the SHA-256 pinned in spark/versions.env" >&2
      exit 1
    fi
    mv "$file.tmp" "$file"
  fi
  printf '%s' "$file"
}
jars=$(jar org/apache/hadoop hadoop-aws "$HADOOP_VERSION" "$HADOOP_AWS_SHA256")
jars+=:$(jar software/amazon/awssdk bundle "$AWS_SDK_V2_VERSION" "$AWS_SDK_V2_BUNDLE_SHA256")
jars+=:$(jar software/amazon/s3/analyticsaccelerator analyticsaccelerator-s3 "$ANALYTICS_ACCELERATOR_VERSION" "$ANALYTICS_ACCELERATOR_SHA256")
printf '%s\n' "$jars"
