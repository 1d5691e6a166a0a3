/**
 * The cfn-lint, checkov and kubeconform gates' own decisions, with stand-ins for the tools (the
 * GATES_* paths scripts/verify/gates.sh exports): a tool that breaks fails its gate, an error is
 * never acknowledgeable, a framework with nothing to scan fails, missing input fails, and a finding
 * fails the gate. The parsers are tested apart (parsers/tool-output.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readAssemblyIndex } from '../../../../../scripts/verify/gates/parsers/assembly-index';
import { cfnLintGate } from '../../../../../scripts/verify/gates/runners/cfn-lint';
import { checkovGates } from '../../../../../scripts/verify/gates/runners/checkov';
import { kubeconformGate } from '../../../../../scripts/verify/gates/runners/kubeconform';
import { runTool, tail } from '../../../../../scripts/verify/gates/runners/tool';
import { tempDir } from '../../../../temp-dirs';

/** A tool that prints FAKE_STDOUT, copies FAKE_REPORT into <--output-file-path>/results_json.json, exits FAKE_EXIT. */
function fakeTool(): string {
  const file = path.join(tempDir('gates-fake-tool-'), 'tool');
  fs.writeFileSync(
    file,
    `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
const i = args.indexOf('--output-file-path');
if (i >= 0 && process.env.FAKE_REPORT) fs.writeFileSync(path.join(args[i + 1], 'results_json.json'), process.env.FAKE_REPORT);
if (process.env.FAKE_ARGS) fs.writeFileSync(process.env.FAKE_ARGS, JSON.stringify(args));
process.stdout.write(process.env.FAKE_STDOUT || '');
process.stderr.write('tool stderr line');
process.exit(Number(process.env.FAKE_EXIT || 0));
`,
  );
  fs.chmodSync(file, 0o755);
  return file;
}

/** A one-stack cloud assembly, its bucket mapped to a construct path. */
function assembly() {
  const dir = tempDir('gates-assembly-');
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      artifacts: {
        ZenmlSpark: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: 'ZenmlSpark.template.json' },
        },
      },
    }),
  );
  fs.writeFileSync(path.join(dir, 'ZenmlSpark.template.json'), '{"Resources":{}}');
  fs.writeFileSync(
    path.join(dir, 'ZenmlSpark.metadata.json'),
    JSON.stringify({
      '/ZenmlSpark/ArtifactStore/Bucket/Resource': [
        { type: 'aws:cdk:logicalId', data: 'ArtifactStoreBucket47CE7D81' },
      ],
    }),
  );
  return { dir, index: readAssemblyIndex(dir) };
}

const KEYS = [
  'GATES_CFN_LINT',
  'GATES_CHECKOV',
  'GATES_KUBECONFORM',
  'FAKE_STDOUT',
  'FAKE_REPORT',
  'FAKE_EXIT',
  'FAKE_ARGS',
];
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

const tool = fakeTool();
const lintMatch = (id: string, level: string, logicalId = 'ArtifactStoreBucket47CE7D81') => ({
  Filename: '/x/ZenmlSpark.template.json',
  Level: level,
  Location: { Start: { LineNumber: 7 }, Path: ['Resources', logicalId, 'Properties'] },
  Message: `${id} message`,
  Rule: { Id: id },
});

