/**
 * The mutation report: what `npm run mutation` measured, per group of folders (score, target,
 * surviving mutants, the commit measured, the run time), read from Stryker's JSON report (the
 * mutation-testing-report-schema every Stryker writes) or from mutmut's results, and written to
 * bench/mutation/. Pure: no process, no file access except readEquivalents.
 */
import * as fs from 'node:fs';

/** The statuses of both tools, in Stryker's words (mutmut's are mapped onto them). */
export type MutantStatus =
  | 'Killed'
  | 'Timeout'
  | 'Survived'
  | 'NoCoverage'
  | 'CompileError'
  | 'RuntimeError'
  | 'Ignored'
  | 'Pending';

export interface Mutant {
  readonly file: string;
  readonly line: number;
  /** Stryker only: where the mutated code starts (column) and ends, for re-running exactly it. */
  readonly column?: number;
  readonly endLine?: number;
  readonly mutator: string;
  /** What the mutant put in place of the code (Stryker), or the mutant's name (mutmut). */
  readonly replacement: string;
  readonly status: MutantStatus;
}

export interface GroupResult {
  readonly group: string;
  readonly tool: 'stryker' | 'mutmut';
  /** `git rev-parse HEAD` of the measured tree, with `+dirty` when it had uncommitted changes. */
  readonly commit: string;
  readonly finishedAt: string;
  readonly seconds: number;
  readonly target: number;
  /** What was mutated: the group's globs, or the files --files narrowed it to. */
  readonly scope: readonly string[];
  /**
   * The tests Stryker ran, when the group limits them (MutationGroup.tests); absent: every test
   * related to the mutated files. A limited set gives a lower bound: the other tests could only
   * kill more.
   */
  readonly tests?: readonly string[];
  readonly counts: Readonly<Record<MutantStatus, number>>;
  /** (killed + timeout) / (killed + timeout + survived + no coverage), in percent, one decimal. */
  readonly score: number;
  /** The same, counting the survivors justified as equivalent in bench/mutation/equivalent.json as detected. */
  readonly scoreWithEquivalents: number;
  /** Survived and not covered mutants, with the reason when one is justified as equivalent. */
  readonly survivors: readonly (Mutant & { readonly equivalent?: string })[];
}

const STATUSES: readonly MutantStatus[] = [
  'Killed',
  'Timeout',
  'Survived',
  'NoCoverage',
  'CompileError',
  'RuntimeError',
  'Ignored',
  'Pending',
];

/** The key an equivalence justification is filed under: file:line mutator replacement. */
export function mutantKey(m: Pick<Mutant, 'file' | 'line' | 'mutator' | 'replacement'>): string {
  return `${m.file}:${m.line} ${m.mutator} ${m.replacement}`;
}

/** bench/mutation/equivalent.json: mutant key -> why the mutant changes no behaviour. */
export function readEquivalents(file: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
}

export function countStatuses(mutants: readonly Mutant[]): Record<MutantStatus, number> {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<MutantStatus, number>;
  for (const m of mutants) counts[m.status] += 1;
  return counts;
}

/** Stryker's mutation score: detected over valid mutants; 100 when there is nothing to detect. */
export function score(counts: Readonly<Record<MutantStatus, number>>, extraDetected = 0): number {
  const detected = counts.Killed + counts.Timeout + extraDetected;
  const valid = counts.Killed + counts.Timeout + counts.Survived + counts.NoCoverage;
  return valid === 0 ? 100 : Math.round((detected / valid) * 1000) / 10;
}

interface StrykerReport {
  files: Record<
    string,
    {
      source?: string;
      mutants: {
        mutatorName: string;
        replacement?: string;
        status: MutantStatus;
        location: { start: { line: number; column: number }; end?: { line: number; column: number } };
      }[];
    }
  >;
}

/** The mutants of a Stryker JSON report, file paths relative to the repository root. */
export function strykerMutants(json: string, root: string): Mutant[] {
  const report = JSON.parse(json) as StrykerReport;
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return Object.entries(report.files).flatMap(([file, f]) =>
    f.mutants.map((m) => ({
      file: file.startsWith(prefix) ? file.slice(prefix.length) : file,
      line: m.location.start.line,
      column: m.location.start.column,
      endLine: m.location.end?.line ?? m.location.start.line,
      mutator: m.mutatorName,
      replacement: (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 120),
      status: m.status,
    })),
  );
}

const MUTMUT_STATUS: Record<string, MutantStatus> = {
  killed: 'Killed',
  timeout: 'Timeout',
  survived: 'Survived',
  'no tests': 'NoCoverage',
  suspicious: 'Timeout',
  skipped: 'Ignored',
  'not checked': 'Pending',
  segfault: 'Killed',
  'check was interrupted by user': 'Pending',
};

/**
 * The mutants of `mutmut results --all true` (lines `    module.func__mutmut_3: survived`).
 * mutmut names a mutant by function, not by line: `line` is 0 and the name is the replacement.
 */
