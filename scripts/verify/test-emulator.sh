#!/usr/bin/env bash
# The emulator suite: the AWS-facing scripts (outputs, preflight, status, render-manifests) and the
# moto server helper, tested against a real moto server each test file starts on 127.0.0.1.
# Creates/reuses the moto venv (requirements/moto.txt) first, so its ~1 minute install is not
# counted against a test's timeout. No AWS account or credentials are used: the caller's are dropped.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true CDK_DISABLE_CLI_TELEMETRY=true
bash scripts/verify/venv.sh moto requirements/moto.txt >/dev/null
# jest.config.js leaves *.emulator.test.ts out of the unit run; select them and lift that exclusion.
exec "$root/node_modules/.bin/jest" --testMatch '**/*.emulator.test.ts' --testPathIgnorePatterns '/node_modules/' \
  --runInBand --testTimeout 180000 "$@"
