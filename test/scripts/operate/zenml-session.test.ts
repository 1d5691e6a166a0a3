import { spawn } from 'node:child_process';
import { waitForForward } from '../../../scripts/operate/zenml-login';
import { adminCredentials, apiKeyIn, runBounded } from '../../../scripts/operate/zenml-session';

describe('zenml-login helpers', () => {
  test('the admin secret is parsed, and a bad one is named without its content', () => {
    expect(adminCredentials('{"username":"admin","password":"s3cr3t-pw"}', 'arn:x')).toEqual({
      username: 'admin',
      password: 's3cr3t-pw',
    });
    expect(() => adminCredentials('s3cr3t-pw', 'arn:x')).toThrow(/^secret arn:x is not JSON$/);
    expect(() => adminCredentials('{"username":"admin"}', 'arn:x')).toThrow(
      /lacks a non-empty username and password/,
    );
  });

  test('the API key is found in coloured, wrapped-free CLI output', () => {
    const key = 'ZENKEY_eyJpZCI6IjkwODJm+abc/def==';
    expect(apiKeyIn(`Successfully created API key\n\u001b[1m${key}\u001b[0m\n`)).toBe(key);
    expect(apiKeyIn('no key here')).toBeUndefined();
  });

  test('runBounded passes stdin, and a command that hangs is killed at its bound', async () => {
    const echo = await runBounded('cat', [], { env: process.env, input: 'via stdin', timeoutMs: 10_000 });
    expect([echo.code, echo.stdout]).toEqual([0, 'via stdin']);
    const slow = await runBounded('sleep', ['30'], { env: process.env, timeoutMs: 300 });
    expect(slow.timedOut).toBe(true);
  });

  test("the port-forward wait ends on kubectl's line, or on its exit with its own words", async () => {
    const ok = spawn('bash', ['-c', 'echo "Forwarding from 127.0.0.1:8080 -> 8080"; sleep 5']);
    await expect(waitForForward(ok, 5_000)).resolves.toBeUndefined();
    ok.kill();
    const bad = spawn('bash', ['-c', 'echo "error: services \\"zenml-server\\" not found" >&2; exit 1']);
    await expect(waitForForward(bad, 5_000)).rejects.toThrow(
      /exited \(1\): error: services "zenml-server" not found/,
    );
  });
});
