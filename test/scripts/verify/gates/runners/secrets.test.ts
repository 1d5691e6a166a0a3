/**
 * The secret-scan gate's own rules, with a stand-in for gitleaks (GATES_GITLEAKS): the planted
 * canary must be caught or the gate fails, whatever the real targets hold. The real gitleaks
 * catching the canary is tested in parsers/secret-scan.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { secretsGate } from '../../../../../scripts/verify/gates/runners/secrets';
import { tempDir } from '../../../../temp-dirs';

/**
 * A gitleaks stand-in: writes a JSON report (-r) with one finding per rule in FAKE_CATCH for every
 * file of a scanned directory named canary or server-canary, plus FAKE_REPO (a JSON finding) for
 * the staged repository. Exits FAKE_EXIT.
 */
function fakeGitleaks(): string {
  const dir = tempDir('gates-fake-gitleaks-');
  const file = path.join(dir, 'gitleaks');
  fs.writeFileSync(
    file,
    `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
const [mode, target] = args;
const report = args[args.indexOf('-r') + 1];
const rules = (process.env.FAKE_CATCH || '').split(',').filter(Boolean);
const out = [];
const base = path.basename(target);
if (mode === 'dir' && (base === 'canary' || base === 'server-canary')) {
  for (const f of fs.readdirSync(target))
    for (const r of rules) out.push({ RuleID: r, File: path.join(target, f), StartLine: 1, Secret: 'x' + r });
}
if (mode === 'dir' && base === 'repo' && process.env.FAKE_REPO)
  out.push({ ...JSON.parse(process.env.FAKE_REPO), File: path.join(target, 'leak.env') });
fs.writeFileSync(report, JSON.stringify(out));
process.exit(Number(process.env.FAKE_EXIT || 0));
`,
  );
  fs.chmodSync(file, 0o755);
  return file;
}

/** cdk.out/ and dist/ with the ZenML server objects the gate plants its second canary in. */
function outputs(): { outDir: string; distDir: string } {
  const outDir = tempDir('gates-out-');
  const distDir = tempDir('gates-dist-');
  fs.writeFileSync(
    path.join(distDir, 'zenml-server.k8s.yaml'),
    'kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: server\n          env:\n            - name: ZENML_STORE_TYPE\n              value: sql\n',
  );
  fs.writeFileSync(
    path.join(outDir, 'ZenmlSpark.template.json'),
    JSON.stringify({
      Resources: {
        Server: {
          Type: 'Custom::AWSCDK-EKS-KubernetesResource',
          Properties: { Manifest: '[{"metadata":{"name":"zenml-server-files"}}]' },
        },
      },
    }),
  );
  return { outDir, distDir };
}

