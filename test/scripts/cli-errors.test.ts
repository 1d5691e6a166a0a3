/**
 * Issue 14, kind 6: every CLI of scripts/, given bad flags and bad values, prints one line on
 * stderr (no stack trace) and exits with the code its --help documents (2 for a bad flag or flag
 * value, 1 for an invalid setting or a failed run). Each runs as `npm run` runs it: a child
 * process through tsx (or bash), without AWS credentials. The bash wrappers that only hand their
 * arguments to a CLI here (synth.sh, gates.sh, rehearsal.sh) are covered through that CLI.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml:spark-0123abcd';

interface Case {
  readonly cli: string;
  readonly args: readonly string[];
  readonly code: number;
  readonly stderr: RegExp;
}

const onPath = (tool: string) =>
  (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && fs.existsSync(path.join(dir, tool)));

const c = (cli: string, args: string[], code: number, stderr: RegExp): Case => ({ cli, args, code, stderr });

const CASES: readonly Case[] = [
  c('estimate/synth.ts', ['--nope'], 2, /^error: Unknown option '--nope'; usage: npm run synth /),
  c('estimate/synth.ts', ['-c', 'oops'], 2, /^error: -c oops: expected key=value/),
  c('estimate/synth.ts', ['-c', 'nodeMinSize=9'], 1, /^error: Invalid setting: nodeMinSize='9' /),
  c('estimate/synth.ts', ['-c', 'nodeInstancType=t3a.large'], 1, /did you mean nodeInstanceType\?/),
  // A fresh-user trial: --dist docs deleted docs/, --out '' wrote into the repository root with a
  // stack trace, --out README.md printed a raw ENOTDIR, --dist /proc/nope hung.
  c(
    'estimate/synth.ts',
    ['--dist', 'docs'],
    2,
    /^error: --dist 'docs': docs\/ is a source folder of the repository/,
  ),
  c('estimate/synth.ts', ['--out', ''], 2, /^error: --out '': an empty path; /),
  c(
    'estimate/synth.ts',
    ['--out', 'README.md'],
    2,
    /^error: --out 'README\.md': .*README\.md exists and is not a directory; /,
  ),
  c('estimate/synth.ts', ['--dist', '/proc/nope'], 2, /^error: --dist '\/proc\/nope': cannot create /),
  c(
    'estimate/synth.ts',
    ['--out', 'dist'],
    2,
    /^error: --out 'dist' and --dist 'dist': the same directory; /,
  ),
  c('estimate/cost.ts', ['--nope'], 2, /^error: Unknown option '--nope'; usage: npm run cost /),
  c('estimate/cost.ts', ['--region', 'eu wset'], 2, /^error: --region 'eu wset': an AWS region name/),
  c(
    'estimate/cost.ts',
    ['--region', 'xx-nowhere-1'],
    2,
    /^error: --region 'xx-nowhere-1': a region whose RDS root CA .*: af-south-1, /,
  ),
  c('estimate/cost.ts', ['--json', 'yes'], 2, /^error: Unexpected argument 'yes'/),
  c(
    'estimate/cost.ts',
    ['-c', 'nodeInstancType=t3a.large'],
    1,
    /unknown setting; did you mean nodeInstanceType\?/,
  ),
  c(
    'estimate/cost.ts',
    ['--assembly', '/nonexistent'],
    1,
    /^error: \/nonexistent\/manifest\.json not found: run .*npm run synth/,
  ),
  c(
    'estimate/critical-path.ts',
    ['--nope'],
    2,
    /^error: Unknown option '--nope'; usage: npm run critical-path /,
  ),
  c(
    'estimate/critical-path.ts',
    ['-c', 'vpcCidr=10.40.0.0/18'],
    1,
    /^error: Invalid setting: vpcCidr='10\.40\.0\.0\/18' /,
  ),
  c('estimate/bench.ts', ['--nope'], 2, /^error: Unknown option '--nope'; usage: npm run bench /),
  c('estimate/bench.ts', ['--runs', 'x'], 2, /^error: --runs x: a whole number/),
  c('estimate/bench.ts', ['--only', 'nothing'], 2, /^error: --only nothing: none of /),
  c('operate/preflight.ts', ['--nope'], 2, /^error: Unknown option '--nope'; usage: npm run preflight /),
  c('operate/preflight.ts', ['--region', ''], 2, /^error: --region '': an AWS region name/),
  c('operate/preflight.ts', ['-c', 'removalMode=keep'], 1, /^error: Invalid setting: removalMode='keep' /),
  // The emulator build (no EKS) is never checked for, or deployed to, a real account.
  c(
    'operate/preflight.ts',
    ['-c', 'emulator=true'],
    1,
    /^error: emulator=true \(from -c\) builds for the local moto rehearsal only .*AWS_ENDPOINT_URL is unset: set emulator=false /,
  ),
  c('operate/outputs.ts', ['--nope'], 2, /^error: Unknown option '--nope'; usage: npm run outputs /),
  c('operate/outputs.ts', ['--region', ''], 2, /^error: --region '': an AWS region name/),
  c(
    'operate/status.ts',
    ['--region', 'xx-nowhere-1'],
    2,
    /^error: --region 'xx-nowhere-1': a region whose RDS root CA .*: af-south-1, /,
  ),
  c('operate/status.ts', ['--nope'], 2, /^error: Unknown option '--nope'; usage: npm run status /),
  c(
    'operate/status.ts',
    ['--stack', 'bad name'],
    2,
    /^error: --stack 'bad name': a CloudFormation stack name/,
  ),
  c(
    'operate/render-manifests.ts',
    ['--nope'],
    2,
    /^error: Unknown option '--nope'; usage: npm run render-manifests /,
  ),
  c('operate/render-manifests.ts', ['--run-id', 'BAD_ID'], 2, /^error: --run-id 'BAD_ID': 1-24 lowercase/),
  // Its --help lacked the exit codes line (the help case below runs for every CLI listed here).
  c('operate/zenml-login.ts', ['--nope'], 2, /^error: Unknown option '--nope'; usage: npm run zenml-login /),
  c('operate/zenml-login.ts', ['--local-port', 'x'], 2, /^error: --local-port 'x': a TCP port number/),
  c('operate/spark-ui.ts', ['--nope'], 2, /^error: Unknown option '--nope'; usage: npm run spark-ui /),
  c('operate/spark-ui.ts', ['--local-port', 'x'], 2, /^error: --local-port 'x': a TCP port number/),
  c(
    'operate/spark-ui.ts',
    ['-c', 'sparkHistoryServer=false'],
    1,
    /^error: the history server is off \(sparkHistoryServer=false\): set it to true and deploy/,
  ),
  c(
    'operate/spark-ui.ts',
    ['-c', 'sparkEventLogPrefix=/x/'],
    1,
    /^error: Invalid setting: sparkEventLogPrefix='\/x\/' /,
  ),
  c('operate/spark-ui.ts', ['--local-port', '0'], 2, /^error: --local-port '0': a TCP port number/),
  c(
    'operate/spark-ui.ts',
    ['--kubectl', '/nonexistent/kubectl'],
    1,
    /^error: '\/nonexistent\/kubectl' \(--kubectl\) is not on PATH/,
  ),
  // A kubectl whose `config current-context` prints nothing and fails: no context configured.
  c(
    'operate/spark-ui.ts',
    ['--kubectl', '/bin/false', '--local-port', '18999'],
    1,
    /^error: no kubeconfig context: run aws eks update-kubeconfig/,
  ),
  c('operate/run-pipeline.ts', ['--nope'], 2, /^run-pipeline: Unknown option '--nope'; usage: /),
  // [example] the bucket value was checked only when the chart was built: exit 1, not the documented 2.
  c(
    'operate/run-pipeline.ts',
    ['--bucket', 'b', '--image', IMAGE, '--region', 'eu-west-1', '--dry-run'],
    2,
    /^run-pipeline: --bucket='b': an S3 bucket name/,
  ),
  c('operate/run-pipeline.ts', ['--run-id', 'demo-1', '--dry-run'], 2, /^run-pipeline: missing --bucket/),
  c(
    'operate/run-pipeline.ts',
    [
      '--bucket',
      'zenml-artifacts',
      '--image',
      IMAGE,
      '--region',
      'eu-west-1',
      '--node-type',
      'm9.huge',
      '--dry-run',
    ],
    2,
    /^run-pipeline: --node-type=m9\.huge: one of the sized node types/,
  ),
  c(
    'operate/run-pipeline.ts',
    ['--bucket', 'zenml-artifacts', '--image', IMAGE, '--region', 'mars', '--dry-run'],
    2,
    /^run-pipeline: --region='mars': an AWS region/,
  ),
  c(
    'operate/run-pipeline.ts',
    ['--outputs', '/nonexistent', '--image-tag', 'x'],
    2,
    /^run-pipeline: --outputs=\/nonexistent: cannot read it/,
  ),
  c(
    'verify/gates.ts',
    ['--nope'],
    2,
    /^error: Unknown option '--nope'; usage: bash scripts\/verify\/gates\.sh /,
  ),
  c('verify/gates.ts', ['--only', 'nope'], 2, /^error: --only nope: unknown gate/),
  c(
    'verify/gates.ts',
    ['--unstamped'],
    2,
    /^error: --unstamped with --only [\w,-]+: allowed only with --only kubeconform/,
  ),
  c(
    'verify/rehearsal.ts',
    ['--nope'],
    2,
    /^error: Unknown option '--nope'; usage: bash scripts\/verify\/rehearsal\.sh /,
  ),
  c('verify/rehearsal.ts', ['--time-limit', '5'], 2, /^error: --time-limit 5: expected whole seconds >= 60/),
  c(
    'generate/settings-table.ts',
    ['--nope'],
    2,
    /^error: Unknown option '--nope'; usage: npx tsx scripts\/generate\/settings-table\.ts /,
  ),
  c(
    'generate/spark-contract.ts',
    ['--nope'],
    2,
    /^error: Unknown option '--nope'; usage: npx tsx scripts\/generate\/spark-contract\.ts /,
  ),
  c(
    'operate/build-spark-image.sh',
    ['--nope'],
    2,
    /^build-spark-image: unknown argument '--nope' \(see --help\)$/,
  ),
  c(
    'operate/build-spark-image.sh',
    ['--repository'],
    2,
    /^build-spark-image: --repository needs a URI \(see --help\)$/,
  ),
  c(
    'operate/build-spark-image.sh',
    ['--stack', '--dry-run'],
    2,
    /^build-spark-image: --stack needs a stack name/,
  ),
  // The real AWS CLI without credentials (the run's environment has none); where it is not installed
  // the script stops earlier, at `aws not found` (exit 3), so the case needs it.
  ...(onPath('aws')
    ? [
        c(
          'operate/build-spark-image.sh',
          ['--stack', 'zenml-spark'],
          1,
          /^build-spark-image: no usable AWS credentials \(aws sts get-caller-identity: .+\): configure them .*until 'aws sts get-caller-identity' works$/,
        ),
      ]
    : []),
  c(
    'verify/test.sh',
    ['unit', 'nope'],
    2,
    /^test: unknown suite 'nope': use one or more of install typecheck lint unit .* rehearsal \(or none for all\)$/,
  ),
  c('verify/test.sh', ['--verbose'], 2, /^test: unknown flag '--verbose' \(see --help\)$/),
];

interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run({ cli, args }: Case): Promise<Result> {
  const script = path.join(ROOT, 'scripts', cli);
  const [cmd, argv] = cli.endsWith('.sh') ? ['bash', [script, ...args]] : [TSX, [script, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      // No AWS setup at all: a CLI that reached AWS here would be a bug of its own.
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TMPDIR: process.env.TMPDIR,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_REGION: 'eu-west-1',
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
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const HELP_CASES: readonly Case[] = [...new Set(CASES.map((k) => k.cli))].map((cli) =>
  c(cli, ['--help'], 0, /^$/),
);

/** Runs every case, a few at a time (each is a Node start-up), before the assertions. */
const results = new Map<Case, Result>();
beforeAll(async () => {
  const queue = [...CASES, ...HELP_CASES];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) results.set(next, await run(next));
  };
  await Promise.all([worker(), worker(), worker()]);
}, 600_000);

describe.each(CASES.map((k) => [`${k.cli} ${k.args.join(' ')}`, k] as const))('%s', (_name, k) => {
  test(`exits ${k.code} with one line on stderr, no stack trace`, () => {
    const r = results.get(k) as Result;
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect({ status: r.status, lines }).toEqual({ status: k.code, lines: [expect.stringMatching(k.stderr)] });
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

test.each(HELP_CASES.map((k) => [k.cli, k] as const))('%s --help documents the exit codes', (_cli, k) => {
  const r = results.get(k) as Result;
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/Exit codes: 0 [^\n]*, 2 bad flags or flag values/);
});
