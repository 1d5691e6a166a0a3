/**
 * Mutation testing: how many small, realistic bugs the tests catch. Stryker (jest runner, perTest
 * coverage, incremental) for the TypeScript of lib/, k8s/ and the deciding parts of scripts/;
 * mutmut for the Spark programs. One group at a time (--only), results per group in
 * bench/mutation/<label>/<group>.json and bench/mutation/results.md. Too slow for every test run:
 * run it before resolving an issue that changed these folders, and commit the report.
 *
 *   npm run mutation -- [--only settings,gates] [--concurrency 1] [--label latest] [--report-only]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError, EXIT, EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { trackChild } from '../lib/processes';
import { REPO_ROOT } from '../lib/settings';
import {
  type GroupResult,
  groupResult,
  type Mutant,
  mutmutMutants,
  readEquivalents,
  reapplyEquivalents,
  renderResults,
  strykerMutants,
} from './mutation/report';

export interface MutationGroup {
  readonly name: string;
  readonly what: string;
  readonly tool: 'stryker' | 'mutmut';
  /** Stryker `mutate` globs, or the Python package mutmut mutates (relative to spark/). */
  readonly mutate: readonly string[];
  /** Issue 16's target score, percent. */
  readonly target: number;
  /**
   * Test files (jest globs) Stryker may run for the group; default every test related to the
   * mutated files. Set where those include the tests that synthesize the whole stack for every
   * mutant (hours per group on 2 cores): the score is then a lower bound, and the report says so.
   */
  readonly tests?: readonly string[];
  /**
   * One Stryker run per mutated file, each with only that file's own tests (jest globs). For
   * folders where every test builds the whole app: each of those tests reaches every file, so one
   * run re-tests each mutant with all of them. The report names the tests each run used.
   */
  readonly testsPerFile?: Readonly<Record<string, readonly string[]>>;
}

const ACKNOWLEDGEMENTS_TEST = 'test/lib/acknowledgements.test.ts';

/**
 * Tests a by-file run keeps for a second pass over the lines where mutants survived the file's
 * other tests. acknowledgements.test.ts synthesizes four variants with every policy check (about
 * 20 of the 25 s of artifact-store.ts's set on 2026-12-01) and can only kill what the others
 * leave alive, so running it for every mutant cost about four times as long for the same result.
 */
export const SECOND_PASS_TESTS: readonly string[] = [ACKNOWLEDGEMENTS_TEST];

/**
 * lib/'s files and their own tests: the file's test (test/lib/<name>.test.ts), the tests that
 * assert what it builds through the app, and test/lib/acknowledgements.test.ts for every file
 * that acknowledges policy findings. Run in this order: the largest files and those with no
 * earlier measurement first, so a run stopped part way has measured what was least known. Measured 2026-12-01: one run over lib/ with every test of
 * test/lib re-tested each mutant with ~115 tests (a 3.5 min dry run) and projected ~30 h on 2
 * cores; by file, 12 of the 17 files took 1 h 19 min on the same loaded machine.
 */
