#!/usr/bin/env bash
# The ZenML suite: runs the generated commands against the real zenml CLI (requirements/zenml.txt,
# ZenML 0.98.0 with the s3, aws and kubernetes integrations and this repo's spark-eks flavor, whose
# package is reinstalled from pipeline/ on every run) with a local store in a temp
# dir, the AWS CLI (requirements/awscli.txt) and moto for the AWS side, then checks the registered
# stack with `zenml stack describe` / `zenml <component> describe`. First run installs three venvs
# (~3 minutes on 2 cores); later runs reuse them. Takes about 4-5 minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL
unset ZENML_STORE_URL ZENML_STORE_TYPE ZENML_CONFIG_PATH
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true ZENML_ANALYTICS_OPT_IN=false
for tool in moto zenml awscli; do bash scripts/verify/venv.sh "$tool" "requirements/$tool.txt" >/dev/null; done
bash scripts/verify/install-pipeline-package.sh "$(bash scripts/verify/venv.sh zenml requirements/zenml.txt)"
exec "$root/node_modules/.bin/jest" --testMatch '**/*.zenml.test.ts' --testPathIgnorePatterns '/node_modules/' \
  --runInBand --testTimeout 1200000 "$@"