describe('cfn-lint gate', () => {
  test('GIVEN an unacknowledged warning THEN it fails, the finding named by construct path; the region is passed on', async () => {
    const argsFile = path.join(tempDir('gates-args-'), 'args.json');
    Object.assign(process.env, {
      GATES_CFN_LINT: tool,
      FAKE_STDOUT: JSON.stringify([lintMatch('W9999', 'Warning')]),
      FAKE_EXIT: '4',
      FAKE_ARGS: argsFile,
    });
    const { index } = assembly();
    const r = await cfnLintGate(index, 'eu-west-1');
    expect(r.passed).toBe(false);
    expect(r.scope).toBe('1 template(s), region eu-west-1');
    expect(r.unacknowledged.map((f) => [f.rule, f.resource])).toEqual([
      ['W9999', 'ZenmlSpark/ArtifactStore/Bucket'],
    ]);
    const args = JSON.parse(fs.readFileSync(argsFile, 'utf8'));
    expect(args.slice(0, 4)).toEqual(['--format', 'json', '--regions', 'eu-west-1']);
    expect(args.slice(4, 5)).toEqual(['--']);
  });

  test('GIVEN no region THEN us-east-1 is named and no --regions passed', async () => {
    const argsFile = path.join(tempDir('gates-args-'), 'args.json');
    Object.assign(process.env, {
      GATES_CFN_LINT: tool,
      FAKE_STDOUT: '[]',
      FAKE_EXIT: '0',
      FAKE_ARGS: argsFile,
    });
    const r = await cfnLintGate(assembly().index, undefined);
    expect(r.scope).toBe('1 template(s), region us-east-1');
    expect(JSON.parse(fs.readFileSync(argsFile, 'utf8')).slice(0, 3)).toEqual(['--format', 'json', '--']);
  });

  test('GIVEN an error THEN it is never acknowledgeable: unacknowledged, gate failed', async () => {
    Object.assign(process.env, {
      GATES_CFN_LINT: tool,
      FAKE_STDOUT: JSON.stringify([lintMatch('E3001', 'Error')]),
      FAKE_EXIT: '2',
    });
    const r = await cfnLintGate(assembly().index, undefined);
    expect(r.passed).toBe(false);
    expect(r.unacknowledged.map((f) => f.rule)).toEqual(['E3001']);
  });

  test('GIVEN cfn-lint crashes (exit 1) THEN the gate fails with its exit code and stderr', async () => {
    Object.assign(process.env, { GATES_CFN_LINT: tool, FAKE_STDOUT: '', FAKE_EXIT: '1' });
    const r = await cfnLintGate(assembly().index, undefined);
    expect(r.passed).toBe(false);
    expect(r.problems).toEqual(['cfn-lint failed (exit 1):\ntool stderr line']);
  });
});

const checkovReport = (
  framework: string,
  failed: { check_id: string; resource: string; file_path: string }[],
) => ({
  check_type: framework,
  results: {
    failed_checks: failed.map((f) => ({ ...f, check_name: 'n', file_line_range: [1, 2] })),
    parsing_errors: [],
  },
  summary: { passed: 3, failed: failed.length, skipped: 0, parsing_errors: 0, resource_count: 2 },
});

