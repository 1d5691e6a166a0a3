/**
 * The gates' command in process, on stamped stand-in output: the run's exit code is the verdict of
 * every gate asked for (tools stood in where a gate needs one), and the report says which failed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { settingsFromFlags } from '../../../scripts/lib/settings';
import { writeOkStamp } from '../../../scripts/lib/synth-stamp';
import { main } from '../../../scripts/verify/gates';
import { tempDir } from '../../temp-dirs';

jest.setTimeout(120_000);

/** A stamped cdk.out/ with a validation report, and a stamped dist/. */
function outputs(guardViolations: unknown[] = []) {
  const out = tempDir('gates-main-out-');
  const dist = tempDir('gates-main-dist-');
  fs.writeFileSync(
    path.join(out, 'manifest.json'),
    JSON.stringify({
      artifacts: {
        ZenmlSpark: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: 'ZenmlSpark.template.json' },
        },
      },
    }),
  );
  fs.writeFileSync(path.join(out, 'ZenmlSpark.template.json'), '{"Resources":{}}');
  fs.writeFileSync(
    path.join(out, 'validation-report.json'),
    JSON.stringify({
      pluginReports: [
        { pluginName: 'cdk-validator-cfnguard', conclusion: 'success', violations: guardViolations },
        { pluginName: 'CloudFormation Validate', conclusion: 'success', violations: [] },
      ],
    }),
  );
  fs.writeFileSync(path.join(dist, 'x.k8s.yaml'), 'kind: Namespace\n');
  const { config } = settingsFromFlags([]);
  writeOkStamp(out, 'cdk.out', config);
  writeOkStamp(dist, 'dist', config);
  return { out, dist };
}

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    lines.push(a.join(' '));
  });
  try {
    return { code: await main(argv), out: lines.join('\n') };
  } finally {
    log.mockRestore();
  }
}

describe('npm run gates', () => {
  test('GIVEN every asked gate passes THEN exit 0, a table and the closing count', async () => {
    const { out, dist } = outputs();
    const json = path.join(tempDir('gates-main-json-'), 'r.json');
    const r = await run([
      '--out',
      out,
      '--dist',
      dist,
      '--only',
      'cfn-guard,cfn-validate,cdk-nag',
      '--json',
      json,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\n\s*cfn-guard\s+pass\s+0\s+0\s/);
    expect(r.out).toContain('gates: 3 passed, 0 failed');
    expect(r.out).not.toContain('Failed:');
    expect(
      JSON.parse(fs.readFileSync(json, 'utf8')).map((g: { gate: string; passed: boolean }) => [
        g.gate,
        g.passed,
      ]),
    ).toEqual([
      ['cfn-guard', true],
      ['cdk-nag', true],
      ['cfn-validate', true],
    ]);
  });

  test('GIVEN one gate with an unacknowledged finding THEN exit 1, the gate and its finding named', async () => {
    const { out, dist } = outputs([
      { ruleName: 'rule_x', violatingConstructs: [{ constructPath: 'ZenmlSpark/ArtifactStore/Bucket' }] },
    ]);
    const r = await run(['--out', out, '--dist', dist, '--only', 'cfn-guard,cfn-validate']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\n\s*cfn-guard\s+FAIL\s+1\s+0\s/);
    expect(r.out).toContain('  ✗ rule_x ZenmlSpark/ArtifactStore/Bucket');
    expect(r.out).toContain('Failed: cfn-guard. Fix the finding, or acknowledge it narrowly');
    expect(r.out).toContain('gates: 1 passed, 1 failed');
  });

  test('GIVEN output that is not from a successful synth THEN it refuses before running anything', async () => {
    const out = tempDir('gates-main-unstamped-');
    await expect(run(['--out', out, '--only', 'cfn-guard'])).rejects.toThrow(/^refusing /);
  });

  test('an unknown gate is a usage error naming the allowed ones; --help exits 0', async () => {
    await expect(run(['--only', 'cfn-guard,nope'])).rejects.toMatchObject({
      exitCode: 2,
      message:
        '--only nope: unknown gate (allowed: cfn-lint, checkov-cfn, checkov-k8s, cfn-guard, cdk-nag, cfn-validate, kubeconform, secrets)',
    });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: bash scripts\/verify\/gates\.sh/);
  });
});
