/** The kubeconform gate: dist/ against the Kubernetes JSON schemas of the cluster version, strict. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildStandaloneSchemas, parseKubeconform, schemaLocation } from '../parsers/kubeconform';
import { failed, type GateResult, rel, requireEnv, result, TOOL_TIMEOUT_MS } from '../result';
import { runTool, tail } from './tool';

export async function kubeconformGate(distDir: string, kubernetesVersion: string): Promise<GateResult> {
  const started = Date.now();
  const scope = `${rel(distDir)}/ against Kubernetes ${kubernetesVersion} schemas (strict)`;
  if (!fs.existsSync(distDir)) {
    return failed(
      'kubeconform',
      scope,
      started,
      `${rel(distDir)}/ not found: the main synth command (npm run synth) writes it`,
    );
  }
  // Keyed by the schema venv (its name carries the hash of the pins): new pins, new schemas.
  const schemaRoot = path.join(
    requireEnv('GATES_CACHE'),
    'kubeconform-schemas',
    requireEnv('GATES_K8S_SCHEMA_KEY'),
  );
  let location: string;
  try {
    buildStandaloneSchemas(requireEnv('GATES_K8S_SCHEMA_WHEEL'), kubernetesVersion, schemaRoot);
    location = schemaLocation(schemaRoot);
  } catch (e) {
    return failed('kubeconform', scope, started, (e as Error).message);
  }
  const args = [
    '-strict',
    '-summary',
    '-verbose',
    '-output',
    'json',
    '-kubernetes-version',
    kubernetesVersion.split('.').length === 2 ? `${kubernetesVersion}.0` : kubernetesVersion,
    '-schema-location',
    location,
    distDir,
  ];
  const run = await runTool(requireEnv('GATES_KUBECONFORM'), args, { timeoutMs: TOOL_TIMEOUT_MS });
  let parsed: ReturnType<typeof parseKubeconform>;
  try {
    parsed = parseKubeconform(run.stdout, distDir);
  } catch {
    return failed(
      'kubeconform',
      scope,
      started,
      `kubeconform failed (exit ${run.code ?? run.signal}):\n${tail(run.stderr || run.stdout)}`,
    );
  }
  const problems: string[] = [];
  if (parsed.valid + parsed.findings.length === 0)
    problems.push(`no Kubernetes manifests found in ${rel(distDir)}/`);
  // Strict means strict: no acknowledgement file for schema findings.
  return result(
    'kubeconform',
    `${scope}: ${parsed.valid + parsed.findings.length} objects`,
    started,
    { unacknowledged: parsed.findings, acknowledged: [], stale: [], invalid: [] },
    { problems },
  );
}
