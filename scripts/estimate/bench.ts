/**
 * Benchmark of the developer loop: the main synth command end to end, the CDK app synth alone,
 * and the unit test suite, each run several times (median and spread), with the machine's core
 * count and load, written to bench/results.md (+ bench/runs/<label>.json).
 *
 *   npm run bench [-- --runs 3] [--label after] [--only main-synth,app-synth,unit-tests] [--no-write]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError, EXIT, EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { REPO_ROOT } from '../lib/settings';
import { table } from '../lib/table';

const HELP = `Usage: npm run bench -- [--runs N] [--label NAME] [--only a,b] [--no-write]

Times (after one untimed warm-up run each) the developer loop on this machine:
  main-synth       npm run synth, end to end: CDK CLI, the app with cdk-nag, cfn-guard and the
                   built-in CloudFormation validation, Kubernetes manifests, summary (own out dirs)
  app-synth        the CDK app synth alone: one process that loads the app, constructs the stack and
                   synthesizes it WITHOUT policy checks (as the unit tests and npm run cost do)
  app-with-checks  the same process with every policy check, i.e. the app as cdk synth runs it
  cdk-cli          the CDK CLI's own overhead: cdk synth on an already synthesized assembly
  unit-tests       jest (unit suites only: jest.config.js leaves out the emulator and ZenML suites)
Each is timed wall-clock and CPU (user+sys of the process tree). The machine is shared: the load
average is recorded with each run; compare CPU seconds when the load differs.
Results: bench/results.md (all labels) and bench/runs/<label>.json.

  --runs N      timed runs per benchmark (default 3)
  --label NAME  name of this result set (default: latest)
  --only LIST   comma-separated benchmark names
  --no-write    print only

${EXIT_CODES_HELP}`;

/** Targets from issue 6, on a 2-core machine: median wall-clock seconds. */
const TARGETS: Record<string, number> = { 'main-synth': 20, 'app-synth': 3, 'unit-tests': 60 };

interface Bench {
  readonly name: string;
  readonly what: string;
  readonly command: readonly string[];
}

interface Run {
  readonly wallS: number;
  readonly cpuS: number;
  readonly load1: number;
  readonly ok: boolean;
  readonly phases?: Record<string, number>;
}

interface Result {
  readonly name: string;
  readonly what: string;
  readonly command: string;
  readonly runs: readonly Run[];
  readonly medianWallS: number;
  readonly minWallS: number;
  readonly maxWallS: number;
  readonly medianCpuS: number;
  readonly target?: number;
}

interface ResultSet {
  readonly label: string;
  readonly date: string;
  readonly machine: {
    readonly cores: number;
    readonly cpuModel: string;
    readonly memGiB: number;
    readonly node: string;
    readonly loadAvgStart: readonly number[];
    readonly loadAvgEnd: readonly number[];
  };
  readonly cdkJsonApp: string;
  readonly results: readonly Result[];
}

const SCRATCH = path.join(REPO_ROOT, '.cache', 'bench');
const bin = (name: string) => path.join(REPO_ROOT, 'node_modules', '.bin', name);

function benches(): Bench[] {
  const out = path.join(SCRATCH, 'cdk.out');
  return [
    {
      name: 'main-synth',
      what: 'npm run synth end to end (all validation plugins)',
      command: ['npm', 'run', '--silent', 'synth', '--', '--out', out, '--dist', path.join(SCRATCH, 'dist')],
    },
    {
      name: 'app-synth',
      what: 'app load + construct + synth, no policy checks',
      command: [bin('tsx'), 'scripts/estimate/app-synth-probe.ts', '--out', path.join(SCRATCH, 'app.out')],
    },
    {
      name: 'app-with-checks',
      what: 'the same with cdk-nag, cfn-guard, built-in validation',
      command: [
        bin('tsx'),
        'scripts/estimate/app-synth-probe.ts',
        '--checks',
        '--out',
        path.join(SCRATCH, 'app-checks.out'),
      ],
    },
    {
      name: 'cdk-cli',
      what: 'CDK CLI overhead (cdk synth on an existing assembly)',
      command: [bin('cdk'), 'synth', '--app', out, '--quiet', '--no-notices'],
    },
    {
      name: 'unit-tests',
      what: 'jest unit suites',
      command: [bin('jest'), '--silent'],
    },
  ];
}

