/**
 * Kubernetes schema validation of dist/ with kubeconform in strict mode (unknown fields and
 * duplicate keys are errors), offline, against the schemas of the cluster's Kubernetes version.
 *
 * kubeconform downloads schemas at run time unless given a local location. The schemas come from
 * the pinned kubernetes-validate wheel, whose per-version "local-strict" schemas point into one
 * shared _definitions.json by an absolute `$ref` ("/api/_definitions.json#/$defs/…") that only its
 * own resolver understands. buildStandaloneSchemas() rewrites each top-level kind into a
 * self-contained schema (the `$defs` it reaches, refs made local), in the file layout kubeconform's
 * -schema-location template expects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from './findings';

const DEFINITIONS_REF = /"\$ref":\s*"(?:\/api\/_definitions\.json)?#\/\$defs\/([^"]+)"/g;

/** Names of the `$defs` a JSON text refers to, directly. */
function refsIn(text: string): string[] {
  return [...text.matchAll(DEFINITIONS_REF)].map((m) => m[1]);
}

/** One standalone schema: the kind's schema plus the closure of definitions it refers to. */
export function standaloneSchema(kindSchemaText: string, definitions: Record<string, unknown>): object {
  const kind = JSON.parse(kindSchemaText.replaceAll('/api/_definitions.json#', '#'));
  const reached = new Set<string>();
  const stack = refsIn(kindSchemaText);
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (reached.has(name)) continue;
    if (!(name in definitions)) throw new Error(`schema refers to an unknown definition ${name}`);
    reached.add(name);
    stack.push(...refsIn(JSON.stringify(definitions[name])));
  }
  delete kind.$id; // the wheel's $id is a kubernetes.io URL; a local file must not claim it
  kind.$defs = Object.fromEntries([...reached].sort().map((n) => [n, definitions[n]]));
  return kind;
}

/**
 * Writes `<destRoot>/v<version>-standalone-strict/<kind>-<group>-<version>.json` for every
 * top-level kind (schemas with x-kubernetes-group-version-kind) of one Kubernetes version.
 * Idempotent: a finished directory carries a .complete marker and is reused.
 */
export function buildStandaloneSchemas(
  wheelSchemaRoot: string,
  kubernetesVersion: string,
  destRoot: string,
): string {
  const full = normalizeKubernetesVersion(kubernetesVersion);
  const dest = path.join(destRoot, `v${full}-standalone-strict`);
  if (fs.existsSync(path.join(dest, '.complete'))) return dest;
  const src = path.join(wheelSchemaRoot, `v${full}-local-strict`);
  if (!fs.existsSync(src)) {
    const have = fs.existsSync(wheelSchemaRoot)
      ? fs.readdirSync(wheelSchemaRoot).filter((d) => d.endsWith('-local-strict'))
      : [];
    throw new Error(
      `no schemas for Kubernetes ${full} in ${wheelSchemaRoot} (have: ${have.join(', ') || 'none'})`,
    );
  }
  const definitions = JSON.parse(fs.readFileSync(path.join(src, '_definitions.json'), 'utf8')).$defs;
  const tmp = `${dest}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (const file of fs.readdirSync(src)) {
    if (!file.endsWith('.json') || file.startsWith('_') || file === 'all.json') continue;
    const text = fs.readFileSync(path.join(src, file), 'utf8');
    if (!text.includes('x-kubernetes-group-version-kind')) continue;
    fs.writeFileSync(path.join(tmp, file), JSON.stringify(standaloneSchema(text, definitions)));
  }
  fs.writeFileSync(path.join(tmp, '.complete'), `${new Date().toISOString()}\n`);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(tmp, dest);
  return dest;
}

/** `1.36` -> `1.36.0` (kubeconform and the wheel name versions with a patch level). */
export function normalizeKubernetesVersion(v: string): string {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(v.trim());
  if (!m) throw new Error(`Kubernetes version '${v}': expected MAJOR.MINOR[.PATCH]`);
  return `${m[1]}.${m[2]}.${m[3] ?? '0'}`;
}

/** The -schema-location template for schemas built by buildStandaloneSchemas under destRoot. */
export function schemaLocation(destRoot: string): string {
  return `${destRoot}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
}

interface KubeconformResource {
  filename: string;
  kind: string;
  name: string;
  version: string;
  status: string;
  msg?: string;
}

export interface KubeconformResult {
  readonly findings: Finding[];
  readonly valid: number;
}

/** Parses `kubeconform -output json -verbose`: every resource with its status. */
export function parseKubeconform(json: string, distDir: string): KubeconformResult {
  const doc: { resources: KubeconformResource[] } = JSON.parse(json);
  const findings: Finding[] = [];
  let valid = 0;
  for (const r of doc.resources ?? []) {
    if (r.status === 'statusValid') {
      valid++;
      continue;
    }
    const rule =
      r.status === 'statusInvalid'
        ? 'schema-violation'
        : /could not find schema/.test(r.msg ?? '')
          ? 'missing-schema'
          : r.status === 'statusSkipped'
            ? 'skipped'
            : 'error';
    findings.push({
      rule,
      resource: `${r.kind || '?'}/${r.name || '?'}`,
      location: `${path.relative(distDir, r.filename) || r.filename} (${r.version || '?'})`,
      message: (r.msg ?? r.status).replace(/^problem validating schema\. Check JSON formatting: /, ''),
    });
  }
  return { findings, valid };
}