export const LIB_TESTS_PER_FILE: Readonly<Record<string, readonly string[]>> = {
  'lib/zenml-spark-stack.ts': [
    'test/lib/zenml-spark-stack.test.ts',
    'test/lib/zenml-spark-stack.iam.test.ts',
    'test/lib/spark-history-identity.test.ts',
    // The stack deploys the server: its chart's dependencies and the RDS CA region rule.
    'test/lib/zenml-server.test.ts',
    ACKNOWLEDGEMENTS_TEST,
  ],
  'lib/spark-cluster.ts': [
    'test/lib/spark-cluster.test.ts',
    // Through the app: the cluster's outputs and deploy order, its ARN in every Pod Identity trust.
    'test/lib/zenml-spark-stack.test.ts',
    'test/lib/zenml-spark-stack.iam.test.ts',
    'test/lib/cluster-autoscaler-identity.test.ts',
    ACKNOWLEDGEMENTS_TEST,
  ],
  'lib/zenml-server.ts': ['test/lib/zenml-server.test.ts', ACKNOWLEDGEMENTS_TEST],
  'lib/metadata-database.ts': [
    'test/lib/metadata-database.test.ts',
    'test/lib/validation.test.ts',
    ACKNOWLEDGEMENTS_TEST,
  ],
  'lib/spark-identity.ts': ['test/lib/spark-identity.test.ts', 'test/lib/zenml-spark-stack.iam.test.ts'],
  'lib/validation.ts': ['test/lib/validation.test.ts', ACKNOWLEDGEMENTS_TEST],
  'lib/owned-log-group.ts': [
    'test/lib/zenml-spark-stack.test.ts',
    'test/lib/network.test.ts',
    ACKNOWLEDGEMENTS_TEST,
  ],
  'lib/owned-handler-logs.ts': [
    'test/lib/owned-handler-logs.test.ts',
    'test/lib/zenml-spark-stack.test.ts',
    ACKNOWLEDGEMENTS_TEST,
  ],
  'lib/app.ts': ['test/lib/app.test.ts', 'test/lib/validation.test.ts'],
  'lib/container-registry.ts': ['test/lib/container-registry.test.ts', ACKNOWLEDGEMENTS_TEST],
  'lib/pod-identity-role.ts': [
    'test/lib/spark-identity.test.ts',
    'test/lib/spark-history-identity.test.ts',
    'test/lib/cluster-autoscaler-identity.test.ts',
    'test/lib/zenml-spark-stack.iam.test.ts',
  ],
  'lib/artifact-store.ts': [
    'test/lib/artifact-store.test.ts',
    'test/lib/spark-history-identity.test.ts',
    'test/lib/zenml-spark-stack.iam.test.ts',
    ACKNOWLEDGEMENTS_TEST,
  ],
  'lib/cluster-autoscaler-identity.ts': [
    'test/lib/cluster-autoscaler-identity.test.ts',
    ACKNOWLEDGEMENTS_TEST,
  ],
  'lib/network.ts': ['test/lib/network.test.ts'],
  'lib/s3-authentication-secret.ts': ['test/lib/s3-authentication-secret.test.ts', ACKNOWLEDGEMENTS_TEST],
  'lib/removal.ts': ['test/lib/metadata-database.test.ts', 'test/lib/artifact-store.test.ts'],
  'lib/finding-ids.ts': [ACKNOWLEDGEMENTS_TEST],
};

export const GROUPS: readonly MutationGroup[] = [
  {
    name: 'lib',
    what: 'AWS constructs, the stack, the app',
    tool: 'stryker',
    mutate: ['lib/*.ts'],
    target: 85,
    testsPerFile: LIB_TESTS_PER_FILE,
  },
  {
    name: 'k8s',
    what: 'cdk8s charts',
    tool: 'stryker',
    mutate: ['k8s/**/*.ts'],
    target: 85,
    // The charts' own tests; the stack's tests build every chart too, at ~1 s of synth per test.
    tests: ['test/k8s/**/*.test.ts'],
  },
  {
    name: 'settings',
    what: 'lib/settings: settings rules, names, sizing',
    tool: 'stryker',
    mutate: ['lib/settings/**/*.ts'],
    target: 80,
  },
  {
    name: 'gates',
    what: 'the gates: runners, parsers, the verdict',
    tool: 'stryker',
    mutate: ['scripts/verify/gates.ts', 'scripts/verify/gates/**/*.ts'],
    target: 80,
  },
  {
    name: 'cost',
    what: 'the cost model and price table',
    tool: 'stryker',
    mutate: [
      'scripts/estimate/cost-model.ts',
      'scripts/estimate/cost-lines.ts',
      'scripts/estimate/price-table.ts',
    ],
    target: 80,
  },
  {
    name: 'deploy-graph',
    what: 'the deploy graph, critical path and parallelism checks',
    tool: 'stryker',
    mutate: [
      'scripts/estimate/deploy-graph.ts',
      'scripts/estimate/critical-path.ts',
      'scripts/estimate/parallelism-checks.ts',
    ],
    target: 80,
  },
  {
    name: 'zenml-commands',
    what: 'the ZenML command builder',
    tool: 'stryker',
    mutate: ['scripts/operate/zenml-commands.ts'],
    target: 80,
  },
  {
    name: 'spark',
    what: 'the PySpark step programs (spark/zenml_spark_steps)',
    tool: 'mutmut',
    mutate: ['zenml_spark_steps'],
    target: 75,
  },
];

const HELP = `Usage: npm run mutation -- [--only a,b] [--files f,g] [--tests t,u] [--concurrency N] [--label NAME] [--report-only]

Mutation testing, one group at a time, each written to bench/mutation/<label>/<group>.json, and
bench/mutation/results.md regenerated from every group file:
${GROUPS.map((g) => `  ${g.name.padEnd(15)} ${g.what} (target ${g.target} %)`).join('\n')}
TypeScript groups run Stryker (stryker.config.json: jest runner, perTest coverage, incremental
results in .cache/mutation/<group>/); spark runs mutmut (requirements/mutation.txt, a cached venv).
A full run takes hours on 2 cores: scope it with --only.

  --only LIST        groups to run (comma-separated; default all)
  --files LIST       only these files of the one group --only names (the result says so)
  --tests LIST       only these test globs (e.g. test/lib/settings/**/*.test.ts) for that group:
                     a lower bound, said in the result
  --concurrency N    test processes at once (default 1: the machine is shared)
  --label NAME       result set (default latest; baseline is the measurement before issue 16)
  --report-only      rewrite results.md from the committed group files, run nothing
  -h, --help         this help

${EXIT_CODES_HELP} A score under its target is reported, not an exit code.`;

const OPTIONS = {
  only: { type: 'string' },
  files: { type: 'string' },
  tests: { type: 'string' },
  concurrency: { type: 'string', default: '1' },
  label: { type: 'string', default: 'latest' },
  'report-only': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;

const OUT = path.join(REPO_ROOT, 'bench', 'mutation');
const CACHE = path.join(REPO_ROOT, '.cache', 'mutation');

/** The groups --only names, in GROUPS order; a usage error naming the unknown ones. */
export function selectGroups(only: string | undefined): MutationGroup[] {
  if (only === undefined) return [...GROUPS];
  const names = only
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !GROUPS.some((g) => g.name === n));
  if (unknown.length > 0 || names.length === 0) {
    throw new CliError(
      `--only ${only}: unknown group (allowed: ${GROUPS.map((g) => g.name).join(', ')})`,
      EXIT.usage,
    );
  }
  return GROUPS.filter((g) => names.includes(g.name));
}

function measuredCommit(): string {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  }).stdout.trim();
  return `${head || 'unknown'}${dirty ? '+dirty' : ''}`;
}

/** Runs a command with its output on ours (the tools print their own progress). */
function run(command: string, args: readonly string[], cwd: string, env = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = trackChild(spawn(command, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] }));
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** A group narrowed to some of its files (--files): each must be one the group mutates. */
export function narrowGroup(g: MutationGroup, files: string | undefined): MutationGroup {
  if (files === undefined) return g;
  const list = files
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const outside = list.filter((f) => !g.mutate.some((glob) => path.matchesGlob(f, glob)));
  if (list.length === 0 || outside.length > 0) {
    throw new CliError(`--files ${files}: not files of group ${g.name} (${g.mutate.join(', ')})`, EXIT.usage);
  }
  return { ...g, mutate: list };
}

/** A group whose Stryker runs only the given test globs (--tests): each under test/. */
export function withTests(g: MutationGroup, tests: string): MutationGroup {
  const list = tests
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (list.length === 0 || list.some((t) => !t.startsWith('test/') || !t.endsWith('.test.ts'))) {
    throw new CliError(`--tests ${tests}: test globs under test/ ending in .test.ts`, EXIT.usage);
  }
  return { ...g, tests: list };
}

/** The group's files, one run each with its own tests (testsPerFile), or the group as one run. */
export function strykerRuns(
  g: MutationGroup,
): { name: string; mutate: readonly string[]; tests?: readonly string[] }[] {
  if (!g.testsPerFile || g.tests) return [{ name: g.name, mutate: g.mutate, tests: g.tests }];
  const perFile = g.testsPerFile;
  const files = Object.keys(perFile).filter((f) => g.mutate.some((glob) => path.matchesGlob(f, glob)));
  return files.map((f) => ({
    name: path.join(g.name, path.basename(f, '.ts')),
    mutate: [f],
    tests: perFile[f],
  }));
}

