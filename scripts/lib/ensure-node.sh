#!/usr/bin/env bash
# Runs `npm ci` when node_modules is missing or older than package-lock.json; otherwise nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
stamp=node_modules/.zenml-spark-lock-hash
want=$(sha256sum package-lock.json | cut -c1-64)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "node: npm ci (package-lock.json changed or node_modules missing)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi
