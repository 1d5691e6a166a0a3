/**
 * scripts/operate/run-pipeline.ts without a cluster: flags, values from stack outputs, --dry-run,
 * help, and a missing kubectl. Its step sequencing (ordering, waits, failures, reruns, refused
 * objects) runs against a real API server in run-pipeline.kube.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../scripts/operate/run-pipeline';

jest.setTimeout(120_000);

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'run-pipeline-test-'));
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
const FAST = ['--poll-interval', '0.02', '--step-timeout', '60'];

/** Runs main with a PATH that holds no kubectl at all: any kubectl call fails with exit 3. */
async function run(argv: string[]) {
  const empty = join(dir, 'empty');
  mkdirSync(empty, { recursive: true });
  const lines: string[] = [];
  const code = await main(argv, { out: (l) => lines.push(l), env: { PATH: empty } });
  return { code, output: lines.join('\n') };
}

describe('run-pipeline without a cluster', () => {
  test('without kubectl: one clear error, exit 3', async () => {
    const { code, output } = await run([...BASE, ...FAST]);
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
    // A fresh-user trial: a node type too small for the steps failed with exit 1 and a message
    // about stepResources.importer, naming no flag.
    [
      'node type the steps do not fit on',
      [...BASE, '--node-type', 't3a.large', '--dry-run'],
      /^run-pipeline: --node-type=t3a\.large: the importer step \(driver \+ 2 executors, 3000m CPU \/ \d+Mi\) does not fit on one t3a\.large \(\d+m \/ \d+Mi left for Spark\); one of the sized node types the steps fit on: .*t3a\.xlarge/,
    ],
    // ...and --input notauri was accepted, to fail in the importer's pod.
    [
      'input not a URI',
      [...BASE, '--input', 'notauri', '--dry-run'],
      /^run-pipeline: --input=notauri: an s3a:\/\/<bucket>\/<key> \(or s3:\/\/\) URI of a CSV, or a file:\/\/\/<path> inside the image/,
    ],
    [
      'input without a key',
      [...BASE, '--input', 's3a://bucket/', '--dry-run'],
      /^run-pipeline: --input=s3a:\/\/bucket\/: /,
    ],
    [
      'input of another scheme',
      [...BASE, '--input', 'https://x/y.csv', '--dry-run'],
      /^run-pipeline: --input=https:/,
    ],
  ])('bad flags (%s): exit 2 with a message naming the flag', async (_case, argv, message) => {
    const { code, output } = await run(argv);
    expect(code).toBe(2);
    expect(output).toMatch(message);
  });

  test('--image-tag with a space: the message names --image-tag, the flag given, not --image', async () => {
    const outputs = join(dir, 'outputs.json');
    writeFileSync(
      outputs,
      JSON.stringify({
        ArtifactBucketName: 'zenml-artifacts',
        EcrRepositoryUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml',
        Region: 'eu-west-1',
      }),
    );
    const { code, output } = await run(['--outputs', outputs, '--image-tag', 'a b', '--dry-run']);
    expect(code).toBe(2);
    expect(output.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^run-pipeline: --image-tag='a b': an image tag \(1-128 of letters, digits, '_', '\.', '-'/,
      ),
    ]);
  });

  test.each([
    ['s3a://zenml-artifacts/data/my.csv', 's3a://zenml-artifacts/data/my.csv'],
    // The image's Hadoop has S3A only (no fs.s3.impl): s3:// is read as s3a://, as the ZenML materializers do.
    ['s3://zenml-artifacts/data/my.csv', 's3a://zenml-artifacts/data/my.csv'],
    ['file:///opt/zenml-spark/data/sample.csv', 'file:///opt/zenml-spark/data/sample.csv'],
  ])('--input %s: accepted, the importer reads %s', async (input, read) => {
    const { code, output } = await run([...BASE, '--input', input, '--dry-run']);
    expect(code).toBe(0);
    expect(output).toContain(`- --input\n`);
    expect(output).toContain(`- ${read}\n`);
  });

  test('an unreadable --outputs file is named', async () => {
    writeFileSync(join(dir, 'bad.json'), '{not json');
    const { code, output } = await run(['--outputs', join(dir, 'bad.json'), '--image-tag', 't']);
    expect(code).toBe(2);
    expect(output).toContain(`--outputs=${join(dir, 'bad.json')}: cannot read it as JSON`);
  });

  test.each([
    [
      'empty (what a failed `aws ... > outputs.json` leaves)',
      '',
      /: the file is empty; write it with: aws cloudformation describe-stacks --stack-name <stack> > /,
    ],
    [
      'a stack without outputs yet',
      '{"Stacks":[{"StackName":"zenml-spark","StackStatus":"CREATE_IN_PROGRESS"}]}',
      /: no stack outputs in it \(is the stack deployed, CREATE_COMPLETE or UPDATE_COMPLETE\?\); write it with: /,
    ],
    ['no stack', '{"Stacks":[]}', /: no stack outputs in it /],
    ['an empty map', '{}', /: no stack outputs in it /],
  ])(
    '--outputs that is %s: one line saying so and how to write it, exit 2',
    async (_case, content, message) => {
      const file = join(dir, 'outputs-case.json');
      writeFileSync(file, content);
      const { code, output } = await run(['--outputs', file, '--image-tag', 't']);
      expect(code).toBe(2);
      expect(output.trim().split('\n')).toEqual([expect.stringMatching(message)]);
      expect(output).toContain(`run-pipeline: --outputs=${file}: `);
    },
  );

  test('--help prints the usage from the command line', () => {
    const out = execFileSync(
      join('node_modules', '.bin', 'tsx'),
      ['scripts/operate/run-pipeline.ts', '--help'],
      {
        encoding: 'utf8',
      },
    );
    // The form a user types (package.json's run-pipeline script), as every other entry point's help.
    expect(out).toMatch(/^Usage: npm run run-pipeline -- /);
    expect(out).toContain('--step-timeout SECONDS');
  });
});