async function runStrykerGroup(
  g: MutationGroup,
  concurrency: number,
  record: (mutants: Mutant[], scope: readonly string[], tests: readonly string[] | undefined) => GroupResult,
): Promise<GroupResult> {
  const runs = strykerRuns(g);
  const mutants: Mutant[] = [];
  let result: GroupResult | undefined;
  for (const [i, r] of runs.entries()) {
    if (runs.length > 1) {
      console.log(
        `\n── ${g.name} ${i + 1}/${runs.length}: ${r.mutate.join(', ')} (tests: ${r.tests?.join(', ')})`,
      );
    }
    const run = { ...g, name: r.name, mutate: r.mutate, tests: r.tests };
    const key = runs.length > 1 ? byFileInputsKey(run) : undefined;
    const cached = key ? readByFileResult(run.name, key) : undefined;
    if (cached)
      console.log(`── ${r.name}: reusing the verdicts of an earlier run on the same lib/, k8s/ and tests`);
    const verdicts = cached ?? (await runStrykerTwoPass(run, concurrency));
    if (key && !cached) writeByFileResult(run.name, key, verdicts);
    mutants.push(...verdicts);
    // The scope and tests of what ran so far (also when --files leaves one file of a by-file group:
    // its own tests, not "every related test").
    const done = runs.slice(0, i + 1);
    const tests = [...new Set(done.flatMap((d) => d.tests ?? []))];
    result = record(
      mutants,
      done.flatMap((d) => d.mutate),
      tests.length > 0 ? tests : undefined,
    );
    if (runs.length > 1)
      console.log(`${g.name}: ${i + 1} of ${runs.length} files done, ${result.score} % so far`);
  }
  return result as GroupResult;
}

/**
 * What a by-file run's verdicts depend on, as one sha256: the git trees of lib/ and k8s/ (the code
 * the tests build), the run's own test files and test/lib/'s helpers (fixtures), the lock file,
 * the Stryker and jest configs, and the run's file and tests. Undefined when any of those has
 * uncommitted changes (then nothing is reused) or a test is not a committed file.
 */
