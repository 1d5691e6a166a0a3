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
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DISABLED_GUARD_RULES } from '../../lib/validation';
import { loadSettings, REPO_ROOT } from '../lib/settings';
import { table } from '../lib/table';
import { type AssemblyIndex, readAssemblyIndex, synthAcknowledgement } from './gates/parsers/assembly-index';
import { cfnLintExitIsResult, isError, parseCfnLint } from './gates/parsers/cfn-lint';
import { parseCheckov } from './gates/parsers/checkov';
import {
  type AcknowledgedFinding,
  type Acknowledgement,
  type Finding,
  loadAcknowledgements,
  type Triage,
  triage,
} from './gates/parsers/findings';
import { buildStandaloneSchemas, parseKubeconform, schemaLocation } from './gates/parsers/kubeconform';
import {
  assetHashCheck,
  assetHashes,
  parseGitleaks,
  repoFiles,
  stageFiles,
  writeCanary,
} from './gates/parsers/secret-scan';
import { countAcknowledgedIds, readSynthChecks } from './gates/parsers/synth-checks';
import { killRunningTools, runTool, tail } from './gates/runners/tool';

const HELP = `Usage: bash scripts/verify/gates.sh [--out cdk.out] [--dist dist] [--only gate,...] [--verbose]

Runs every gate on the output of the main synth command (npm run synth) and prints a summary.
Gates: cfn-lint, checkov-cfn, checkov-k8s, cfn-guard, cdk-nag, cfn-validate, kubeconform, secrets.
  --out DIR       the cloud assembly to check (default cdk.out)
  --dist DIR      the Kubernetes manifests to check (default dist)
  --only LIST     run only these gates (comma-separated)
  --verbose       also list every acknowledged finding with its reason
  --json FILE     also write the results as JSON
Exit code 0 only if every gate passed. Acknowledge a finding in gates/*.yaml (see docs/gates.md).`;

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
const TOOL_TIMEOUT_MS = 5 * 60_000;
/** The whole run stops itself after this, killing any tool still running. */
const OVERALL_TIMEOUT_MS = 12 * 60_000;
const ACK_DIR = path.join(REPO_ROOT, 'gates');

interface GateResult {
  gate: string;
  scope: string;
  passed: boolean;
  findings: number;
  acknowledged: number;
  ms: number;
  /** Why the gate failed other than by findings (missing input, tool error, canary missed). */
  problems: string[];
  unacknowledged: Finding[];
  acknowledgedFindings: AcknowledgedFinding[];
  stale: { rule: string; resource: string }[];
  notes: string[];
}

