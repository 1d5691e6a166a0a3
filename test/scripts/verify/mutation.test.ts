import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  byFileInputsKey,
  GROUPS,
  LIB_TESTS_PER_FILE,
  mergeSecondPass,
  narrowGroup,
  selectGroups,
  strykerRuns,
  survivorLineRanges,
  withTests,
} from '../../../scripts/verify/mutation';
import type { Mutant, MutantStatus } from '../../../scripts/verify/mutation/report';

const mutant = (line: number, replacement: string, status: MutantStatus, file = 'lib/a.ts'): Mutant => ({
  file,
  line,
  mutator: 'StringLiteral',
  replacement,
  status,
});

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('npm run mutation: choosing what to mutate', () => {
  test('every group has a target from issue 16 and the folders it promises', () => {
    expect(Object.fromEntries(GROUPS.map((g) => [g.name, g.target]))).toEqual({
      lib: 85,
      k8s: 85,
      settings: 80,
      gates: 80,
      cost: 80,
      'deploy-graph': 80,
      'zenml-commands': 80,
      spark: 75,
    });
    expect(GROUPS.find((g) => g.name === 'spark')?.tool).toBe('mutmut');
    expect(GROUPS.filter((g) => g.tool === 'stryker')).toHaveLength(7);
  });

  test('--only picks groups in GROUPS order; unknown or empty names are a usage error (exit 2)', () => {
    expect(selectGroups(undefined).map((g) => g.name)).toEqual(GROUPS.map((g) => g.name));
    expect(selectGroups('gates, settings').map((g) => g.name)).toEqual(['settings', 'gates']);
    expect(() => selectGroups('gates,nope')).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringMatching(/^--only gates,nope: unknown group/),
      }),
    );
    expect(() => selectGroups(',')).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  test('--files narrows a group to files it mutates, and refuses any other', () => {
    const lib = GROUPS.find((g) => g.name === 'lib') as (typeof GROUPS)[number];
    expect(narrowGroup(lib, undefined)).toBe(lib);
    expect(narrowGroup(lib, 'lib/removal.ts, lib/spark-identity.ts').mutate).toEqual([
      'lib/removal.ts',
      'lib/spark-identity.ts',
    ]);
    expect(() => narrowGroup(lib, 'lib/settings/config.ts')).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/not files of group lib/) }),
    );
    expect(() => narrowGroup(lib, '')).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  test("k8s runs the charts' own tests only (the stack's tests synthesize every chart per mutant); the others every related test", () => {
    expect(GROUPS.filter((g) => g.tests).map((g) => [g.name, g.tests])).toEqual([
      ['k8s', ['test/k8s/**/*.test.ts']],
    ]);
  });

  test('lib/ runs file by file with its own tests: every lib/*.ts has an entry, and every test named exists', () => {
    const onDisk = fs
      .readdirSync(path.join(ROOT, 'lib'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `lib/${f}`)
      .sort();
    expect(Object.keys(LIB_TESTS_PER_FILE).sort()).toEqual(onDisk);
    for (const tests of Object.values(LIB_TESTS_PER_FILE)) {
      expect(tests.length).toBeGreaterThan(0);
      for (const t of tests) expect([t, fs.existsSync(path.join(ROOT, t))]).toEqual([t, true]);
    }
    // Every file that acknowledges a policy finding is also measured against the stale-ack test.
    for (const [file, tests] of Object.entries(LIB_TESTS_PER_FILE)) {
      const acknowledges = /\.acknowledge\(/.test(fs.readFileSync(path.join(ROOT, file), 'utf8'));
      if (acknowledges)
        expect([file, tests]).toEqual([file, expect.arrayContaining(['test/lib/acknowledgements.test.ts'])]);
    }
  });

  test('one Stryker run per file for lib (narrowed by --files), one run for the others and under --tests', () => {
    const lib = GROUPS.find((g) => g.name === 'lib') as (typeof GROUPS)[number];
    expect(strykerRuns(lib)).toHaveLength(Object.keys(LIB_TESTS_PER_FILE).length);
    expect(strykerRuns(narrowGroup(lib, 'lib/removal.ts'))).toEqual([
      { name: 'lib/removal', mutate: ['lib/removal.ts'], tests: LIB_TESTS_PER_FILE['lib/removal.ts'] },
    ]);
    expect(strykerRuns(withTests(lib, 'test/lib/app.test.ts'))).toEqual([
      { name: 'lib', mutate: ['lib/*.ts'], tests: ['test/lib/app.test.ts'] },
    ]);
    const gates = GROUPS.find((g) => g.name === 'gates') as (typeof GROUPS)[number];
    expect(strykerRuns(gates)).toEqual([{ name: 'gates', mutate: gates.mutate, tests: undefined }]);
  });

  test('--tests limits a group to test globs under test/, and refuses any other', () => {
    const settings = GROUPS.find((g) => g.name === 'settings') as (typeof GROUPS)[number];
    expect(withTests(settings, 'test/lib/settings/**/*.test.ts, test/k8s/a.test.ts')).toEqual({
      ...settings,
      tests: ['test/lib/settings/**/*.test.ts', 'test/k8s/a.test.ts'],
    });
    for (const bad of ['', 'lib/settings/config.ts', 'test/lib/fixtures.ts']) {
      expect(() => withTests(settings, bad)).toThrow(
        expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/test globs under test\//) }),
      );
    }
  });
});

