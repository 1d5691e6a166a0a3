#!/usr/bin/env bash
# (Re)installs this repo's package zenml_spark_eks (pipeline/) into a venv, without its dependencies
# (the venv's pins have them) and without network: seconds, so suites do it on every run and test
# the package as it is now, not as it was when the venv (keyed by its pins) was created. Built from a
# copy, so that no build/ or *.egg-info lands in the source tree.
#
#   scripts/verify/install-pipeline-package.sh VENV_DIR
set -euo pipefail
venv=${1:?usage: install-pipeline-package.sh VENV_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cp -r "$root/pipeline/pyproject.toml" "$root/pipeline/zenml_spark_eks" "$copy/"
find "$copy" -name __pycache__ -prune -exec rm -rf {} +
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
  --force-reinstall "$copy" >&2
