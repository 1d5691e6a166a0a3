#!/usr/bin/env bash
# Schema-validates the Kubernetes manifests offline, in strict mode (unknown fields are errors),
# against the JSON schemas of the cluster's Kubernetes version (lib/settings/config.ts kubernetesVersion
# default), using kubernetes-validate, whose wheel ships the schemas (1.34-1.37 in 1.37.0).
#
# Validates: every YAML under dist/ (written by the main synth through k8s/manifests.ts), a fresh
# write with placeholders, a fresh write with concrete values, and the executor pod template
# embedded in the pipeline ConfigMap (as a Pod).
#   scripts/verify/test-manifests.sh [DIST]     (default dist, the main synth's)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export PATH="$root/node_modules/.bin:$PATH"
dist=${1:-dist}

# dist/ is validated only if a successful npm run synth of the current settings wrote it.
if [ -d "$dist" ]; then
  stale=$(tsx --eval "
try {
  const { staleReason } = require('./scripts/lib/synth-stamp.ts');
  const { loadSettings } = require('./scripts/lib/settings.ts');
  console.log(staleReason(process.argv[1], 'dist', loadSettings()) ?? '');
} catch (e) { console.log(e.message.split('\\n')[0]); }" "$dist")
  if [ -n "$stale" ]; then
    echo "test-manifests: refusing: $stale" >&2
    exit 1
  fi
fi

venv=$(bash scripts/verify/venv.sh kubernetes-validate requirements/kubernetes-validate.txt)
minor=$(tsx --eval "console.log(require('./lib/settings/config.ts').SETTINGS.kubernetesVersion.default)")
version="$minor.0"
schemas="$venv/lib/python$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')/site-packages/kubernetes_validate/kubernetes-json-schema"
if [ ! -d "$schemas/v$version-local-strict" ]; then
  echo "test-manifests: kubernetes-validate has no strict schemas for Kubernetes $version; it has:" >&2
  ls "$schemas" | grep -- '-local-strict$' >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Fresh writes: one with every deploy-time value unknown, one with concrete values.
tsx --eval "
const { writeManifests } = require('./k8s/manifests.ts');
writeManifests(process.argv[1]);
writeManifests(process.argv[2], {
  region: 'eu-west-1', accountId: '123456789012', bucketName: 'zenml-spark-artifacts-123456789012',
  imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml:spark-0123456789ab',
  sparkRoleArn: 'arn:aws:iam::123456789012:role/zenml-spark-spark', runId: 'schema-check',
});" "$work/placeholders" "$work/concrete"

files=()
if [ -d "$dist" ]; then
  while IFS= read -r f; do files+=("$f"); done < <(find "$dist" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "test-manifests: no YAML under dist/ (the main synth writes it: npm run synth); validating fresh writes only"
fi
files+=("$work"/placeholders/*.yaml "$work"/concrete/*.yaml)

# The executor pod template is YAML inside a ConfigMap value: pull it out and validate it as a Pod.
"$venv/bin/python" - "$work/pod-templates" "${files[@]}" <<'PY'
import os, sys, yaml
out, files = sys.argv[1], sys.argv[2:]
os.makedirs(out, exist_ok=True)
count = 0
for path in files:
    with open(path, encoding="utf-8") as f:
        for doc in yaml.safe_load_all(f):
            if not doc or doc.get("kind") != "ConfigMap":
                continue
            for key, value in (doc.get("data") or {}).items():
                template = yaml.safe_load(value) if key.endswith((".yaml", ".yml")) else None
                if isinstance(template, dict) and template.get("kind") == "Pod":
                    template.setdefault("metadata", {})["name"] = f"{doc['metadata']['name']}-{key.split('.')[0]}"
                    count += 1
                    with open(os.path.join(out, f"template-{count}.yaml"), "w", encoding="utf-8") as t:
                        yaml.safe_dump(template, t)
if count == 0:
    sys.exit("test-manifests: no executor pod template found in any ConfigMap")
PY
files+=("$work"/pod-templates/*.yaml)

set +e
"$venv/bin/kubernetes-validate" --strict -k "$version" "${files[@]}" > "$work/report" 2>&1
rc=$?
set -e
grep -v ' passed for resource ' "$work/report" || true
passed=$(grep -c ' passed for resource ' "$work/report" || true)
failed=$(grep -cE '^(ERROR|WARN)' "$work/report" || true)
echo "test-manifests: kubernetes-validate $("$venv/bin/kubernetes-validate" --version | awk '{print $NF}'), Kubernetes $version strict schemas, ${#files[@]} files"
echo "manifests: $passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
