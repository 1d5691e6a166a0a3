/**
 * The gates' command in process, on stamped stand-in output: the run's exit code is the verdict of
 * every gate asked for (tools stood in where a gate needs one), and the report says which failed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, settingsFromFlags } from '../../../scripts/lib/settings';
import { writeOkStamp } from '../../../scripts/lib/synth-stamp';
import { main } from '../../../scripts/verify/gates';
import { tempDir } from '../../temp-dirs';

jest.setTimeout(120_000);

/** A stamped cdk.out/ with a validation report, and a stamped dist/. */
function outputs(guardViolations: unknown[] = [], { manifest = true } = {}) {
  const out = tempDir('gates-main-out-');
  const dist = tempDir('gates-main-dist-');
  if (manifest)
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
    await expect(run(['--out', out, '--only', 'cfn-guard'])).rejects.toThrow(/^refusing: /);
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

  test("--unstamped only with kubeconform and/or checkov-k8s: the other gates read the synth's own output", async () => {
    for (const only of ['kubeconform,secrets', 'cfn-guard', 'checkov-k8s,cdk-nag']) {
      await expect(run(['--only', only, '--unstamped'])).rejects.toMatchObject({
        exitCode: 2,
        message: `--unstamped with --only ${only}: allowed only with --only kubeconform and/or checkov-k8s (the other gates read the synth's own output)`,
      });
    }
  });

  describe('each gate refuses only the output it reads', () => {
    const unstamped = () => tempDir('gates-main-unstamped-');
    // kubeconform stood in up to its schema build, which fails on a wheel that is not there.
    const schemaEnv = {
      GATES_CACHE: '',
      GATES_K8S_SCHEMA_KEY: 'k',
      GATES_K8S_SCHEMA_WHEEL: '/nonexistent.whl',
    };
    let saved: NodeJS.ProcessEnv;
    beforeEach(() => {
      saved = { ...process.env };
      Object.assign(process.env, { ...schemaEnv, GATES_CACHE: tempDir('gates-main-cache-') });
    });
    afterEach(() => {
      process.env = saved;
    });

    test('kubeconform --unstamped reads dist/ as it is, and cdk.out/ not at all', async () => {
      const dist = path.join(unstamped(), 'rendered');
      const r = await run(['--out', unstamped(), '--dist', dist, '--only', 'kubeconform', '--unstamped']);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/\n\s*kubeconform\s+FAIL\s/);
      expect(r.out).toContain('rendered/ not found: the main synth command (npm run synth) writes it');
    });

    test('kubeconform without --unstamped: dist/ must be stamped, cdk.out/ is not read', async () => {
      const { dist } = outputs();
      const r = await run(['--out', unstamped(), '--dist', dist, '--only', 'kubeconform']);
      expect(r.code).toBe(1);
      expect(r.out).toContain('Gates on ');
      expect(r.out).toMatch(/\n\s*kubeconform\s+FAIL\s/);
      await expect(
        run(['--out', unstamped(), '--dist', unstamped(), '--only', 'kubeconform']),
      ).rejects.toThrow(/^refusing: /);
    });

    test('the synth-time gates read cdk.out/ only; secrets reads both', async () => {
      const { out } = outputs();
      const r = await run(['--out', out, '--dist', unstamped(), '--only', 'cfn-guard,cdk-nag']);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Gates on ${path.relative(REPO_ROOT, out)}/ and `);
      expect(r.out).toContain('(cfn-guard, cdk-nag)');
      await expect(run(['--out', out, '--dist', unstamped(), '--only', 'secrets'])).rejects.toThrow(
        /^refusing: /,
      );
      const { dist } = outputs();
      await expect(run(['--out', unstamped(), '--dist', dist, '--only', 'secrets'])).rejects.toThrow(
        /^refusing: /,
      );
    });
  });

  test('GIVEN a stamped cdk.out/ without a manifest THEN every CloudFormation gate asked fails with why, and no tool is started', async () => {
    const { out, dist } = outputs([], { manifest: false });
    const json = path.join(tempDir('gates-main-json-'), 'r.json');
    const r = await run([
      '--out',
      out,
      '--dist',
      dist,
      '--only',
      'cfn-lint,cfn-guard,cdk-nag',
      '--json',
      json,
    ]);
    expect(r.code).toBe(1);
    const results = JSON.parse(fs.readFileSync(json, 'utf8')) as {
      gate: string;
      passed: boolean;
      problems: string[];
    }[];
    expect(results.map((g) => [g.gate, g.passed, g.problems])).toEqual(
      ['cfn-lint', 'cfn-guard', 'cdk-nag'].map((g) => [
        g,
        false,
        [`${path.join(out, 'manifest.json')} not found: run the main synth command (npm run synth) first`],
      ]),
    );
  });
});