describe('checkov gates', () => {
  test('GIVEN a failed check in each framework THEN both gates fail with the finding', async () => {
    const { dir, index } = assembly();
    const dist = tempDir('gates-dist-');
    Object.assign(process.env, {
      GATES_CHECKOV: tool,
      FAKE_EXIT: '1',
      FAKE_REPORT: JSON.stringify([
        checkovReport('cloudformation', [
          {
            check_id: 'CKV_AWS_999',
            resource: 'AWS::S3::Bucket.ArtifactStoreBucket47CE7D81',
            file_path: '/ZenmlSpark.template.json',
          },
        ]),
        checkovReport('kubernetes', [
          { check_id: 'CKV_K8S_999', resource: 'Job.spark-namespace.x', file_path: '/jobs.k8s.yaml' },
        ]),
      ]),
    });
    const results = await checkovGates(index, dir, dist, new Set(['checkov-cfn', 'checkov-k8s']));
    expect(results.map((r) => [r.gate, r.passed])).toEqual([
      ['checkov-cfn', false],
      ['checkov-k8s', false],
    ]);
    expect(results[0].unacknowledged.map((f) => [f.rule, f.resource])).toEqual([
      ['CKV_AWS_999', 'ZenmlSpark/ArtifactStore/Bucket'],
    ]);
    expect(results[0].scope).toMatch(/^1 template\(s\) in .* \(2 resources, 3 checks passed\)$/);
    expect(results[1].unacknowledged.map((f) => f.rule)).toEqual(['CKV_K8S_999']);
  });

  test('GIVEN checkov leaves a framework out of its report THEN that gate fails: nothing was checked', async () => {
    const { dir, index } = assembly();
    const dist = tempDir('gates-dist-');
    Object.assign(process.env, {
      GATES_CHECKOV: tool,
      FAKE_EXIT: '0',
      FAKE_REPORT: JSON.stringify(checkovReport('cloudformation', [])),
    });
    const results = await checkovGates(index, dir, dist, new Set(['checkov-cfn', 'checkov-k8s']));
    const k8s = results.find((r) => r.gate === 'checkov-k8s');
    expect(k8s?.passed).toBe(false);
    expect(k8s?.problems[0]).toMatch(/^checkov found no kubernetes resources to check in /);
  });

  test('GIVEN checkov breaks (exit 2, no report) THEN every wanted checkov gate fails with the reason', async () => {
    const { dir, index } = assembly();
    const dist = tempDir('gates-dist-');
    Object.assign(process.env, { GATES_CHECKOV: tool, FAKE_EXIT: '2', FAKE_REPORT: '' });
    const results = await checkovGates(index, dir, dist, new Set(['checkov-cfn', 'checkov-k8s']));
    expect(results.map((r) => [r.gate, r.passed, r.problems])).toEqual([
      ['checkov-cfn', false, ['checkov failed (exit 2):\ntool stderr line']],
      ['checkov-k8s', false, ['checkov failed (exit 2):\ntool stderr line']],
    ]);
  });

  test('GIVEN no dist/ and no assembly THEN both fail without running checkov', async () => {
    delete process.env.GATES_CHECKOV;
    const gone = path.join(tempDir('gates-gone-'), 'none');
    const results = await checkovGates(undefined, gone, gone, new Set(['checkov-cfn', 'checkov-k8s']));
    expect(results.map((r) => [r.gate, r.passed])).toEqual([
      ['checkov-k8s', false],
      ['checkov-cfn', false],
    ]);
    expect(results[0].problems[0]).toMatch(/not found: the main synth command \(npm run synth\) writes it$/);
    expect(results[1].problems).toEqual(['no cloud assembly']);
  });

  test('GIVEN only checkov-cfn wanted THEN no Kubernetes result at all', async () => {
    const { dir, index } = assembly();
    Object.assign(process.env, {
      GATES_CHECKOV: tool,
      FAKE_EXIT: '0',
      FAKE_REPORT: JSON.stringify(checkovReport('cloudformation', [])),
    });
    const results = await checkovGates(index, dir, tempDir('gates-dist-'), new Set(['checkov-cfn']));
    expect(results.map((r) => r.gate)).toEqual(['checkov-cfn']);
  });
});

describe('kubeconform gate', () => {
  test('GIVEN no dist/ THEN it fails naming the command that writes it', async () => {
    const r = await kubeconformGate(path.join(tempDir('gates-gone-'), 'dist'), '1.36');
    expect(r.passed).toBe(false);
    expect(r.problems[0]).toMatch(/dist\/ not found: the main synth command \(npm run synth\) writes it$/);
    expect(r.scope).toMatch(/against Kubernetes 1\.36 schemas \(strict\)$/);
  });
});

describe('runTool and tail', () => {
  test("a tool's exit code, output and time; a missing tool is an error naming it", async () => {
    const r = await runTool('sh', ['-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 10_000 });
    expect([r.code, r.signal, r.stdout, r.stderr, r.timedOut]).toEqual([3, null, 'out\n', 'err\n', false]);
    expect(r.ms).toBeGreaterThanOrEqual(0);
    expect(r.ms).toBeLessThan(10_000);
    await expect(runTool('/nonexistent/tool', [], { timeoutMs: 1_000 })).rejects.toThrow(
      /^\/nonexistent\/tool: spawn/,
    );
  });

  test('a tool that outlives its time limit is killed and says so', async () => {
    const r = await runTool('sleep', ['5'], { timeoutMs: 100 });
    expect([r.code, r.signal, r.timedOut]).toEqual([null, 'SIGKILL', true]);
  });

  test('tail: the last lines, trailing blank lines dropped', () => {
    expect(tail('a\nb\nc\n\n', 2)).toBe('b\nc');
    expect(tail('  a\nb')).toBe('  a\nb');
    expect(tail(Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n'))).toBe(
      Array.from({ length: 12 }, (_, i) => `l${i + 8}`).join('\n'),
    );
  });
});