/** Runs a command under /usr/bin/time for wall and CPU seconds of the whole process tree. */
function timeOnce(b: Bench): Run {
  const timeFile = path.join(SCRATCH, 'time.txt');
  const load1 = os.loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', timeFile, ...b.command], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const [wall, user, sys] =
    fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [];
  const phaseLine = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{"checks"'));
  if (r.status !== 0) {
    process.stderr.write(
      `  ${b.name} exited ${r.status}:\n${(r.stderr ?? '').split('\n').slice(-15).join('\n')}\n`,
    );
  }
  return {
    wallS: wall,
    cpuS: Math.round((user + sys) * 100) / 100,
    load1: Math.round(load1 * 100) / 100,
    ok: r.status === 0,
    phases: phaseLine ? (JSON.parse(phaseLine) as Record<string, number>) : undefined,
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : Math.round(((s[m - 1] + s[m]) / 2) * 100) / 100;
}

function render(sets: readonly ResultSet[]): string {
  const out: string[] = [
    '# Developer-loop benchmark',
    '',
    'Written by `npm run bench` (scripts/estimate/bench.ts); how to read it: [docs/cost-and-timing.md](../docs/cost-and-timing.md).',
    'Medians of several runs after one warm-up run; wall-clock and CPU seconds (user+sys of the process',
    'tree). The machine is shared by several engineers: the 1-minute load average is recorded per run,',
    'and CPU seconds are the fairer comparison when loads differ. Targets (issue 6, 2 cores, median',
    'wall): main synth <= 20 s, app synth alone <= 3 s, unit tests <= 60 s.',
  ];
  for (const s of sets) {
    out.push(
      '',
      `## ${s.label} (${s.date})`,
      '',
      `${s.machine.cores} cores (${s.machine.cpuModel}), ${s.machine.memGiB} GiB, Node ${s.machine.node}; ` +
        `load average at start ${s.machine.loadAvgStart.join(' / ')}, at end ${s.machine.loadAvgEnd.join(' / ')}; ` +
        `cdk.json app: \`${s.cdkJsonApp}\``,
      '',
      '| benchmark | what | median wall | min-max wall | median CPU | load (1 min) per run | target |',
      '|---|---|---|---|---|---|---|',
      ...s.results.map(
        (r) =>
          `| ${r.name} | ${r.what} | ${r.medianWallS.toFixed(1)} s | ${r.minWallS.toFixed(1)}-${r.maxWallS.toFixed(1)} s | ` +
          `${r.medianCpuS.toFixed(1)} s | ${r.runs.map((x) => x.load1.toFixed(1)).join(', ')} | ` +
          `${r.target === undefined ? '' : `<= ${r.target} s: ${r.medianWallS <= r.target ? 'met' : 'MISSED'}`}${r.runs.some((x) => !x.ok) ? ' (a run FAILED)' : ''} |`,
      ),
    );
    const phases = s.results.filter((r) => r.runs.some((x) => x.phases));
    if (phases.length > 0) {
      out.push(
        '',
        'In-process phases (median ms): load = process start to app code, then construct, synth.',
        '',
      );
      for (const r of phases) {
        const ph = (k: string) => median(r.runs.map((x) => x.phases?.[k] ?? 0));
        out.push(`- ${r.name}: load ${ph('loadMs')}, construct ${ph('constructMs')}, synth ${ph('synthMs')}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}

const OPTIONS = {
  runs: { type: 'string', default: '3' },
  label: { type: 'string', default: 'latest' },
  only: { type: 'string' },
  'no-write': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;

async function main(argv: readonly string[]): Promise<number> {
  const values = parseFlags(argv, OPTIONS, HELP.split('\n')[0]);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20)
    throw new CliError(`--runs ${values.runs}: a whole number 1-20`, EXIT.usage);
  const only = values.only?.split(',').map((s) => s.trim());
  const selected = benches().filter((b) => !only || only.includes(b.name));
  if (selected.length === 0)
    throw new CliError(
      `--only ${values.only}: none of ${benches()
        .map((b) => b.name)
        .join(', ')}`,
      EXIT.usage,
    );
  fs.mkdirSync(SCRATCH, { recursive: true });

  const loadAvgStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const results: Result[] = [];
  for (const b of selected) {
    console.log(
      `${b.name}: warm-up + ${runs} run(s): ${b.command.map((c) => path.relative(REPO_ROOT, c) || c).join(' ')}`,
    );
    timeOnce(b);
    const rs: Run[] = [];
    for (let i = 0; i < runs; i++) {
      const r = timeOnce(b);
      console.log(
        `  run ${i + 1}: ${r.wallS.toFixed(1)} s wall, ${r.cpuS.toFixed(1)} s CPU, load ${r.load1}${r.ok ? '' : ' FAILED'}`,
      );
      rs.push(r);
    }
    const walls = rs.map((r) => r.wallS);
    results.push({
      name: b.name,
      what: b.what,
      command: b.command.map((c) => path.relative(REPO_ROOT, c) || c).join(' '),
      runs: rs,
      medianWallS: median(walls),
      minWallS: Math.min(...walls),
      maxWallS: Math.max(...walls),
      medianCpuS: median(rs.map((r) => r.cpuS)),
      target: TARGETS[b.name],
    });
  }
  const set: ResultSet = {
    label: values.label as string,
    date: new Date().toISOString(),
    machine: {
      cores: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      loadAvgStart,
      loadAvgEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
    },
    cdkJsonApp: JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')).app,
    results,
  };
  console.log(
    `\n${table(
      ['benchmark', 'median wall', 'min-max', 'median CPU', 'target'],
      results.map((r) => [
        r.name,
        `${r.medianWallS.toFixed(1)} s`,
        `${r.minWallS.toFixed(1)}-${r.maxWallS.toFixed(1)} s`,
        `${r.medianCpuS.toFixed(1)} s`,
        r.target === undefined ? '' : `<= ${r.target} s ${r.medianWallS <= r.target ? 'met' : 'MISSED'}`,
      ]),
    )}`,
  );
  console.log(
    `  ${set.machine.cores} cores, load average ${loadAvgStart.join(' / ')} -> ${set.machine.loadAvgEnd.join(' / ')}`,
  );
  if (!values['no-write']) {
    const runsDir = path.join(REPO_ROOT, 'bench', 'runs');
    fs.mkdirSync(runsDir, { recursive: true });
    fs.writeFileSync(path.join(runsDir, `${set.label}.json`), `${JSON.stringify(set, null, 2)}\n`);
    const sets = fs
      .readdirSync(runsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(runsDir, f), 'utf8')) as ResultSet)
      .sort((a, b) => b.date.localeCompare(a.date));
    fs.writeFileSync(path.join(REPO_ROOT, 'bench', 'results.md'), render(sets));
    console.log(`  written: bench/results.md, bench/runs/${set.label}.json`);
  }
  return results.some((r) => r.runs.some((x) => !x.ok)) ? 1 : 0;
}

runMain(() => main(process.argv.slice(2)));
