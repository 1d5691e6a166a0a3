#!/usr/bin/env bash
# Deploy/destroy rehearsal of the real CDK CLI against a moto server on 127.0.0.1 (scripts/verify/rehearsal.ts).
# Installs node dependencies and the moto venv (requirements/moto.txt) if needed; needs no AWS account.
#
#   bash scripts/verify/rehearsal.sh [--region eu-west-1] [--time-limit 900] [--real-out cdk.out]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=../lib/ensure-node.sh
source scripts/lib/ensure-node.sh
bash scripts/verify/venv.sh moto requirements/moto.txt >/dev/null
# Only the emulator is ever talked to: drop whatever AWS credentials or profile the caller's shell carries.
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL
exec "$root/node_modules/.bin/tsx" "$root/scripts/verify/rehearsal.ts" "$@"
