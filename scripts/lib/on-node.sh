#!/usr/bin/env bash
# Runs one command on the project's Node.js: what every npm script and the CDK app start through.
#   bash scripts/lib/on-node.sh <command> [args...]
# It sources scripts/lib/ensure-node.sh (Node 24 first on PATH, installed once into the user's
# cache when the PATH's node is older; node_modules as package-lock.json says), then replaces
# itself with the command, so exit codes, signals and stdout pass through untouched. Without it
# `npm run cost` or `npx cdk deploy` would run on whatever `node` is first on PATH, a version the
# tests never ran.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=ensure-node.sh
source "$root/scripts/lib/ensure-node.sh" || {
  echo "node: no usable Node.js ${ZSE_NODE_MIN_MAJOR:-24} (scripts/lib/ensure-node.sh said why above)" >&2
  exit 1
}
[ $# -gt 0 ] || { echo "usage: bash scripts/lib/on-node.sh <command> [args...]" >&2; exit 2; }
exec "$@"