describe('npm run mutation: the second pass with the slow tests', () => {
  const at = (m: Mutant, column: number, endLine = m.line): Mutant => ({ ...m, column, endLine });

  test('every survivor and not-covered mutant runs again over all its lines, each range once, in order', () => {
    const first = [
      at(mutant(12, '""', 'Killed'), 5),
      at(mutant(12, '"x"', 'Survived'), 9),
      at(mutant(9, '""', 'NoCoverage'), 3),
      at(mutant(3, '""', 'Timeout'), 1),
      // A block mutant: Stryker re-runs it only when the range holds all of it.
      at(mutant(100, '{}', 'Survived'), 40, 128),
      at(mutant(12, '""', 'Survived', 'lib/b.ts'), 5),
      mutant(20, '""', 'Survived'),
    ];
    expect(survivorLineRanges(first)).toEqual([
      'lib/a.ts:9-9',
      'lib/a.ts:12-12',
      'lib/a.ts:20-20',
      'lib/a.ts:100-128',
      'lib/b.ts:12-12',
    ]);
    expect(survivorLineRanges([mutant(1, '""', 'Killed'), mutant(2, '""', 'RuntimeError')])).toEqual([]);
  });

  test('the second pass decides the mutants it ran, matched by position and change; the others keep their verdict', () => {
    const first = [
      at(mutant(3, '""', 'Killed'), 1),
      at(mutant(12, '""', 'Killed'), 5),
      at(mutant(12, '"x"', 'Survived'), 9),
      at(mutant(12, '"x"', 'Survived'), 30),
    ];
    const second = [at(mutant(12, '""', 'Killed'), 5), at(mutant(12, '"x"', 'Killed'), 9)];
    expect(mergeSecondPass(first, second).map((m) => [m.line, m.column, m.status])).toEqual([
      [3, 1, 'Killed'],
      [12, 5, 'Killed'],
      [12, 9, 'Killed'],
      [12, 30, 'Survived'],
    ]);
    // The same position in another file is another mutant.
    const other = at(mutant(12, '"x"', 'Survived', 'lib/b.ts'), 9);
    expect(mergeSecondPass([other], second)).toEqual([other]);
  });
});

describe('npm run mutation: reusing a by-file run', () => {
  test("the inputs key follows the committed lib/, k8s/, the run's tests and test helpers; uncommitted changes reuse nothing", () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'zse-mutation-key-'));
    try {
      const git = (...args: string[]) =>
        execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo });
      const files = [
        'lib/a.ts',
        'k8s/c.ts',
        'test/lib/a.test.ts',
        'test/lib/b.test.ts',
        'test/lib/fixtures.ts',
      ];
      for (const f of [...files, 'package-lock.json', 'stryker.config.json', 'jest.config.js']) {
        fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
        fs.writeFileSync(path.join(repo, f), `${f}\n`);
      }
      git('init', '-q');
      git('add', '.');
      git('commit', '-qm', 'one');
      const run = { mutate: ['lib/a.ts'], tests: ['test/lib/a.test.ts'] };
      const key = byFileInputsKey(run, repo);
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(byFileInputsKey(run, repo)).toBe(key);
      expect(byFileInputsKey({ ...run, tests: ['test/lib/b.test.ts'] }, repo)).not.toBe(key);
      expect(byFileInputsKey({ ...run, tests: ['test/lib/missing.test.ts'] }, repo)).toBeUndefined();
      // Another file's test changing keeps the key; a change to the code, a helper or its own test does not.
      fs.appendFileSync(path.join(repo, 'test/lib/b.test.ts'), 'changed\n');
      git('commit', '-qam', 'b');
      expect(byFileInputsKey(run, repo)).toBe(key);
      for (const f of ['k8s/c.ts', 'test/lib/fixtures.ts', 'test/lib/a.test.ts']) {
        const before = byFileInputsKey(run, repo);
        fs.appendFileSync(path.join(repo, f), 'changed\n');
        expect([f, byFileInputsKey(run, repo)]).toEqual([f, undefined]);
        git('commit', '-qam', f);
        expect([f, byFileInputsKey(run, repo)]).not.toEqual([f, before]);
      }
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});
