/**
 * Temporary directories for tests, removed after the test file however it ends: each test file
 * that imports this gets its own list and its own afterAll. Test suites must leave nothing in the
 * temp dir (scripts/verify/test.sh checks it after every suite).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const created: string[] = [];

/** A new directory under the OS temp dir, named zse-<prefix>XXXXXX, removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zse-${prefix}`));
  created.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
