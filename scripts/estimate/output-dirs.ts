/**
 * The checks on synth's output directories (--out, --dist), made before anything is written or
 * removed: synth empties dist/ and the CDK CLI rewrites cdk.out/, so a mistyped flag must not point
 * them at the repository, the home directory, a source folder or someone's files. A directory is
 * accepted when it is new, empty, one of the defaults (cdk.out/ and dist/ in the repository, which
 * other tools rewrite too), or carries the stamp an earlier synth left (scripts/lib/synth-stamp.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError, EXIT } from '../lib/cli';
import { STAMP_FILE } from '../lib/synth-stamp';

export interface OutputDirFlag {
  /** `--out` or `--dist`. */
  readonly flag: string;
  /** The value as given, for the message. */
  readonly value: string;
  /** Its default, relative to the repository. */
  readonly defaultValue: string;
}

export interface OutputDirContext {
  readonly repoRoot: string;
  /** @default os.homedir() */
  readonly home?: string;
}

/** The path with every existing part's symlinks resolved (the rest need not exist yet). */
function realPath(p: string): string {
  const rest: string[] = [];
  let at = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return p;
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

/** Whether `dir` is `parent` or inside it. */
function within(dir: string, parent: string): boolean {
  const rel = path.relative(parent, dir);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Whether git tracks files in `dir`; false where git cannot tell (no git, not a clone). */
function gitTracked(repoRoot: string, dir: string): boolean {
  const r = spawnSync('git', ['-C', repoRoot, 'ls-files', '--', path.relative(repoRoot, dir)], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  return r.status === 0 && r.stdout.trim() !== '';
}

/** The nearest existing directory at or above `dir`. */
function nearestExisting(dir: string): string {
  let at = dir;
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  return at;
}

/** Why `dir` must not receive synth output, or undefined when it may. */
function problem(dir: string, ctx: OutputDirContext): string | undefined {
  const root = realPath(ctx.repoRoot);
  const home = realPath(ctx.home ?? os.homedir());
  if (within(root, dir)) {
    return dir === root ? 'that is the repository itself' : `${dir} holds the repository`;
  }
  if (within(home, dir))
    return dir === home ? 'that is your home directory' : `${dir} holds your home directory`;
  const isDefault = dir === path.join(root, 'cdk.out') || dir === path.join(root, 'dist');
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) return `${dir} exists and is not a directory`;
  if (within(dir, root) && !isDefault) {
    // The top folder under the repository: a source folder (tracked files), or not.
    const top = path.join(root, path.relative(root, dir).split(path.sep)[0]);
    if (fs.existsSync(top) && fs.statSync(top).isDirectory() && gitTracked(root, top)) {
      return `${path.relative(root, top)}/ is a source folder of the repository (git tracks files in it)`;
    }
  }
  if (fs.existsSync(dir)) {
    const entries = fs.readdirSync(dir);
    if (!isDefault && entries.length > 0 && !entries.includes(STAMP_FILE)) {
      return `${dir} is a non-empty directory that npm run synth did not write (no ${STAMP_FILE} in it)`;
    }
    return undefined;
  }
  const parent = nearestExisting(dir);
  try {
    if (!fs.statSync(parent).isDirectory()) return `${parent} is not a directory`;
    fs.accessSync(parent, fs.constants.W_OK);
  } catch {
    return `cannot create it: ${parent} is not writable`;
  }
  return undefined;
}

const usage = (o: OutputDirFlag, why: string) =>
  new CliError(
    `${o.flag} '${o.value}': ${why}; use a new or empty directory, or one an earlier npm run synth wrote (default ${o.defaultValue})`,
    EXIT.usage,
  );

/**
 * The absolute directories --out and --dist name, or a usage error (one line naming the flag and
 * the value) when either must not be written: empty, the repository or a folder holding it, the
 * home directory or a folder holding it, a source folder of the repository, an existing file, a
 * non-empty directory without synth's stamp, a place that cannot be created, or the two overlapping.
 * Writes nothing.
 */
export function checkOutputDirs(
  out: OutputDirFlag,
  dist: OutputDirFlag,
  ctx: OutputDirContext,
): { outDir: string; distDir: string } {
  const dirs = [out, dist].map((o) => {
    if (o.value.trim() === '') throw usage(o, 'an empty path');
    const dir = realPath(path.resolve(ctx.repoRoot, o.value));
    const why = problem(dir, ctx);
    if (why) throw usage(o, why);
    return dir;
  });
  const [outDir, distDir] = dirs;
  if (within(outDir, distDir) || within(distDir, outDir)) {
    throw new CliError(
      `${out.flag} '${out.value}' and ${dist.flag} '${dist.value}': ${outDir === distDir ? 'the same directory' : 'one inside the other'}; synth rewrites each as a whole, so they must be apart (defaults ${out.defaultValue} and ${dist.defaultValue})`,
      EXIT.usage,
    );
  }
  return { outDir, distDir };
}

/**
 * Creates a checked directory one level at a time: `mkdirSync(..., { recursive: true })` retries
 * for ever under /proc (ENOENT there is not a missing parent), and a root user passes the
 * writability check there. A failure is a usage error naming the flag.
 */
export function createOutputDir(o: OutputDirFlag, dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !fs.existsSync(at); at = path.dirname(at)) missing.unshift(at);
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      throw usage(o, `cannot create ${d} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
}
