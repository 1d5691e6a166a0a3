/**
 * A fresh-user trial: `npm run synth -- --dist docs` deleted docs/ (and `--dist .` or `--dist ~`
 * would have wiped the repository or the home directory); `--out ''` wrote the cloud assembly into
 * the repository root; `--dist /proc/nope` hung. Every such value is refused, in one line naming
 * the flag and the value, before anything is written or removed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkOutputDirs, createOutputDir, type OutputDirFlag } from '../../../scripts/estimate/output-dirs';
import { EXIT } from '../../../scripts/lib/cli';
import { STAMP_FILE } from '../../../scripts/lib/synth-stamp';

let work: string;
let repo: string;
let home: string;

beforeAll(() => {
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'zse-output-dirs-')));
  repo = path.join(work, 'home', 'repo');
  home = path.join(work, 'home');
  fs.mkdirSync(path.join(repo, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'docs', 'guide.md'), '# guide\n');
  fs.writeFileSync(path.join(repo, 'README.md'), '# readme\n');
  const git = (...args: string[]) =>
    expect(spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).status).toBe(0);
  git('init', '-q');
  git('add', 'docs/guide.md', 'README.md');
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const out = (value: string): OutputDirFlag => ({ flag: '--out', value, defaultValue: 'cdk.out' });
const dist = (value: string): OutputDirFlag => ({ flag: '--dist', value, defaultValue: 'dist' });
const check = (o: string, d: string) => checkOutputDirs(out(o), dist(d), { repoRoot: repo, home });

/** The CliError's message, checking it is one line and a usage error. */
function refusal(o: string, d: string): string {
  try {
    check(o, d);
  } catch (e) {
    expect((e as { exitCode?: number }).exitCode).toBe(EXIT.usage);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error(`--out '${o}' --dist '${d}' was accepted`);
}

describe('synth output directories', () => {
  test('GIVEN the defaults, absent THEN they are accepted and nothing is written', () => {
    expect(check('cdk.out', 'dist')).toEqual({
      outDir: path.join(repo, 'cdk.out'),
      distDir: path.join(repo, 'dist'),
    });
    expect(fs.existsSync(path.join(repo, 'cdk.out'))).toBe(false);
  });

  test('GIVEN the defaults, empty or holding files without a stamp (cdk deploy rewrites cdk.out) THEN they are accepted', () => {
    fs.mkdirSync(path.join(repo, 'dist'));
    fs.mkdirSync(path.join(repo, 'cdk.out'));
    fs.writeFileSync(path.join(repo, 'cdk.out', 'manifest.json'), '{}');
    expect(() => check('cdk.out', 'dist')).not.toThrow();
  });

  test('--dist docs (a tracked source folder): refused, naming the flag and the value; docs/ untouched', () => {
    expect(refusal('cdk.out', 'docs')).toBe(
      "--dist 'docs': docs/ is a source folder of the repository (git tracks files in it); use a new or empty directory, or one an earlier npm run synth wrote (default dist)",
    );
    expect(refusal('docs/out', 'dist')).toMatch(/^--out 'docs\/out': docs\/ is a source folder/);
    expect(fs.readdirSync(path.join(repo, 'docs'))).toEqual(['guide.md']);
  });

  test.each([
    ['.', /^--dist '\.': that is the repository itself; /],
    ['..', /^--dist '\.\.': .* holds the repository; /],
    ['/', /^--dist '\/': \/ holds the repository; /],
  ])('--dist %s (the repository or a folder holding it): refused', (value, message) => {
    expect(refusal('cdk.out', value)).toMatch(message);
  });

  test('--out <home> (the home directory): refused; a new directory inside it is fine', () => {
    const outside = fs.mkdtempSync(path.join(work, 'elsewhere-'));
    const otherHome = { repoRoot: repo, home: outside };
    expect(() => checkOutputDirs(out(outside), dist('dist'), otherHome)).toThrow(
      new RegExp(`^--out '${outside}': that is your home directory; `),
    );
    expect(() => checkOutputDirs(out(path.join(outside, 'synth')), dist('dist'), otherHome)).not.toThrow();
  });

  test('an empty value: refused, not resolved to the repository', () => {
    expect(refusal('', 'dist')).toMatch(/^--out '': an empty path; /);
    expect(refusal('cdk.out', ' ')).toMatch(/^--dist ' ': an empty path; /);
  });

  test('an existing file: refused as not a directory', () => {
    expect(refusal('README.md', 'dist')).toBe(
      `--out 'README.md': ${path.join(repo, 'README.md')} exists and is not a directory; use a new or empty directory, or one an earlier npm run synth wrote (default cdk.out)`,
    );
  });

  test("a non-empty directory without synth's stamp: refused; with the stamp, or empty: accepted", () => {
    const mine = path.join(work, 'mine');
    fs.mkdirSync(mine);
    fs.writeFileSync(path.join(mine, 'notes.txt'), 'keep me');
    expect(refusal('cdk.out', mine)).toMatch(
      new RegExp(
        `^--dist '${mine}': ${mine} is a non-empty directory that npm run synth did not write \\(no \\${STAMP_FILE} in it\\); `,
      ),
    );
    const earlier = path.join(work, 'earlier');
    fs.mkdirSync(earlier);
    fs.writeFileSync(path.join(earlier, 'x.yaml'), '');
    fs.writeFileSync(path.join(earlier, STAMP_FILE), '{}');
    expect(check('cdk.out', earlier).distDir).toBe(earlier);
    const empty = path.join(work, 'empty');
    fs.mkdirSync(empty);
    expect(check(empty, 'dist').outDir).toBe(empty);
  });

  test('--out and --dist the same, or one inside the other: refused', () => {
    expect(refusal('cdk.out', 'cdk.out')).toMatch(
      /^--out 'cdk\.out' and --dist 'cdk\.out': the same directory; synth rewrites each as a whole/,
    );
    expect(refusal('dist/cdk', 'dist')).toMatch(
      /^--out 'dist\/cdk' and --dist 'dist': one inside the other; /,
    );
  });

  test('a symlink to a source folder is refused like the folder', () => {
    fs.symlinkSync(path.join(repo, 'docs'), path.join(work, 'docs-link'));
    expect(refusal('cdk.out', path.join(work, 'docs-link'))).toMatch(/docs\/ is a source folder/);
  });

  test('a directory whose nearest existing parent is not writable: refused, nothing created', () => {
    const file = path.join(work, 'a-file');
    fs.writeFileSync(file, '');
    expect(refusal('cdk.out', path.join(file, 'x'))).toMatch(
      /^--dist '.*a-file\/x': .*a-file is not a directory; /,
    );
    const locked = path.join(work, 'locked');
    fs.mkdirSync(locked, { mode: 0o500 });
    // root passes the writability check; createOutputDir's one-level mkdir catches what it cannot make.
    if (process.getuid?.() !== 0) {
      expect(refusal('cdk.out', path.join(locked, 'x'))).toMatch(
        /: cannot create it: .*locked is not writable; /,
      );
    }
  });

  test('createOutputDir under /proc: one line, no endless retry', () => {
    expect(() => createOutputDir(dist('/proc/nope/x'), '/proc/nope/x')).toThrow(
      /^--dist '\/proc\/nope\/x': cannot create \/proc\/nope \(E[A-Z]+\); /,
    );
    const made = path.join(work, 'new', 'deeper');
    createOutputDir(dist(made), made);
    expect(fs.statSync(made).isDirectory()).toBe(true);
  });
});
