#!/usr/bin/env bash
# The main job (README quick start): Node 24 first on PATH (installed if the machine's is older) and
# node dependencies if needed, then synthesizes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ensure-node.sh
source "$root/scripts/lib/ensure-node.sh"
exec "$root/node_modules/.bin/tsx" "$root/scripts/estimate/synth.ts" "$@"
