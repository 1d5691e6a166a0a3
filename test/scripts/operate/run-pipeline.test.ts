/**
 * scripts/operate/run-pipeline.ts against a fake `kubectl` put on PATH in a temp dir. Why a fake: no
 * Kubernetes API server can run on this machine (no container runtime, no cluster), and the logic
 * under test is the script's (ordering, stop on failure, log tail, bounded waits, errors), not
 * kubectl's. The fake records every call and answers from a scenario file.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../../scripts/operate/run-pipeline';

const FAKE_KUBECTL = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const state = process.env.FAKE_KUBECTL_STATE;
const scenario = JSON.parse(fs.readFileSync(process.env.FAKE_KUBECTL_SCENARIO, 'utf8'));
const db = fs.existsSync(path.join(state, 'db.json')) ? JSON.parse(fs.readFileSync(path.join(state, 'db.json'), 'utf8')) : { applied: {}, polls: {} };
let args = process.argv.slice(2);
const context = args.indexOf('--context');
if (context >= 0) args.splice(context, 2);
args = args.filter((a) => !a.startsWith('--request-timeout'));
const flag = (name) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
const save = (entry) => {
  fs.appendFileSync(path.join(state, 'calls.log'), JSON.stringify(entry) + '\\n');
  fs.writeFileSync(path.join(state, 'db.json'), JSON.stringify(db));
};
const jobJson = (name, result) => {
  if (result === 'Complete') return { status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } };
  if (result === 'Failed') return { status: { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'PodFailurePolicy', message: 'Container driver for pod ' + name + '-new failed with exit code 1 matching FailJob rule at index 0' }] } };
  return { status: { active: 1, ready: 1 } };
};
if (args[0] === 'version') {
  save({ cmd: 'version' });
  console.log(JSON.stringify({ clientVersion: { gitVersion: 'v1.36.0' } }));
} else if (args[0] === 'apply') {
  const file = flag('-f');
  const text = fs.readFileSync(file, 'utf8');
  const jobs = text.split(/^---$/m).filter((d) => /^kind: Job$/m.test(d)).map((d) => /^  name: (.+)$/m.exec(d)[1]);
  for (const j of jobs) db.applied[j] = true;
  save({ cmd: 'apply', file: path.basename(file), jobs, namespace: flag('-n'), context: context >= 0 });
  jobs.forEach((j) => console.log('job.batch/' + j + ' created'));
} else if (args[0] === 'get' && args[1] === 'job') {
  const name = args[2];
  const spec = (scenario.steps || {})[name] || { pollsUntilDone: 1, result: 'Complete' };
  if (!db.applied[name] || spec.result === 'Vanish') {
    save({ cmd: 'get-job', name, found: !!(scenario.existing || {})[name] });
    if ((scenario.existing || {})[name]) { console.log(JSON.stringify(jobJson(name, scenario.existing[name]))); process.exit(0); }
    console.error('Error from server (NotFound): jobs.batch "' + name + '" not found');
    process.exit(1);
  }
  db.polls[name] = (db.polls[name] || 0) + 1;
  const done = spec.result !== 'Hang' && db.polls[name] >= spec.pollsUntilDone;
  save({ cmd: 'get-job', name, poll: db.polls[name], done });
  console.log(JSON.stringify(jobJson(name, done ? spec.result : 'Running')));
} else if (args[0] === 'get' && args[1] === 'pods') {
  const job = flag('-l').split('=')[1];
  save({ cmd: 'get-pods', job });
  console.log(JSON.stringify({ items: [
    { metadata: { name: job + '-new', creationTimestamp: '2026-11-24T10:05:00Z' } },
    { metadata: { name: job + '-old', creationTimestamp: '2026-11-24T10:00:00Z' } },
  ] }));
} else if (args[0] === 'logs') {
  const pod = args.find((a, i) => i > 0 && !a.startsWith('-') && args[i - 1] !== '-n' && args[i - 1] !== '-c');
  const tail = Number(args.find((a) => a.startsWith('--tail=')).split('=')[1]);
  save({ cmd: 'logs', pod, tail });
  const job = pod.replace(/-(new|old)$/, '');
  const lines = ((scenario.steps || {})[job] || {}).log || [];
  console.log(lines.slice(-tail).map((l) => pod + ': ' + l).join('\\n'));
} else if (args[0] === 'delete') {
  save({ cmd: 'delete', kind: args[1], name: args[2] });
} else {
  console.error('fake kubectl: unexpected ' + args.join(' '));
  process.exit(64);
}
`;

// Each fake kubectl call starts a node process: on a busy 2-core machine a run takes seconds.
jest.setTimeout(120_000);

interface Call {
  cmd: string;
  [key: string]: unknown;
}

let dir: string;
let binDir: string;
let stateDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'run-pipeline-test-'));
  binDir = join(dir, 'bin');
  stateDir = join(dir, 'state');
  mkdirSync(binDir);
  mkdirSync(stateDir);
  writeFileSync(join(binDir, 'kubectl'), FAKE_KUBECTL);
  chmodSync(join(binDir, 'kubectl'), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const BASE = [
  '--bucket',
  'zenml-artifacts',
  '--region',
  'eu-west-1',
  '--image',
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml:spark-abc',
  '--run-id',
  'r1',
];
// A short poll and a step bound, so that no test can leave a long wait behind.
const FAST = ['--poll-interval', '0.02', '--step-timeout', '60'];

async function run(argv: string[], scenario: object = {}, pathDirs?: string[]) {
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify(scenario));
  const lines: string[] = [];
  const env = {
    // The fake is a node script: node's own directory must be on PATH, but no real kubectl.
    PATH: (pathDirs ?? [binDir, dirname(process.execPath)]).join(':'),
    FAKE_KUBECTL_STATE: stateDir,
    FAKE_KUBECTL_SCENARIO: join(dir, 'scenario.json'),
  };
  const started = Date.now();
  const code = await main(argv, { out: (l) => lines.push(l), env });
  return { code, output: lines.join('\n'), seconds: (Date.now() - started) / 1000 };
}

function calls(): Call[] {
  try {
    return readFileSync(join(stateDir, 'calls.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

const applies = () =>
  calls()
    .filter((c) => c.cmd === 'apply')
    .map((c) => c.file);

describe('run-pipeline with a fake kubectl', () => {
  test('runs the five steps in order, each applied only after the previous one completed', async () => {
    const steps = Object.fromEntries(
      ['importer', 'statistics', 'splitter', 'transformer', 'trainer'].map((s) => [
        `spark-r1-${s}`,
        { pollsUntilDone: 3, result: 'Complete' },
      ]),
    );
    const { code, output } = await run([...BASE, ...FAST], { steps });
    expect(code).toBe(0);
    expect(applies()).toEqual([
      '0-shared.yaml',
      '1-importer.yaml',
      '2-statistics.yaml',
      '3-splitter.yaml',
      '4-transformer.yaml',
      '5-trainer.yaml',
    ]);
    // Between two applies, the earlier step's Job was polled until done.
    const log = calls();
    for (let i = 1; i < 5; i++) {
      const applyNext = log.findIndex((c) => c.cmd === 'apply' && c.file === applies()[i + 1]);
      const doneBefore = log.slice(0, applyNext).filter((c) => c.cmd === 'get-job' && c.done === true);
      expect(doneBefore).toHaveLength(i);
    }
    expect(output).toMatch(/\[1\/5\] importer +Running +\d+s/);
    expect(output).toMatch(/\[5\/5\] trainer +Succeeded +\d+s/);
    expect(output).toMatch(/^trainer +Succeeded +\d+s$/m);
    expect(output).toContain('run r1: all steps succeeded');
    // Each finished step's headless driver Service is removed.
    expect(
      calls()
        .filter((c) => c.cmd === 'delete')
        .map((c) => c.name),
    ).toHaveLength(5);
  });

  test('stops at the failing step and prints the newest driver pod log tail', async () => {
    const log = ['line 1', 'line 2', 'Traceback (most recent call last):', 'StepError: bad input', 'exit 1'];
    const { code, output } = await run([...BASE, ...FAST, '--log-lines', '3'], {
      steps: { 'spark-r1-splitter': { pollsUntilDone: 2, result: 'Failed', log } },
    });
    expect(code).toBe(1);
    expect(applies()).toEqual(['0-shared.yaml', '1-importer.yaml', '2-statistics.yaml', '3-splitter.yaml']);
    expect(output).toContain(
      'step splitter failed: PodFailurePolicy: Container driver for pod spark-r1-splitter-new failed with exit code 1',
    );
    expect(output).toContain('spark-r1-splitter-new: StepError: bad input');
    expect(output).toContain('spark-r1-splitter-new: exit 1');
    expect(output).not.toContain('line 2');
    expect(calls().find((c) => c.cmd === 'logs')).toEqual({
      cmd: 'logs',
      pod: 'spark-r1-splitter-new',
      tail: 3,
    });
    expect(output).toMatch(/^transformer +NotRun +-$/m);
    expect(output).toMatch(/^trainer +NotRun +-$/m);
    expect(output).toContain('run r1: FAILED');
  });

  test('a step that never finishes is bounded by --step-timeout', async () => {
    const { code, output, seconds } = await run([...BASE, '--poll-interval', '0.02', '--step-timeout', '1'], {
      steps: { 'spark-r1-importer': { result: 'Hang', log: ['still waiting for executors'] } },
    });
    expect(code).toBe(1);
    // Bounded: 1 s of waiting plus the log-tail calls, with room for a loaded machine.
    expect(seconds).toBeLessThan(30);
    expect(output).toContain('step importer timed out: no result after 1s (--step-timeout)');
    expect(output).toContain('still waiting for executors');
    expect(applies()).toEqual(['0-shared.yaml', '1-importer.yaml']);
  });

  test('--from resumes at a step; a step that already succeeded is skipped, not re-applied', async () => {
    const { code, output } = await run([...BASE, ...FAST, '--from', 'transformer'], {
      existing: { 'spark-r1-transformer': 'Complete' },
    });
    expect(code).toBe(0);
    expect(applies()).toEqual(['0-shared.yaml', '5-trainer.yaml']);
    expect(output).toMatch(/^importer +Skipped +-$/m);
    expect(output).toContain('[4/5] transformer Skipped     already succeeded for run r1');
  });

  test('a Job left failed by an earlier attempt of the same run id stops the run with the fix', async () => {
    const { code, output } = await run([...BASE, ...FAST], { existing: { 'spark-r1-importer': 'Failed' } });
    expect(code).toBe(1);
    expect(output).toContain('kubectl delete job spark-r1-importer -n spark-namespace');
    expect(applies()).toEqual(['0-shared.yaml']);
  });

  test('a Job that disappears while waited for ends the wait after a few failed reads', async () => {
    const { code, output } = await run([...BASE, ...FAST], {
      steps: { 'spark-r1-importer': { result: 'Vanish' } },
    });
    expect(code).toBe(1);
    expect(output).toContain(
      'kubectl get job spark-r1-importer failed 5 times in a row: Error from server (NotFound)',
    );
    expect(calls().filter((c) => c.cmd === 'get-job' && c.name === 'spark-r1-importer')).toHaveLength(6);
  });

  test('--context is passed to every kubectl call', async () => {
    await run([...BASE, ...FAST, '--context', 'arn:aws:eks:eu-west-1:123456789012:cluster/zenml-spark']);
    expect(
      calls()
        .filter((c) => c.cmd === 'apply')
        .every((c) => c.context === true),
    ).toBe(true);
  });

  test('without kubectl: one clear error, exit 3', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const { code, output } = await run([...BASE, ...FAST], {}, [empty]);
    expect(code).toBe(3);
    expect(output).toMatch(/^run-pipeline: kubectl not found \(--kubectl=kubectl\): install kubectl/);
  });

  test('values from describe-stacks outputs and --image-tag; --dry-run changes nothing', async () => {
    const outputs = join(dir, 'outputs.json');
    writeFileSync(
      outputs,
      JSON.stringify({
        Stacks: [
          {
            Outputs: [
              { OutputKey: 'ArtifactBucketName', OutputValue: 'zenml-spark-artifacts-1' },
              {
                OutputKey: 'EcrRepositoryUri',
                OutputValue: '123456789012.dkr.ecr.us-east-2.amazonaws.com/zenml',
              },
              { OutputKey: 'Region', OutputValue: 'us-east-2' },
            ],
          },
        ],
      }),
    );
    const { code, output } = await run([
      '--outputs',
      outputs,
      '--image-tag',
      'spark-0123abcd',
      '--run-id',
      'r2',
      '--dry-run',
    ]);
    expect(code).toBe(0);
    expect(calls()).toEqual([]);
    expect(output).toContain('image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/zenml:spark-0123abcd');
    expect(output).toContain('s3a://zenml-spark-artifacts-1');
    expect(output).toContain('spark.hadoop.fs.s3a.endpoint.region=us-east-2');
  });

  test.each([
    ['unknown flag', ['--bogus'], /^run-pipeline: Unknown option '--bogus'/],
    ['run id', [...BASE, '--run-id', 'Bad_Id'], /--run-id=Bad_Id: use 1-24 of a-z/],
    [
      '--from',
      [...BASE, '--from', 'evaluator'],
      /--from=evaluator: one of importer, statistics, splitter, transformer, trainer/,
    ],
    ['poll interval', [...BASE, '--poll-interval', '0'], /--poll-interval=0: a number from 0.01 to 60/],
    ['min accuracy', [...BASE, '--min-accuracy', '2'], /--min-accuracy=2: a number from 0 to 1/],
    ['no bucket', ['--region', 'eu-west-1', '--image', 'repo/zenml:t'], /missing --bucket/],
    [
      'image without tag',
      ['--bucket', 'b', '--region', 'eu-west-1', '--image', 'zenml'],
      /--image=zenml: a registry image with a tag or digest/,
    ],
    [
      'tag without outputs',
      ['--image-tag', 'x', '--bucket', 'b', '--region', 'eu-west-1'],
      /--image-tag needs --outputs/,
    ],
  ])('bad flags (%s): exit 2 with a message naming the flag', async (_case, argv, message) => {
    const { code, output } = await run(argv);
    expect(code).toBe(2);
    expect(output).toMatch(message);
    expect(calls()).toEqual([]);
  });

  test('an unreadable --outputs file is named', async () => {
    writeFileSync(join(dir, 'bad.json'), '{not json');
    const { code, output } = await run(['--outputs', join(dir, 'bad.json'), '--image-tag', 't']);
    expect(code).toBe(2);
    expect(output).toContain(`--outputs=${join(dir, 'bad.json')}: cannot read it as JSON`);
  });

  test('--help prints the usage from the command line', () => {
    const out = execFileSync(
      join('node_modules', '.bin', 'tsx'),
      ['scripts/operate/run-pipeline.ts', '--help'],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toContain('Usage: npx tsx scripts/operate/run-pipeline.ts');
    expect(out).toContain('--step-timeout SECONDS');
  });
});
