/**
 * Issue 14, kind 5: stale output consumed as current. `npm run synth` stamps cdk.out/ and dist/;
 * every command that reads them (cost --assembly, critical-path --assembly, the gates, the
 * rehearsal's --real-out, the manifest tests) refuses output that is not from a successful synth
 * of the current settings, with this code and these tools, and says why in one line.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeManifests } from '../../../k8s/manifests';
import { defineApp } from '../../../lib/app';
import { cdkJsonContext, loadSettings } from '../../../scripts/lib/settings';
import {
  markFailed,
  readStamp,
  STAMP_FILE,
  staleReason,
  writeOkStamp,
} from '../../../scripts/lib/synth-stamp';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

let work: string;
let out: string;
let dist: string;

/** A copy of the good assembly and manifests, to spoil in one way per test. */
function copies(): { out: string; dist: string } {
  const dir = fs.mkdtempSync(path.join(work, 'copy-'));
  fs.cpSync(out, path.join(dir, 'cdk.out'), { recursive: true });
  fs.cpSync(dist, path.join(dir, 'dist'), { recursive: true });
  return { out: path.join(dir, 'cdk.out'), dist: path.join(dir, 'dist') };
}

function editStamp(dir: string, edit: (stamp: Record<string, unknown>) => void): void {
  const file = path.join(dir, STAMP_FILE);
  const stamp = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(stamp);
  fs.writeFileSync(file, JSON.stringify(stamp));
}

interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(command: string, args: readonly string[]): Promise<Result> {
  const [cmd, argv] = command.endsWith('.sh')
    ? ['bash', [path.join(ROOT, command), ...args]]
    : [TSX, [path.join(ROOT, command), ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TMPDIR: process.env.TMPDIR,
        XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        CDK_DISABLE_CLI_TELEMETRY: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => {
      stdout += b;
    });
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'zse-stamp-'));
  out = path.join(work, 'cdk.out');
  dist = path.join(work, 'dist');
  // What npm run synth writes for the current settings (without its policy checks: same templates).
  const { app, config } = defineApp({ env: {}, context: cdkJsonContext(), outdir: out, stackTraces: false });
  app.synth();
  writeManifests(dist, {
    region: config.region,
    accountId: config.account,
    nodeInstanceType: config.nodeInstanceType,
  });
  writeOkStamp(out, 'cdk.out', config);
  writeOkStamp(dist, 'dist', config);
}, 120_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('staleReason', () => {
  const config = () => loadSettings({}, {});

  test('current: a successful synth of these settings, with this code and these tools', () => {
    expect(staleReason(out, 'cdk.out', config())).toBeUndefined();
    expect(staleReason(dist, 'dist', config())).toBeUndefined();
    expect(readStamp(out)).toMatchObject({ status: 'ok', tools: { 'aws-cdk-lib': expect.any(String) } });
  });

  test('a failed synth', () => {
    const c = copies();
    markFailed(c.out, 'cdk.out', 'cdk synth failed (exit 1)');
    expect(staleReason(c.out, 'cdk.out', config())).toMatch(
      /is from a failed synth \(.*: cdk synth failed \(exit 1\)\)/,
    );
  });

  test('other settings: it names each setting that differs', () => {
    expect(staleReason(out, 'cdk.out', loadSettings({ nodeMinSize: '2', nodeMaxSize: '6' }, {}))).toMatch(
      /was synthesized with other settings \(nodeMaxSize 4 there, 6 now; nodeMinSize 0 there, 2 now\)/,
    );
  });

  test('rewritten by another command (cdk synth or cdk deploy): the content no longer matches', () => {
    const c = copies();
    const template = fs.readdirSync(c.out).find((f) => f.endsWith('.template.json')) as string;
    fs.appendFileSync(path.join(c.out, template), ' ');
    expect(staleReason(c.out, 'cdk.out', config())).toMatch(/changed after npm run synth wrote it/);
  });

  test('no stamp, other tools, other code', () => {
    const a = copies();
    fs.rmSync(path.join(a.out, STAMP_FILE));
    expect(staleReason(a.out, 'cdk.out', config())).toMatch(/has no synth stamp/);
    const b = copies();
    editStamp(b.out, (s) => {
      (s.tools as Record<string, string>)['aws-cdk-lib'] = '2.0.0';
    });
    expect(staleReason(b.out, 'cdk.out', config())).toMatch(/other tools \(aws-cdk-lib 2\.0\.0 there, /);
    const d = copies();
    editStamp(d.dist, (s) => {
      s.sourceHash = 'f'.repeat(64);
    });
    expect(staleReason(d.dist, 'dist', config())).toMatch(
      /before the code in bin\/, lib\/, k8s\/ or cdk\.json changed/,
    );
  });
});

describe('every consumer refuses output that is not current, with one line', () => {
  let failed: { out: string; dist: string };
  let afterTestRemove: string | undefined;
  afterEach(() => {
    if (afterTestRemove) fs.rmSync(afterTestRemove, { force: true });
    afterTestRemove = undefined;
  });
  beforeAll(() => {
    failed = copies();
    markFailed(failed.out, 'cdk.out', 'cdk synth failed (exit 1)');
    markFailed(failed.dist, 'dist', 'cdk synth failed (exit 1)');
  });

  const refusal = (r: Result) => ({
    status: r.status,
    lines: r.stderr.split('\n').filter((l) => l.trim() !== ''),
  });

  test('npm run cost -- --assembly: current is priced, a failed synth is refused', async () => {
    expect((await cli('scripts/estimate/cost.ts', ['--assembly', out])).status).toBe(0);
    expect(refusal(await cli('scripts/estimate/cost.ts', ['--assembly', failed.out]))).toEqual({
      status: 1,
      lines: [expect.stringMatching(/^error: refusing: .*cdk\.out\/ is from a failed synth/)],
    });
  });

  test('npm run critical-path -- --assembly: other settings are refused, naming them', async () => {
    expect(
      refusal(await cli('scripts/estimate/critical-path.ts', ['--assembly', out, '-c', 'natGateways=2'])),
    ).toEqual({
      status: 1,
      lines: [
        expect.stringMatching(
          /^error: refusing: .*synthesized with other settings \(natGateways 1 there, 2 now\)/,
        ),
      ],
    });
  });

  test('the gates refuse a failed cdk.out and a failed dist', async () => {
    expect(refusal(await cli('scripts/verify/gates.ts', ['--out', failed.out, '--dist', dist]))).toEqual({
      status: 1,
      lines: [expect.stringMatching(/^error: refusing: .*cdk\.out\/ is from a failed synth/)],
    });
    expect(
      refusal(
        await cli('scripts/verify/gates.ts', ['--out', out, '--dist', failed.dist, '--only', 'kubeconform']),
      ),
    ).toEqual({
      status: 1,
      lines: [expect.stringMatching(/^error: refusing: .*dist\/ is from a failed synth/)],
    });
  });

  test('the rehearsal refuses a --real-out that is not current', async () => {
    expect(refusal(await cli('scripts/verify/rehearsal.ts', ['--real-out', failed.out]))).toEqual({
      status: 1,
      lines: [expect.stringMatching(/^error: --real-out: refusing: .*is from a failed synth/)],
    });
  });

  test('the manifest tests refuse a dist that is not current', async () => {
    expect(refusal(await cli('scripts/verify/test-manifests.sh', [failed.dist]))).toEqual({
      status: 1,
      lines: [expect.stringMatching(/^test-manifests: refusing: .*dist\/ is from a failed synth/)],
    });
  });

  test('[example] a failed npm run synth marks both outputs failed, and cost --assembly refuses what it left', async () => {
    const c = copies();
    // The CDK CLI records the (failed) lookup in the project's cdk.context.json: not this test's to leave.
    const contextFile = path.join(ROOT, 'cdk.context.json');
    const hadContextFile = fs.existsSync(contextFile);
    afterTestRemove = hadContextFile ? undefined : contextFile;
    // Settings that pass, then the CDK CLI fails: an account and region without zones needs an AZ
    // lookup, which needs credentials (there are none here).
    const r = await cli('scripts/estimate/synth.ts', [
      '--out',
      c.out,
      '--dist',
      c.dist,
      '-c',
      'account=123456789012',
      '-c',
      'region=eu-west-1',
    ]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/cdk synth failed \(exit \d+\): .* are marked failed/);
    expect(readStamp(c.out)).toMatchObject({ status: 'failed' });
    expect(readStamp(c.dist)).toMatchObject({ status: 'failed' });
    expect(refusal(await cli('scripts/estimate/cost.ts', ['--assembly', c.out]))).toEqual({
      status: 1,
      lines: [expect.stringMatching(/^error: refusing: .*is from a failed synth \(.*cdk synth failed/)],
    });
  });

  test('a synth stopped by a bad setting marks the earlier output failed too', async () => {
    const c = copies();
    const r = await cli('scripts/estimate/synth.ts', [
      '--out',
      c.out,
      '--dist',
      c.dist,
      '-c',
      'nodeMinSize=9',
    ]);
    expect(r.status).toBe(1);
    expect(readStamp(c.out)).toMatchObject({
      status: 'failed',
      failure: expect.stringMatching(/^Invalid setting: nodeMinSize/),
    });
    expect(readStamp(c.dist)).toMatchObject({ status: 'failed' });
  });
});