export function mutmutMutants(text: string, packageDir: string): Mutant[] {
  const out: Mutant[] = [];
  for (const raw of text.split('\n')) {
    const m = /^\s*([\w.]+?)\.(x(?:ǁ\w+ǁ)?_?\w*?__mutmut_\d+|\w+__mutmut_\d+):\s*(.+?)\s*$/.exec(raw);
    if (!m) continue;
    const [, module, name, status] = m;
    out.push({
      file: `${packageDir}/${module.split('.').slice(1).join('/')}.py`,
      line: 0,
      mutator: 'mutmut',
      replacement: name,
      status: MUTMUT_STATUS[status] ?? 'Pending',
    });
  }
  return out;
}

export function groupResult(
  base: Pick<
    GroupResult,
    'group' | 'tool' | 'commit' | 'finishedAt' | 'seconds' | 'target' | 'scope' | 'tests'
  >,
  mutants: readonly Mutant[],
  equivalents: Readonly<Record<string, string>>,
): GroupResult {
  const counts = countStatuses(mutants);
  const survivors = mutants
    .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
    .map((m): Mutant & { equivalent?: string } => {
      const why = equivalents[mutantKey(m)];
      return why === undefined ? m : { ...m, equivalent: why };
    })
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  const justified = survivors.filter((s) => s.equivalent !== undefined).length;
  return {
    ...base,
    counts,
    score: score(counts),
    scoreWithEquivalents: score(counts, justified),
    survivors,
  };
}

/** A stored result judged again against the current equivalence file (npm run mutation -- --report-only). */
export function reapplyEquivalents(
  r: GroupResult,
  equivalents: Readonly<Record<string, string>>,
): GroupResult {
  const survivors = r.survivors.map(({ equivalent: _old, ...m }): Mutant & { equivalent?: string } => {
    const why = equivalents[mutantKey(m)];
    return why === undefined ? m : { ...m, equivalent: why };
  });
  const justified = survivors.filter((x) => x.equivalent !== undefined).length;
  return { ...r, survivors, scoreWithEquivalents: score(r.counts, justified) };
}

function pct(n: number): string {
  return `${n.toFixed(1)} %`;
}

function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m} min ${Math.round(seconds % 60)} s` : `${Math.round(seconds)} s`;
}

/**
 * bench/mutation/results.md: one table per label (baseline: before issue 16's tests; latest: the
 * newest run of each group), then the surviving mutants of the latest run of each group.
 */
export function renderResults(
  labels: ReadonlyMap<string, readonly GroupResult[]>,
  order: readonly string[],
): string {
  const out: string[] = [
    '# Mutation testing',
    '',
    'Written by `npm run mutation` (scripts/verify/mutation.ts): Stryker (jest runner, perTest',
    'coverage) for the TypeScript, mutmut for the Spark programs. Score = (killed + timed out) /',
    '(killed + timed out + survived + no coverage). "with equivalents" also counts the survivors',
    'that bench/mutation/equivalent.json justifies as equivalent (no behaviour change) as detected.',
    'Each group names the commit it measured (`+dirty`: with uncommitted changes) and its scope.',
    'What was measured, what was not and why, and the judgement on survivors: [notes.md](notes.md).',
  ];
  const rank = (g: string) => (order.indexOf(g) === -1 ? order.length : order.indexOf(g));
  for (const [label, results] of labels) {
    const rows = [...results].sort((a, b) => rank(a.group) - rank(b.group));
    out.push('', `## ${label}`, '');
    out.push(
      '| group | scope | score | with equivalents | target | killed | timeout | survived | no coverage | errors | run time | commit |',
    );
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const c = r.counts;
      const met = r.scoreWithEquivalents >= r.target ? 'met' : 'NOT met';
      out.push(
        `| ${r.group} | ${(r.scope ?? []).map((x) => `\`${x}\``).join(', ')}${r.tests ? `; tests ${r.tests.map((x) => `\`${x}\``).join(', ')} only` : ''} | ${pct(r.score)} | ${pct(r.scoreWithEquivalents)} | ${r.target} % (${met}) | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.CompileError + c.RuntimeError} | ${duration(r.seconds)} | ${r.commit.slice(0, 12)}${r.commit.endsWith('+dirty') ? '+dirty' : ''} (${r.finishedAt.slice(0, 16)}Z) |`,
      );
    }
  }
  const latest = labels.get('latest');
  if (latest) {
    out.push('', '## Surviving mutants (latest)', '');
    for (const r of [...latest].sort((a, b) => rank(a.group) - rank(b.group))) {
      out.push(`### ${r.group} (${r.survivors.length})`, '');
      if (r.survivors.length === 0) out.push('None.', '');
      for (const s of r.survivors) {
        const where = s.line > 0 ? `${s.file}:${s.line}` : s.file;
        const status = s.status === 'NoCoverage' ? ' (no test reaches it)' : '';
        const why = s.equivalent ? ` — equivalent: ${s.equivalent}` : '';
        out.push(`- \`${where}\` ${s.mutator}${status}: \`${s.replacement.replaceAll('`', "'")}\`${why}`);
      }
      if (r.survivors.length > 0) out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
