#!/usr/bin/env bash
# Builds a Spark step image (spark/Dockerfile) and pushes it to the stack's ECR repository, tagged
# by content: <prefix>-<12 hex of a SHA-256 over every file the image is built from>. The same
# sources always give the same tag, so a tag already in ECR is not pushed again. Two targets:
#   steps       (default) the step Jobs' image                   spark-<spark version>-<hash>
#   zenml-step  the spark-eks step operator's image: + ZenML     spark-<spark version>-zenml-<zenml version>-<hash>
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

usage() {
  cat <<'USAGE'
Usage: scripts/operate/build-spark-image.sh (--repository URI | --stack NAME) [--target T] [--region R] [--platform P] [--dry-run]
       scripts/operate/build-spark-image.sh --print-tag [--target T]

Builds spark/Dockerfile with every pin of spark/versions.env as --build-arg, tags it
<repository>:<content tag> and pushes it, then prints the image URI. Target steps (the default):
pass it, or its tag, to scripts/operate/run-pipeline.ts (--image URI, or --outputs FILE --image-tag
TAG). Target zenml-step: `npm run outputs` registers the spark-eks step operator with it.

  --repository URI   ECR repository URI, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml
  --stack NAME       read the repository from the deployed stack's EcrRepositoryUri output (aws CLI)
  --region R         AWS region for --stack and the ECR login (default: the aws CLI's)
  --target T         steps (default) or zenml-step
  --platform P       image platform (default linux/amd64: the t3a node group is x86_64)
  --print-tag        print the content tag and exit (no docker, no aws)
  --dry-run          print the commands instead of running them
  -h, --help         this help

Needs docker (with buildx) and the aws CLI with credentials for the account, except with
--print-tag or --dry-run.

Exit codes: 0 done, 1 a command failed, 2 bad flags or flag values, 3 docker or aws not found.
USAGE
}

# A bad flag or a flag without its value: one line and exit 2, as every CLI of the repository.
bad_usage() { echo "build-spark-image: $1 (see --help)" >&2; exit 2; }
value() { [ $# -ge 3 ] && [ -n "$3" ] && [[ "$3" != --* ]] || bad_usage "$1 needs $2"; }

repository='' stack='' region='' platform='linux/amd64' dry_run=0 print_tag=0 target=steps
while [ $# -gt 0 ]; do
  case "$1" in
    --repository) value "$1" 'a URI' "${2-}"; repository=$2; shift 2 ;;
    --stack) value "$1" 'a stack name' "${2-}"; stack=$2; shift 2 ;;
    --region) value "$1" 'a region' "${2-}"; region=$2; shift 2 ;;
    --platform) value "$1" 'a value such as linux/amd64' "${2-}"; platform=$2; shift 2 ;;
    --target) value "$1" 'steps or zenml-step' "${2-}"; target=$2; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    --print-tag) print_tag=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) bad_usage "unknown argument '$1'" ;;
  esac
done

case $target in
  steps | zenml-step) ;;
  *) bad_usage "--target '$target': use steps or zenml-step" ;;
esac

# shellcheck source=../spark/versions.env
source "$root/spark/versions.env"
build_args=()
while IFS='=' read -r key _; do
  build_args+=(--build-arg "$key=${!key}")
done < <(grep -E '^[A-Z0-9_]+=' "$root/spark/versions.env")

# The content tag: every file the build of the target reads (the .dockerignore allow-lists, the
# Dockerfile, the pins, the code), hashed by path and content, in a fixed order.
build_files() {
  cd "$root"
  printf 'spark/%s\n' Dockerfile .dockerignore versions.env image-requirements.txt run_step.py data/sample.csv
  find spark/zenml_spark_steps -name '*.py' -not -path '*/__pycache__/*'
  if [ "$target" = zenml-step ]; then
    printf '%s\n' spark/zenml-step-requirements.txt pipeline/.dockerignore
    find pipeline/zenml_spark_eks -type f -not -path '*/__pycache__/*'
  fi
}
content_tag() {
  # Paths relative to spark/ for the steps target, as before this script knew two targets: the
  # steps image keeps its tag when only the zenml-step target changes.
  build_files | sed 's|^spark/||' | LC_ALL=C sort | while IFS= read -r f; do
    if [ -f "$root/spark/$f" ]; then p="$root/spark/$f"; else p="$root/$f"; fi
    printf '%s %s\n' "$(sha256sum "$p" | cut -c1-64)" "$f"
  done | sha256sum | cut -c1-12
}
if [ "$target" = zenml-step ]; then
  zenml_version=$(sed -nE 's/^zenml==([^ ]+).*/\1/p' "$root/spark/zenml-step-requirements.txt")
  tag="spark-$SPARK_VERSION-zenml-$zenml_version-$(content_tag)"
else
  tag="spark-$SPARK_VERSION-$(content_tag)"
fi
if [ "$print_tag" -eq 1 ]; then
  echo "$tag"
  exit 0
fi

run() {
  if [ "$dry_run" -eq 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi
}
need() {
  [ "$dry_run" -eq 1 ] || command -v "$1" >/dev/null 2>&1 || { echo "build-spark-image: $1 not found on PATH ($2)" >&2; exit 3; }
}

region_args=()
[ -n "$region" ] && region_args=(--region "$region")
if [ -z "$repository" ] && [ -n "$stack" ]; then
  need aws 'to read the stack outputs'
  if [ "$dry_run" -eq 1 ]; then
    repository="<EcrRepositoryUri of $stack>"
    printf '+ aws cloudformation describe-stacks --stack-name %s --query ... EcrRepositoryUri\n' "$stack"
  else
    repository=$(aws cloudformation describe-stacks "${region_args[@]}" --stack-name "$stack" \
      --query "Stacks[0].Outputs[?OutputKey=='EcrRepositoryUri'].OutputValue" --output text)
  fi
fi
if [ -z "$repository" ] || [ "$repository" = None ]; then
  echo "build-spark-image: give --repository URI or --stack NAME (a stack with an EcrRepositoryUri output)" >&2
  exit 2
fi
case "${repository##*/}" in
  *:*|*@*) echo "build-spark-image: --repository=$repository: give the repository without a tag" >&2; exit 2 ;;
esac
registry=${repository%%/*}
image="$repository:$tag"

need docker 'to build and push the image'
need aws 'to log in to ECR'
if [ "$dry_run" -eq 0 ] && aws ecr describe-images "${region_args[@]}" --repository-name "${repository#*/}" \
    --image-ids "imageTag=$tag" >/dev/null 2>&1; then
  echo "build-spark-image: $image is already in ECR (same content), not rebuilt" >&2
  echo "$image"
  exit 0
fi
if [ "$dry_run" -eq 1 ]; then
  printf '+ aws ecr get-login-password %s | docker login --username AWS --password-stdin %s\n' "${region_args[*]}" "$registry"
else
  aws ecr get-login-password "${region_args[@]}" | docker login --username AWS --password-stdin "$registry"
fi
target_args=(--target "$target")
[ "$target" = zenml-step ] && target_args+=(--build-context "pipeline=$root/pipeline")
run docker buildx build --platform "$platform" "${target_args[@]}" "${build_args[@]}" --tag "$image" --push "$root/spark"
echo "$image"
