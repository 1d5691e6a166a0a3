/**
 * The secret-scan gate: gitleaks over the working tree, the git history, cdk.out/ and dist/, with a
 * planted canary that must be caught.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STACK_ID } from '../../../../lib/settings/names';
import { REPO_ROOT } from '../../../lib/settings';
import { type Finding, triage } from '../parsers/findings';
import {
  assetHashCheck,
  assetHashes,
  parseGitleaks,
  plantCanaryInServerObjects,
  repoFiles,
  stageFiles,
  writeCanary,
} from '../parsers/secret-scan';
import { acks, type GateResult, rel, requireEnv, result, TOOL_TIMEOUT_MS } from '../result';
import { runTool, tail } from './tool';

export async function secretsGate(outDir: string, distDir: string): Promise<GateResult> {
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

    // The same canary inside copies of the ZenML server's objects (its dist/ manifest and the
    // template's kubectl-provider resource): a clean scan of the real ones then means something.
    const serverCanaryDir = path.join(work, 'server-canary');
    fs.mkdirSync(serverCanaryDir);
    const serverCanary = plantCanaryInServerObjects(
      serverCanaryDir,
      path.join(distDir, 'zenml-server.k8s.yaml'),
      path.join(outDir, `${STACK_ID}.template.json`),
    );

    const targets: { label: string; root: string; args: string[] }[] = [
      { label: 'canary', root: canaryDir, args: ['dir', canaryDir] },
      { label: 'server-canary', root: serverCanaryDir, args: ['dir', serverCanaryDir] },
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
    const [canaryFindings, serverCanaryFindings, ...rest] = runs;
    const caught = new Set(canaryFindings.map((f) => f.rule));
    const missed = canary.expectRules.filter((r) => !caught.has(r));
    if (missed.length > 0)
      problems.push(`the scanner missed the planted canary (${missed.join(', ')}): the scan is not working`);
    else notes.push(`canary: planted ${canary.expectRules.join(' + ')} caught`);
    const serverMissed = serverCanary.files.flatMap((file) => {
      const rel = `server-canary:${path.basename(file)}`;
      const rules = new Set(serverCanaryFindings.filter((f) => f.resource === rel).map((f) => f.rule));
      return serverCanary.expectRules.filter((r) => !rules.has(r)).map((r) => `${r} in ${rel}`);
    });
    if (serverCanary.files.length === 0)
      notes.push('server canary: no ZenML server objects (zenmlServer=false)');
    else if (serverMissed.length > 0)
      problems.push(
        `the scanner missed the canary planted in the ZenML server's objects (${serverMissed.join(', ')})`,
      );
    else
      notes.push(
        `server canary: planted in ${serverCanary.files.map((f) => path.basename(f)).join(' and ')} (a server env value), caught`,
      );

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