function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: run the gates through scripts/verify/gates.sh, which installs the tools`,
    );
  return v;
}

function rel(p: string): string {
  return path.relative(REPO_ROOT, p) || '.';
}

function result(
  gate: string,
  scope: string,
  started: number,
  t?: Triage,
  extra: Partial<GateResult> = {},
): GateResult {
  const problems = [...(extra.problems ?? []), ...(t?.invalid ?? [])];
  const stale = t?.stale ?? [];
  const unacknowledged = t?.unacknowledged ?? [];
  const acknowledged = t?.acknowledged ?? [];
  for (const s of stale)
    problems.push(`stale acknowledgement: ${s.rule} on ${s.resource} matched no finding; remove it`);
  return {
    gate,
    scope,
    passed: problems.length === 0 && unacknowledged.length === 0,
    findings: unacknowledged.length + acknowledged.length,
    acknowledged: acknowledged.length,
    ms: Date.now() - started,
    problems,
    unacknowledged,
    acknowledgedFindings: acknowledged,
    stale,
    notes: extra.notes ?? [],
  };
}

function failed(gate: string, scope: string, started: number, problem: string): GateResult {
  return result(gate, scope, started, undefined, { problems: [problem] });
}

function acks(file: string): { entries: Acknowledgement[]; errors: string[] } {
  return loadAcknowledgements(path.join(ACK_DIR, file));
}

function templatesOf(index: AssemblyIndex): string[] {
  return index.stacks.map((s) => path.join(index.outDir, s.templateFile));
}

async function cfnLintGate(index: AssemblyIndex, region: string | undefined): Promise<GateResult> {
  const started = Date.now();
  const templates = templatesOf(index);
  const scope = `${templates.length} template(s), region ${region ?? 'us-east-1'}`;
  const args = ['--format', 'json', ...(region ? ['--regions', region] : []), '--', ...templates];
  const run = await runTool(requireEnv('GATES_CFN_LINT'), args, { timeoutMs: TOOL_TIMEOUT_MS });
  if (run.timedOut || !cfnLintExitIsResult(run.code)) {
    return failed(
      'cfn-lint',
      scope,
      started,
      `cfn-lint failed (exit ${run.code ?? run.signal}):\n${tail(run.stderr)}`,
    );
  }
  const findings = parseCfnLint(run.stdout, index);
  const { entries, errors } = acks('cfn-lint.yaml');
  const t = triage(findings, entries, {
    synthAcknowledgement: (r, id) => synthAcknowledgement(index, r, id),
  });
  // Errors are never acknowledgeable: a template cfn-lint calls invalid is fixed, not explained.
  const ackedErrors = t.acknowledged.filter(isError);
  const triaged: Triage = {
    ...t,
    acknowledged: t.acknowledged.filter((f) => !isError(f)),
    unacknowledged: [...t.unacknowledged, ...ackedErrors],
  };
  return result('cfn-lint', scope, started, triaged, {
    problems: [
      ...errors,
      ...ackedErrors.map(
        (f) => `${f.rule} on ${f.resource} is an error: errors cannot be acknowledged, fix them`,
      ),
    ],
  });
}

async function checkovGates(
  index: AssemblyIndex | undefined,
  outDir: string,
  distDir: string,
  want: Set<string>,
) {
  const started = Date.now();
  const frameworks: string[] = [];
  const dirs: string[] = [];
  if (want.has('checkov-cfn') && index) {
    frameworks.push('cloudformation');
    dirs.push(outDir);
  }
  const distExists = fs.existsSync(distDir);
  if (want.has('checkov-k8s') && distExists) {
    frameworks.push('kubernetes');
    dirs.push(distDir);
  }
  const results: GateResult[] = [];
  const cfnScope = index ? `${templatesOf(index).length} template(s) in ${rel(outDir)}` : rel(outDir);
  if (want.has('checkov-k8s') && !distExists) {
    results.push(
      failed(
        'checkov-k8s',
        rel(distDir),
        started,
        `${rel(distDir)}/ not found: the main synth command (npm run synth) writes it`,
      ),
    );
  }
  if (want.has('checkov-cfn') && !index)
    results.push(failed('checkov-cfn', cfnScope, started, 'no cloud assembly'));
  if (frameworks.length === 0) return results;

  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-checkov-'));
  try {
    const args = [
      ...dirs.flatMap((d) => ['-d', d]),
      '--framework',
      ...frameworks,
      '--output',
      'json',
      '--output-file-path',
      reportDir,
      '--quiet',
      '--compact',
      // Offline: no policy download, no Prisma Cloud mapping, no version check.
      '--skip-download',
    ];
    const env = {
      ...process.env,
      BC_SKIP_MAPPING: 'TRUE',
      LOG_LEVEL: 'ERROR',
      // Its Kubernetes runner otherwise skips every file under a dot-directory anywhere in the
      // absolute path (e.g. a dist/ inside .cache/), and reports nothing.
      CKV_IGNORE_HIDDEN_DIRECTORIES: 'false',
    };
    const run = await runTool(requireEnv('GATES_CHECKOV'), args, { env, timeoutMs: TOOL_TIMEOUT_MS });
    const reportFile = path.join(reportDir, 'results_json.json');
    // checkov exits 1 when a check failed; anything else without a report means it broke.
    if (run.timedOut || !fs.existsSync(reportFile) || (run.code !== 0 && run.code !== 1)) {
      const problem = `checkov failed (exit ${run.code ?? run.signal}${run.timedOut ? ', timed out' : ''}):\n${tail(run.stderr)}`;
      for (const [fw, gate, scope] of [
        ['cloudformation', 'checkov-cfn', cfnScope],
        ['kubernetes', 'checkov-k8s', rel(distDir)],
      ]) {
        if (frameworks.includes(fw)) results.push(failed(gate, scope, started, problem));
      }
      return results;
    }
    const parsed = parseCheckov(fs.readFileSync(reportFile, 'utf8'), index);
    const { entries, errors } = acks('checkov-acknowledgements.yaml');
    const gateOf: Record<string, string> = { cloudformation: 'checkov-cfn', kubernetes: 'checkov-k8s' };
    for (const fw of frameworks) {
      const gate = gateOf[fw];
      const scope = fw === 'cloudformation' ? cfnScope : `${rel(distDir)}/`;
      const r = parsed.find((p) => p.framework === fw);
      if (!r) {
        // checkov leaves a framework out of its report when it found nothing to scan.
        results.push(failed(gate, scope, started, `checkov found no ${fw} resources to check in ${scope}`));
        continue;
      }
      // One acknowledgement file for both frameworks; each gate judges only its own entries.
      const mine = entries.filter((e) =>
        fw === 'kubernetes'
          ? e.rule.startsWith('CKV_K8S') || e.rule.startsWith('CKV2_K8S')
          : !/K8S/.test(e.rule),
      );
      const t = triage(r.findings, mine, {
        synthAcknowledgement: index ? (res, id) => synthAcknowledgement(index, res, id) : undefined,
      });
      results.push(
        result(gate, `${scope} (${r.resources} resources, ${r.passed} checks passed)`, started, t, {
          problems: [...errors, ...r.parsingErrors.map((f) => `checkov could not parse ${f}`)],
        }),
      );
    }
    return results;
  } finally {
    fs.rmSync(reportDir, { recursive: true, force: true });
  }
}

function synthGates(index: AssemblyIndex, outDir: string, want: Set<string>): GateResult[] {
  const started = Date.now();
  const { report, checks } = readSynthChecks(outDir);
  const results: GateResult[] = [];
  const fromReport = (gate: string, pluginName: string, notes: string[]) => {
    if (!want.has(gate)) return;
    const c = checks.find((x) => x.check === pluginName);
    if (!report || !c) {
      results.push(
        failed(
          gate,
          pluginName,
          started,
          `${rel(outDir)}/validation-report.json has no ${pluginName} report: was it synthesized by npm run synth?`,
        ),
      );
      return;
    }
    const r = result(gate, `${pluginName} ${c.version ?? ''} in cdk synth`.trim(), started, {
      unacknowledged: c.violations.map((v) => ({
        rule: v.rule,
        resource: v.construct,
        location: 'synth',
        message: v.rule,
      })),
      acknowledged: c.acknowledged.map((a) => ({
        rule: a.rule,
        resource: a.construct.replace(/^\/+/, ''),
        location: 'synth',
        message: a.rule,
        reason: a.reason,
      })),
      stale: [],
      invalid: [],
    });
    r.notes.push(...notes);
    results.push(r);
  };
  fromReport(
    'cfn-guard',
    'cdk-validator-cfnguard',
    Object.entries(DISABLED_GUARD_RULES).map(
      ([rule, reason]) => `rule ${rule} disabled app-wide (lib/validation.ts): ${reason}`,
    ),
  );
  fromReport('cfn-validate', 'CloudFormation Validate', []);
  if (want.has('cdk-nag')) {
    // cdk-nag adds no plugin report when it passes; synth would have failed on any unacknowledged finding.
    const n = countAcknowledgedIds(index.synthAcknowledgements, 'Annotation::AwsSolutions-');
    results.push({
      ...result('cdk-nag', 'AwsSolutions pack in cdk synth', started),
      findings: n,
      acknowledged: n,
      notes: ['synth fails on any unacknowledged cdk-nag finding; acknowledgements are on the constructs'],
    });
  }
  return results;
}

async function kubeconformGate(distDir: string, kubernetesVersion: string): Promise<GateResult> {
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

async function secretsGate(outDir: string, distDir: string): Promise<GateResult> {
  const started = Date.now();
  const gitleaks = requireEnv('GATES_GITLEAKS');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-secrets-'));
  const noIgnoreFile = path.join(work, 'no-ignore');
  fs.mkdirSync(noIgnoreFile);
  // No bypass but the reviewed allowlist: inline gitleaks:allow comments and .gitleaksignore files are not honoured.
  const common = [
    '--no-banner',
    '--no-color',
    '--ignore-gitleaks-allow',
    '-i',
    noIgnoreFile,
    '--redact=0',
    '-f',
    'json',
    '--exit-code',
    '0',
  ];
  const problems: string[] = [];
  const notes: string[] = [];
  try {
    const listing = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const files = repoFiles(listing, (f) => fs.existsSync(path.join(REPO_ROOT, f)));
    const staged = path.join(work, 'repo');
    stageFiles(REPO_ROOT, files, staged);
    const canaryDir = path.join(work, 'canary');
    fs.mkdirSync(canaryDir);
    const canary = writeCanary(canaryDir);

    const targets: { label: string; root: string; args: string[] }[] = [
      { label: 'canary', root: canaryDir, args: ['dir', canaryDir] },
      { label: 'repo', root: staged, args: ['dir', staged] },
      // Commits too: a key that was committed and later deleted is still in the history.
      { label: 'repo', root: REPO_ROOT, args: ['git', REPO_ROOT] },
    ];
    if (fs.existsSync(outDir)) targets.push({ label: 'cdk.out', root: outDir, args: ['dir', outDir] });
    else problems.push(`${rel(outDir)}/ not found: run npm run synth first`);
    if (fs.existsSync(distDir)) targets.push({ label: 'dist', root: distDir, args: ['dir', distDir] });
    else problems.push(`${rel(distDir)}/ not found: the main synth command writes it`);

    const runs = await Promise.all(
      targets.map(async (t, i) => {
        const report = path.join(work, `report-${i}.json`);
        const run = await runTool(gitleaks, [...t.args, ...common, '-r', report], {
          timeoutMs: TOOL_TIMEOUT_MS,
        });
        if (run.timedOut || run.code !== 0 || !fs.existsSync(report)) {
          problems.push(
            `gitleaks ${t.args[0]} ${t.label} failed (exit ${run.code ?? run.signal}):\n${tail(run.stderr)}`,
          );
          return [] as Finding[];
        }
        return parseGitleaks(fs.readFileSync(report, 'utf8'), t.root, t.label);
      }),
    );
    const [canaryFindings, ...rest] = runs;
    const caught = new Set(canaryFindings.map((f) => f.rule));
    const missed = canary.expectRules.filter((r) => !caught.has(r));
    if (missed.length > 0)
      problems.push(`the scanner missed the planted canary (${missed.join(', ')}): the scan is not working`);
    else notes.push(`canary: planted ${canary.expectRules.join(' + ')} caught`);

    // The same secret in the working tree and in history is one finding.
    const seen = new Set<string>();
    const findings = rest.flat().filter((f) => {
      const key = `${f.rule}\u0000${f.resource}\u0000${f.fingerprint}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const archives = fs.existsSync(outDir)
      ? fs.readdirSync(outDir).filter((f) => f.endsWith('.zip')).length
      : 0;
    if (archives > 0) {
      notes.push(
        `${archives} zipped asset(s) in ${rel(outDir)}/ not unpacked: AWS-published Lambda layers (kubectl/helm, AWS CLI) from npm packages, not this repo's content`,
      );
    }
    const { entries, errors } = acks('secret-scan-allowlist.yaml');
    const t = triage(findings, entries, { valueCheck: assetHashCheck(assetHashes(outDir)) });
    const scope = `${files.length} repo files + git history, ${rel(outDir)}/, ${rel(distDir)}/`;
    return result('secrets', scope, started, t, { problems: [...problems, ...errors], notes });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function fmtMs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function printReport(results: GateResult[], verbose: boolean, totalMs: number) {
  console.log('\nGates');
  console.log(
    table(
      ['gate', 'result', 'findings', 'acknowledged', 'time', 'scope'],
      results.map((r) => [
        r.gate,
        r.passed ? 'pass' : 'FAIL',
        String(r.findings),
        String(r.acknowledged),
        fmtMs(r.ms),
        r.scope,
      ]),
    ),
  );
  for (const r of results) {
    const lines: string[] = [];
    for (const p of r.problems) lines.push(`  ! ${p.replaceAll('\n', '\n    ')}`);
    for (const f of r.unacknowledged) {
      lines.push(
        `  ✗ ${f.rule}${f.severity ? ` (${f.severity})` : ''} ${f.resource}\n      ${f.message}\n      at ${f.location}`,
      );
    }
    const byRule = new Map<string, AcknowledgedFinding[]>();
    for (const f of r.acknowledgedFindings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
    if (verbose) {
      for (const f of r.acknowledgedFindings) {
        lines.push(`  ✓ ${f.rule} ${f.resource}: ${f.reason}`);
      }
    } else if (r.gate === 'cfn-lint' || r.gate.startsWith('checkov')) {
      // cfn-lint warnings and checkov checks are listed even when acknowledged: rule, count, where.
      for (const [rule, found] of byRule) {
        const where = [...new Set(found.map((f) => f.resource.replace(/^ZenmlSpark\//, '')))];
        lines.push(`  ✓ ${rule} x${found.length} acknowledged: ${where.join(', ')}`);
      }
    }
    for (const n of r.notes) lines.push(`  · ${n}`);
    if (lines.length > 0) console.log(`\n${r.gate}\n${lines.join('\n')}`);
  }
  const failedGates = results.filter((r) => !r.passed).map((r) => r.gate);
  if (failedGates.length > 0) {
    console.log(
      `\nFailed: ${failedGates.join(', ')}. Fix the finding, or acknowledge it narrowly with a reason in gates/*.yaml (docs/gates.md).`,
    );
  }
  console.log(`gates took ${fmtMs(totalMs)}`);
  // The plain closing line test runners print, so CI logs read the same for every suite.
  console.log(`gates: ${results.length - failedGates.length} passed, ${failedGates.length} failed`);
}

async function main(): Promise<number> {
  const started = Date.now();
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'cdk.out' },
      dist: { type: 'string', default: 'dist' },
      only: { type: 'string' },
      verbose: { type: 'boolean', short: 'v', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const want = new Set(values.only ? values.only.split(',').map((s) => s.trim()) : GATES);
  const unknown = [...want].filter((g) => !GATES.includes(g));
  if (unknown.length > 0) {
    console.error(`--only ${unknown.join(',')}: unknown gate (allowed: ${GATES.join(', ')})`);
    return 2;
  }
  const outDir = path.resolve(REPO_ROOT, values.out as string);
  const distDir = path.resolve(REPO_ROOT, values.dist as string);
  const config = loadSettings();

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

  printReport(results, values.verbose as boolean, Date.now() - started);
  if (values.json) {
    fs.writeFileSync(
      path.resolve(values.json),
      `${JSON.stringify(
        results.map(({ gate, passed, findings, acknowledged, ms, scope, problems, unacknowledged }) => ({
          gate,
          passed,
          findings,
          acknowledged,
          ms,
          scope,
          problems,
          unacknowledged: unacknowledged.map(({ secret: _s, ...f }) => f),
        })),
        null,
        2,
      )}\n`,
    );
  }
  return results.every((r) => r.passed) ? 0 : 1;
}

const overall = setTimeout(() => {
  console.error(
    `\ngates: stopped after ${OVERALL_TIMEOUT_MS / 60_000} min (time limit); killing the tools still running`,
  );
  killRunningTools();
  process.exit(1);
}, OVERALL_TIMEOUT_MS);
overall.unref();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killRunningTools();
    process.exit(130);
  });
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((e) => {
    killRunningTools();
    console.error(`gates: ${(e as Error).message}`);
    process.exitCode = 1;
  });
