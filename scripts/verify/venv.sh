#!/usr/bin/env bash
# Creates (once) a Python virtualenv for one tool, keyed by the hash of its pins, and links it to
# .venvs/<name>. Each tool gets its own venv so their dependency pins never fight. The venvs live
# under ${XDG_CACHE_HOME:-~/.cache}/zenml-spark-eks, so a second run (or a second clone) reuses them.
#
#   scripts/verify/venv.sh <name> <requirements-file> [extra pip requirement ...]
# Prints the venv's directory on stdout; progress goes to stderr.
set -euo pipefail
name=$1 req=$2; shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/zenml-spark-eks
python=${PYTHON:-python3}
pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
hash=$({ cat "$root/$req"; printf '%s\n' "$@" "$pyver"; } | sha256sum | cut -c1-16)
dir="$cache/venvs/$name-$hash"
if [ ! -f "$dir/.complete" ]; then
  echo "venv $name: installing $req $* (python $pyver) into $dir" >&2
  rm -rf "$dir"
  mkdir -p "$cache/venvs"
  "$python" -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  # From the repository root: a requirements file may name a package of this repo (./pipeline).
  (cd "$root" && "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/$req" "$@") >&2
  touch "$dir/.complete"
fi
mkdir -p "$root/.venvs"
ln -sfn "$dir" "$root/.venvs/$name"
echo "$dir"
