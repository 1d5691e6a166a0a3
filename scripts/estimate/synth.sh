#!/usr/bin/env bash
# The main job (README quick start): installs node dependencies if needed, then synthesizes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bash "$root/scripts/lib/ensure-node.sh"
exec "$root/node_modules/.bin/tsx" "$root/scripts/estimate/synth.ts" "$@"
