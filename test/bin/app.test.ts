/**
 * The CDK app as the CLI runs it: a child process that receives context through CDK_CONTEXT_JSON.
 * Bad settings must stop it with one clear line and a non-zero exit, before anything is synthesized.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

function runApp(context: Record<string, unknown>, env: Record<string, string> = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'zse-app-'));
  const result = spawnSync(
    path.join(root, 'node_modules', '.bin', 'tsx'),
    [path.join(root, 'bin', 'app.ts')],
    {
      cwd: root,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify(context),
        CDK_VALIDATION: 'false',
        ...env,
      },
      timeout: 60_000,
    },
  );
  fs.rmSync(outdir, { recursive: true, force: true });
  return result;
}

describe('bin/app.ts', () => {
  test('a bad setting fails with one line naming the key, the value and what is allowed', () => {
    const r = runApp({ nodeMinSize: 5, nodeMaxSize: 3 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      'Invalid setting: nodeMinSize=5 (from context (cdk.json or -c)): at most nodeMaxSize (3)',
    );
  });

  test('[issue 14 kind 1, example] -c nodeInstancType=t3a.large, as the CDK CLI hands it over, stops synth', () => {
    const r = runApp({ nodeInstancType: 't3a.large' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^Invalid setting: nodeInstancType='t3a.large' \(from context \(cdk\.json or -c\)\): unknown setting; did you mean nodeInstanceType\? known: /,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('the keys the CDK CLI itself passes (flags, aws:cdk:*, cdk acknowledge, cli-telemetry) are not settings', () => {
    // Exactly what CDK_CONTEXT_JSON carried from the pinned CLI after `cdk acknowledge` and
    // `cdk cli-telemetry --disable` wrote cdk.context.json (checked by running it), with cdk.json's context.
    const r = runApp({
      ...JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')).context,
      'acknowledged-issue-numbers': [34892],
      'cli-telemetry': false,
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:version-reporting': true,
      'aws:cdk:bundling-stacks': ['**'],
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  describe('emulator=true (the build without EKS) and a real account', () => {
    // As the CDK CLI hands it over: cdk.json's context (its feature flags included) with the -c pairs.
    const cdkJson = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')).context;
    test('refused when the CDK CLI found credentials for an account and no emulator endpoint is set', () => {
      const r = runApp({ ...cdkJson, emulator: true }, { CDK_DEFAULT_ACCOUNT: '111122223333' });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^emulator=true builds for the local moto rehearsal only .* the CDK CLI found credentials for account 111122223333 and AWS_ENDPOINT_URL is unset: set emulator=false /,
        ),
      ]);
    });

    test.each([
      [
        'pointed at the emulator (AWS_ENDPOINT_URL)',
        { CDK_DEFAULT_ACCOUNT: '123456789012', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' },
      ],
      ['without credentials (how the rehearsal synthesizes it)', {}],
    ])('synthesized when %s', (_case, env: Record<string, string>) => {
      const r = runApp({ ...cdkJson, emulator: true }, env);
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    });

    test('emulator=false with credentials for an account: untouched', () => {
      const r = runApp(cdkJson, { CDK_DEFAULT_ACCOUNT: '111122223333' });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    });
  });

  test('a bad environment variable is reported with the variable name', () => {
    const r = runApp({}, { ZENML_SPARK_REMOVAL_MODE: 'keep' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /removalMode='keep' \(from environment ZENML_SPARK_REMOVAL_MODE\): 'destroy' or 'retain'/,
    );
  });
});