export function byFileInputsKey(
  g: Pick<MutationGroup, 'mutate' | 'tests'>,
  cwd = REPO_ROOT,
): string | undefined {
  const git = (args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8' });
  const helpers = git(['ls-files', '--', 'test/lib'])
    .stdout.split('\n')
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const inputs = [
    'lib',
    'k8s',
    'package-lock.json',
    'stryker.config.json',
    'jest.config.js',
    ...(g.tests ?? []),
    ...helpers,
  ];
  const dirty = git(['status', '--porcelain', '--untracked-files=all', '--', ...inputs]);
  if (dirty.status !== 0 || dirty.stdout.trim() !== '') return undefined;
  const objects = git(['rev-parse', ...inputs.map((i) => `HEAD:${i}`)]);
  if (objects.status !== 0) return undefined;
  const what = JSON.stringify({
    how: VERDICTS_METHOD,
    mutate: g.mutate,
    tests: g.tests,
    secondPass: SECOND_PASS_TESTS,
  });
  return createHash('sha256').update(objects.stdout).update(what).digest('hex');
}

/** Raised whenever how a by-file run reaches its verdicts changes, so none from before is reused. */
const VERDICTS_METHOD = 2;

function byFileResultPath(name: string): string {
  return path.join(CACHE, name, 'verdicts.json');
}

/** A by-file run's verdicts from an earlier run with the same inputs key, if there is one. */
function readByFileResult(name: string, key: string): Mutant[] | undefined {
  try {
    const saved = JSON.parse(fs.readFileSync(byFileResultPath(name), 'utf8')) as {
      key: string;
      mutants: Mutant[];
    };
    return saved.key === key ? saved.mutants : undefined;
  } catch {
    return undefined;
  }
}

function writeByFileResult(name: string, key: string, mutants: readonly Mutant[]): void {
  fs.writeFileSync(byFileResultPath(name), `${JSON.stringify({ key, mutants }, null, 1)}\n`);
}

const alive = (m: Mutant) => m.status === 'Survived' || m.status === 'NoCoverage';

/** Which mutant: file, where it starts, what it does. */
const identity = (m: Mutant) => `${m.file}:${m.line}:${m.column ?? 0} ${m.mutator} ${m.replacement}`;

/**
 * The mutants of the run whose test set leaves SECOND_PASS_TESTS out, with every mutant the
 * second pass (the whole set) decided taking its verdict from there: the result every mutant would
 * get from the whole set (a mutant the first pass kills stays killed with more tests), in a
 * fraction of the time.
 */
export function mergeSecondPass(first: readonly Mutant[], second: readonly Mutant[]): Mutant[] {
  const again = new Map(second.map((m) => [identity(m), m]));
  return first.map((m) => again.get(identity(m)) ?? m);
}

/**
 * Stryker line ranges (`file:12-14`) over every mutant that survived, from its first line to its
 * last: Stryker re-runs only mutants wholly inside a range, and a block, call or array mutant
 * spans several lines (2026-12-01: ranges of first lines only left such survivors untested).
 */
export function survivorLineRanges(mutants: readonly Mutant[]): string[] {
  const ranges = new Set(mutants.filter(alive).map((m) => `${m.file}:${m.line}-${m.endLine ?? m.line}`));
  return [...ranges].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

async function runStrykerTwoPass(g: MutationGroup, concurrency: number): Promise<Mutant[]> {
  const firstTests = g.tests?.filter((t) => !SECOND_PASS_TESTS.includes(t));
  if (!firstTests || firstTests.length === 0 || firstTests.length === g.tests?.length) {
    // A by-file run is reused through its verdicts (byFileInputsKey), not Stryker's incremental
    // report: with coverage "all" that report re-used survivors whose tests had changed (seen
    // 2026-12-01: 122 of 130 zenml-spark-stack.ts results re-used after new tests that kill some).
    return runStryker(g, concurrency, { incremental: !g.testsPerFile });
  }
  // Incremental here: a kill it re-uses stays a kill, and every survivor runs again below.
  const first = await runStryker({ ...g, tests: firstTests }, concurrency);
  const ranges = survivorLineRanges(first);
  if (ranges.length === 0) return first;
  console.log(
    `── ${g.name}: ${ranges.length} lines with survivors again, with ${SECOND_PASS_TESTS.join(', ')}`,
  );
  const second = await runStryker({ ...g, name: `${g.name}/second-pass`, mutate: ranges }, concurrency, {
    incremental: false,
  });
  const merged = mergeSecondPass(first, second);
  // Every merged mutant not taken from `second` kept its first-pass verdict.
  const rerun = new Set(second);
  const unchecked = merged.filter((m) => alive(m) && !rerun.has(m)).length;
  if (unchecked > 0)
    console.log(
      `── ${g.name}: ${unchecked} survivors the second pass did not re-run keep the first pass's verdict`,
    );
  return merged;
}

async function runStryker(
  g: MutationGroup,
  concurrency: number,
  options: { incremental: boolean } = { incremental: true },
): Promise<Mutant[]> {
  const dir = path.join(CACHE, g.name);
  fs.mkdirSync(dir, { recursive: true });
  const base = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'stryker.config.json'), 'utf8'));
  const report = path.join(dir, 'stryker.json');
  const config = {
    ...base,
    ...(g.tests
      ? { jest: { ...base.jest, config: { testMatch: g.tests.map((t) => `<rootDir>/${t}`) } } }
      : {}),
    mutate: g.mutate,
    // lib/'s tests share one synthesized app per settings (test/lib/fixtures.ts synth()), built by
    // whichever test asks first: perTest coverage then credits only that test, and a mutant runs
    // without the tests that assert on it (seen 2026-12-01: PodIdentityRole without its
    // aws:SourceArn condition "survived", yet its IAM tests fail on it by hand). Every test of the
    // file's own set runs for every mutant instead (Stryker refuses ignoreStatic without perTest
    // coverage, so module-level mutants are tested too).
    ...(g.testsPerFile ? { coverageAnalysis: 'all', ignoreStatic: false } : {}),
    concurrency,
    incremental: options.incremental,
    incrementalFile: path.relative(REPO_ROOT, path.join(dir, 'incremental.json')),
    reporters: ['json', 'progress-append-only'],
    jsonReporter: { fileName: path.relative(REPO_ROOT, report) },
  };
  const configFile = path.join(dir, 'stryker.config.json');
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  fs.rmSync(report, { force: true });
  // A temp dir of its own, removed after: a mutant's test run that times out is killed before its
  // cleanup, and the CDK tests' cloud assemblies (cdk.outXXXXXX, megabytes each) would pile up in
  // the shared temp dir (hundreds in an hour of lib/ seen on 2026-12-01).
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zse-stryker-'));
  let code: number;
  try {
    // Stryker 10 needs Node >= 22: ensure-node.sh puts the project's Node first on PATH, as the
    // test and synth scripts do (the `node` tsx runs this file with may be older).
    code = await run(
      'bash',
      [
        '-c',
        'source scripts/lib/ensure-node.sh >&2 && exec node_modules/.bin/stryker run "$1"',
        'stryker',
        configFile,
      ],
      REPO_ROOT,
      { ...process.env, TMPDIR: tmp },
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (code !== 0 || !fs.existsSync(report)) throw new CliError(`stryker for ${g.name} failed (exit ${code})`);
  return strykerMutants(fs.readFileSync(report, 'utf8'), REPO_ROOT);
}

async function runMutmut(g: MutationGroup): Promise<Mutant[]> {
  const script = path.join(REPO_ROOT, 'scripts', 'verify', 'mutation', 'mutmut.sh');
  const code = await run('bash', [script, ...g.mutate], REPO_ROOT);
  const results = path.join(CACHE, g.name, 'mutmut-results.txt');
  if (code !== 0 || !fs.existsSync(results)) throw new CliError(`mutmut for ${g.name} failed (exit ${code})`);
  return mutmutMutants(fs.readFileSync(results, 'utf8'), `spark/${g.mutate[0]}`);
}

/** Every group file of every label under bench/mutation/. */
export function readLabels(dir = OUT): Map<string, GroupResult[]> {
  const labels = new Map<string, GroupResult[]>();
  if (!fs.existsSync(dir)) return labels;
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort((a, b) => (a === 'baseline' ? -1 : b === 'baseline' ? 1 : a.localeCompare(b)));
  for (const label of names) {
    const files = fs.readdirSync(path.join(dir, label)).filter((f) => f.endsWith('.json'));
    labels.set(
      label,
      files.map((f) => JSON.parse(fs.readFileSync(path.join(dir, label, f), 'utf8')) as GroupResult),
    );
  }
  return labels;
}

/** Rewrites results.md from every group file, judged against the current equivalent.json. */
function writeResults(): void {
  const equivalents = readEquivalents(path.join(OUT, 'equivalent.json'));
  const labels = readLabels();
  for (const [label, results] of labels) {
    const judged = results.map((r) => reapplyEquivalents(r, equivalents));
    labels.set(label, judged);
    for (const r of judged) {
      fs.writeFileSync(path.join(OUT, label, `${r.group}.json`), `${JSON.stringify(r, null, 2)}\n`);
    }
  }
  fs.writeFileSync(
    path.join(OUT, 'results.md'),
    renderResults(
      labels,
      GROUPS.map((g) => g.name),
    ),
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const values = parseFlags(argv, OPTIONS, HELP.split('\n')[0]);
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  let groups = selectGroups(values.only);
  if (values.files !== undefined) {
    if (groups.length !== 1 || groups[0].tool !== 'stryker') {
      throw new CliError('--files: name exactly one TypeScript group with --only', EXIT.usage);
    }
    groups = [narrowGroup(groups[0], values.files)];
  }
  if (values.tests !== undefined) {
    if (groups.length !== 1 || groups[0].tool !== 'stryker') {
      throw new CliError('--tests: name exactly one TypeScript group with --only', EXIT.usage);
    }
    groups = [withTests(groups[0], values.tests)];
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
    throw new CliError(`--concurrency ${values.concurrency}: a whole number from 1 to 16`, EXIT.usage);
  }
  const label = values.label as string;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(label)) {
    throw new CliError(`--label ${label}: lowercase letters, digits and dashes`, EXIT.usage);
  }
  if (values['report-only']) {
    writeResults();
    console.log(`mutation: ${path.relative(REPO_ROOT, path.join(OUT, 'results.md'))} rewritten`);
    return EXIT.ok;
  }
  const equivalents = readEquivalents(path.join(OUT, 'equivalent.json'));
  fs.mkdirSync(path.join(OUT, label), { recursive: true });
  for (const [i, g] of groups.entries()) {
    console.log(`\n━━ mutation ${i + 1}/${groups.length}: ${g.name} (${g.tool}: ${g.mutate.join(', ')})`);
    const commit = measuredCommit();
    const started = Date.now();
    // Written after every file of a file-by-file group too, so a run stopped part way keeps (and
    // the report shows) the files it finished, with only those in its scope.
    const record = (mutants: Mutant[], scope: readonly string[], tests: readonly string[] | undefined) => {
      const r = groupResult(
        {
          group: g.name,
          tool: g.tool,
          commit,
          finishedAt: new Date().toISOString(),
          seconds: Math.round((Date.now() - started) / 1000),
          target: g.target,
          scope,
          tests,
        },
        mutants,
        equivalents,
      );
      fs.writeFileSync(path.join(OUT, label, `${g.name}.json`), `${JSON.stringify(r, null, 2)}\n`);
      writeResults();
      return r;
    };
    const r =
      g.tool === 'stryker'
        ? await runStrykerGroup(g, concurrency, record)
        : record(await runMutmut(g), g.mutate, undefined);
    console.log(
      `mutation ${g.name}: ${r.score} % (target ${g.target} %), ${r.counts.Survived} survived, ${r.counts.NoCoverage} not covered, ${r.seconds} s`,
    );
  }

  console.log(`mutation: results in ${path.relative(REPO_ROOT, path.join(OUT, 'results.md'))}`);
  return EXIT.ok;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
