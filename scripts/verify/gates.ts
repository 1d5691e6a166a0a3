/**
 * Independent gates over the output of the main synth command (cdk.out/ and dist/): cfn-lint,
 * checkov (CloudFormation and Kubernetes), the synth-time policy checks (cfn-guard, cdk-nag,
 * CloudFormation validation), kubeconform in strict mode and a gitleaks secret scan. Prints one
 * table (gate, result, findings, acknowledged, time) and exits non-zero on any unacknowledged
 * finding, stale or invalid acknowledgement, or a gate that could not run.
 *
 * Run through scripts/verify/gates.sh, which installs the tools (idempotently) and tells this script
 * where they are. Acknowledgements: gates/*.yaml, one rule and named resources per entry, with a
 * reason (docs/gates.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError, EXIT, EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { timeLimit } from '../lib/processes';
import { REPO_ROOT, settingsFromFlags } from '../lib/settings';
import { requireCurrent } from '../lib/synth-stamp';
import { type AssemblyIndex, readAssemblyIndex } from './gates/parsers/assembly-index';
import { printReport, resultsJson } from './gates/report';
import { failed, type GateResult, rel, verdict } from './gates/result';
import { cfnLintGate } from './gates/runners/cfn-lint';
import { checkovGates } from './gates/runners/checkov';
import { kubeconformGate } from './gates/runners/kubeconform';
import { secretsGate } from './gates/runners/secrets';
import { synthGates } from './gates/runners/synth';

const HELP = `Usage: bash scripts/verify/gates.sh [--out cdk.out] [--dist dist] [--only gate,...] [-c key=value ...] [--verbose]

Runs every gate on the output of the main synth command (npm run synth) and prints a summary.
Gates: cfn-lint, checkov-cfn, checkov-k8s, cfn-guard, cdk-nag, cfn-validate, kubeconform, secrets.
  --out DIR       the cloud assembly to check (default cdk.out)
  --dist DIR      the Kubernetes manifests to check (default dist)
  -c key=value    the settings the output was synthesized with (as given to npm run synth); the
                  gates refuse output that is not from a successful synth of these settings
  --only LIST     run only these gates (comma-separated)
  --unstamped     --dist holds manifests another tool rendered (the step operator's objects in
                  the pipeline suite): check them as they are, without the synth stamp; only
                  with --only kubeconform and/or checkov-k8s
  --verbose       also list every acknowledged finding with its reason
  --json FILE     also write the results as JSON
Exit code 0 only if every gate passed. Acknowledge a finding in gates/*.yaml (see docs/gates.md).

${EXIT_CODES_HELP}`;

const GATES = [
  'cfn-lint',
  'checkov-cfn',
  'checkov-k8s',
  'cfn-guard',
  'cdk-nag',
  'cfn-validate',
  'kubeconform',
  'secrets',
];
/** The whole run stops itself after this, killing any tool still running. */
const OVERALL_TIMEOUT_MS = 12 * 60_000;

const OPTIONS = {
  out: { type: 'string', default: 'cdk.out' },
  dist: { type: 'string', default: 'dist' },
  only: { type: 'string' },
  unstamped: { type: 'boolean', default: false },
  context: { type: 'string', short: 'c', multiple: true, default: [] },
  verbose: { type: 'boolean', short: 'v', default: false },
  json: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;

export async function main(argv: readonly string[]): Promise<number> {
  const started = Date.now();
  const values = parseFlags(argv, OPTIONS, HELP.split('\n')[0]);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const want = new Set(values.only ? values.only.split(',').map((s) => s.trim()) : GATES);
  const unknown = [...want].filter((g) => !GATES.includes(g));
  if (unknown.length > 0) {
    throw new CliError(
      `--only ${unknown.join(',')}: unknown gate (allowed: ${GATES.join(', ')})`,
      EXIT.usage,
    );
  }
  const outDir = path.resolve(REPO_ROOT, values.out as string);
  const distDir = path.resolve(REPO_ROOT, values.dist as string);
  const { config } = settingsFromFlags(values.context);
  // Each gate reads cdk.out/, dist/ or both: refuse either unless a successful synth of these
  // settings, with this code, wrote it.
  const readsDist = ['checkov-k8s', 'kubeconform', 'secrets'].some((g) => want.has(g));
  const readsOut = [...want].some((g) => g !== 'checkov-k8s' && g !== 'kubeconform');
  if (values.unstamped && (readsOut || want.has('secrets'))) {
    throw new CliError(
      `--unstamped with --only ${[...want].join(',')}: allowed only with --only kubeconform and/or checkov-k8s (the other gates read the synth's own output)`,
      EXIT.usage,
    );
  }
  if (readsOut) requireCurrent(outDir, 'cdk.out', config);
  if (readsDist && !values.unstamped) requireCurrent(distDir, 'dist', config);

  let index: AssemblyIndex | undefined;
  const results: GateResult[] = [];
  try {
    index = readAssemblyIndex(outDir);
  } catch (e) {
    for (const g of ['cfn-lint', 'checkov-cfn', 'cfn-guard', 'cdk-nag', 'cfn-validate'].filter((x) =>
      want.has(x),
    )) {
      results.push(failed(g, rel(outDir), Date.now(), (e as Error).message));
    }
  }

  console.log(`Gates on ${rel(outDir)}/ and ${rel(distDir)}/ (${[...want].join(', ')})`);
  const pending: Promise<GateResult | GateResult[]>[] = [];
  // checkov is the slowest (about 10 s of imports): start it first, the rest run beside it.
  if (want.has('checkov-cfn') || want.has('checkov-k8s'))
    pending.push(checkovGates(index, outDir, distDir, want));
  if (index && want.has('cfn-lint')) pending.push(cfnLintGate(index, config.region));
  if (want.has('kubeconform')) pending.push(kubeconformGate(distDir, config.kubernetesVersion));
  if (want.has('secrets')) pending.push(secretsGate(outDir, distDir));
  if (index) results.push(...synthGates(index, outDir, want));
  for (const r of await Promise.all(pending)) results.push(...(Array.isArray(r) ? r : [r]));
  results.sort((a, b) => GATES.indexOf(a.gate) - GATES.indexOf(b.gate));

  const { exitCode, missingGates } = verdict(want, results);
  for (const g of missingGates) results.push(failed(g, '-', started, 'the gate returned no result'));
  printReport(results, values.verbose as boolean, Date.now() - started);
  if (values.json) fs.writeFileSync(path.resolve(values.json), resultsJson(results));
  return exitCode;
}

if (require.main === module) {
  timeLimit(
    OVERALL_TIMEOUT_MS,
    EXIT.failed,
    `\ngates: stopped after ${OVERALL_TIMEOUT_MS / 60_000} min (time limit); killing the tools still running`,
  );
  runMain(() => main(process.argv.slice(2)));
}