const saved = { ...process.env };
afterEach(() => {
  for (const k of ['GATES_GITLEAKS', 'FAKE_CATCH', 'FAKE_REPO', 'FAKE_EXIT']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('secrets gate', () => {
  const gitleaks = fakeGitleaks();

  test('GIVEN a scanner that finds nothing THEN the gate fails: both canaries were missed', async () => {
    process.env.GATES_GITLEAKS = gitleaks;
    const { outDir, distDir } = outputs();
    const r = await secretsGate(outDir, distDir);
    expect(r.passed).toBe(false);
    expect(r.problems).toContain(
      'the scanner missed the planted canary (aws-access-token, private-key): the scan is not working',
    );
    expect(
      r.problems.some((p) =>
        p.startsWith("the scanner missed the canary planted in the ZenML server's objects ("),
      ),
    ).toBe(true);
    expect(r.notes.some((n) => n.startsWith('canary:'))).toBe(false);
  }, 60_000);

  test('GIVEN a scanner that catches one kind only THEN the gate fails naming the other', async () => {
    process.env.GATES_GITLEAKS = gitleaks;
    process.env.FAKE_CATCH = 'aws-access-token';
    const { outDir, distDir } = outputs();
    const r = await secretsGate(outDir, distDir);
    expect(r.passed).toBe(false);
    expect(r.problems).toContain(
      'the scanner missed the planted canary (private-key): the scan is not working',
    );
    expect(r.problems).toContain(
      "the scanner missed the canary planted in the ZenML server's objects (private-key in server-canary:dist-zenml-server.k8s.yaml, private-key in server-canary:cdk.out-template.json)",
    );
  }, 60_000);

  test('GIVEN a scanner that catches both canaries THEN no canary problem, and both are noted', async () => {
    process.env.GATES_GITLEAKS = gitleaks;
    process.env.FAKE_CATCH = 'aws-access-token,private-key';
    const { outDir, distDir } = outputs();
    const r = await secretsGate(outDir, distDir);
    expect(r.problems.filter((p) => p.includes('canary'))).toEqual([]);
    expect(r.notes).toContain('canary: planted aws-access-token + private-key caught');
    expect(r.notes).toContain(
      'server canary: planted in dist-zenml-server.k8s.yaml and cdk.out-template.json (a server env value), caught',
    );
    // The canaries are not findings of the repository.
    expect(r.unacknowledged).toEqual([]);
  }, 60_000);

  test('GIVEN a secret in the repository THEN it is an unacknowledged finding and the gate fails', async () => {
    process.env.GATES_GITLEAKS = gitleaks;
    process.env.FAKE_CATCH = 'aws-access-token,private-key';
    process.env.FAKE_REPO = JSON.stringify({ RuleID: 'generic-api-key', StartLine: 3, Secret: 'leaked' });
    const { outDir, distDir } = outputs();
    const r = await secretsGate(outDir, distDir);
    expect(r.passed).toBe(false);
    expect(r.unacknowledged.map((f) => [f.rule, f.resource])).toEqual([['generic-api-key', 'repo:leak.env']]);
    expect(r.findings).toBe(1);
  }, 60_000);

  test('GIVEN no ZenML server objects THEN the server canary is not required, and that is said', async () => {
    process.env.GATES_GITLEAKS = gitleaks;
    process.env.FAKE_CATCH = 'aws-access-token,private-key';
    const outDir = tempDir('gates-out-');
    const distDir = tempDir('gates-dist-');
    const r = await secretsGate(outDir, distDir);
    expect(r.notes).toContain('server canary: no ZenML server objects (zenmlServer=false)');
    expect(r.problems.filter((p) => p.includes('canary'))).toEqual([]);
  }, 60_000);

  test('GIVEN the scanner crashes THEN the gate fails naming the target and exit code', async () => {
    process.env.GATES_GITLEAKS = gitleaks;
    process.env.FAKE_CATCH = 'aws-access-token,private-key';
    process.env.FAKE_EXIT = '3';
    const { outDir, distDir } = outputs();
    const r = await secretsGate(outDir, distDir);
    expect(r.passed).toBe(false);
    expect(r.problems.some((p) => p.startsWith('gitleaks dir canary failed (exit 3)'))).toBe(true);
  }, 60_000);

  test('GIVEN missing cdk.out/ and dist/ THEN the gate fails naming the command that makes them', async () => {
    process.env.GATES_GITLEAKS = gitleaks;
    process.env.FAKE_CATCH = 'aws-access-token,private-key';
    const gone = path.join(tempDir('gates-gone-'), 'nothing');
    const r = await secretsGate(`${gone}-out`, `${gone}-dist`);
    expect(r.passed).toBe(false);
    expect(r.problems.some((p) => p.endsWith('not found: run npm run synth first'))).toBe(true);
    expect(r.problems.some((p) => p.endsWith('not found: the main synth command writes it'))).toBe(true);
  }, 60_000);

  test('GIVEN GATES_GITLEAKS unset THEN it refuses, naming the script that installs the tools', async () => {
    delete process.env.GATES_GITLEAKS;
    const { outDir, distDir } = outputs();
    await expect(secretsGate(outDir, distDir)).rejects.toThrow(/scripts\/verify\/gates.sh/);
  });
});
