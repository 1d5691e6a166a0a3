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

  test('a bad environment variable is reported with the variable name', () => {
    const r = runApp({}, { ZENML_SPARK_REMOVAL_MODE: 'keep' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /removalMode='keep' \(from environment ZENML_SPARK_REMOVAL_MODE\): 'destroy' or 'retain'/,
    );
  });
});
