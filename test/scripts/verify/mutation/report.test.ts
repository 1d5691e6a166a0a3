import {
  countStatuses,
  groupResult,
  type Mutant,
  mutantKey,
  mutmutMutants,
  reapplyEquivalents,
  renderResults,
  score,
  strykerMutants,
} from '../../../../scripts/verify/mutation/report';

const m = (status: Mutant['status'], line = 1, replacement = 'x'): Mutant => ({
  file: 'lib/a.ts',
  line,
  mutator: 'EqualityOperator',
  replacement,
  status,
});
const base = {
  group: 'settings',
  tool: 'stryker' as const,
  commit: 'abc123',
  finishedAt: '2026-11-30T17:00:00.000Z',
  seconds: 75,
  target: 80,
  scope: ['lib/settings/**/*.ts'],
};

describe('mutation score', () => {
  test('detected (killed + timeout) over valid (+ survived + no coverage); errors and ignored left out', () => {
    const counts = countStatuses([
      m('Killed'),
      m('Killed'),
      m('Timeout'),
      m('Survived'),
      m('NoCoverage'),
      m('CompileError'),
      m('RuntimeError'),
      m('Ignored'),
    ]);
    expect(counts).toMatchObject({ Killed: 2, Timeout: 1, Survived: 1, NoCoverage: 1, CompileError: 1 });
    expect(score(counts)).toBe(60);
    expect(score(counts, 1)).toBe(80);
  });

  test('one decimal; nothing to detect is 100', () => {
    expect(score(countStatuses([m('Killed'), m('Killed'), m('Survived')]))).toBe(66.7);
    expect(score(countStatuses([m('Ignored')]))).toBe(100);
  });
});

describe('reading the tools', () => {
  test("Stryker's JSON: paths relative to the repository, start and end, mutator, replacement on one line", () => {
    const json = JSON.stringify({
      files: {
        '/repo/lib/settings/pool-rules.ts': {
          mutants: [
            {
              mutatorName: 'EqualityOperator',
              replacement: 'c.nodeMaxSize >\n   0',
              status: 'Survived',
              location: { start: { line: 97, column: 40 }, end: { line: 98, column: 5 } },
            },
            { mutatorName: 'BlockStatement', status: 'Killed', location: { start: { line: 3, column: 1 } } },
          ],
        },
      },
    });
    expect(strykerMutants(json, '/repo')).toEqual([
      {
        file: 'lib/settings/pool-rules.ts',
        line: 97,
        column: 40,
        endLine: 98,
        mutator: 'EqualityOperator',
        replacement: 'c.nodeMaxSize > 0',
        status: 'Survived',
      },
      {
        file: 'lib/settings/pool-rules.ts',
        line: 3,
        column: 1,
        // No end in the report: the mutant is taken to end on its first line.
        endLine: 3,
        mutator: 'BlockStatement',
        replacement: '',
        status: 'Killed',
      },
    ]);
  });

  test("mutmut's results: module to file, its statuses mapped onto Stryker's", () => {
    const text = [
      '    zenml_spark_steps.common.x_validate_run_id__mutmut_1: killed',
      '    zenml_spark_steps.scheduling.x_apply__mutmut_7: survived',
      '    zenml_spark_steps.trainer.x_train__mutmut_2: no tests',
      '    zenml_spark_steps.trainer.x_train__mutmut_3: timeout',
      'some other line',
    ].join('\n');
    expect(
      mutmutMutants(text, 'spark/zenml_spark_steps').map((x) => [x.file, x.replacement, x.status]),
    ).toEqual([
      ['spark/zenml_spark_steps/common.py', 'x_validate_run_id__mutmut_1', 'Killed'],
      ['spark/zenml_spark_steps/scheduling.py', 'x_apply__mutmut_7', 'Survived'],
      ['spark/zenml_spark_steps/trainer.py', 'x_train__mutmut_2', 'NoCoverage'],
      ['spark/zenml_spark_steps/trainer.py', 'x_train__mutmut_3', 'Timeout'],
    ]);
  });
});

describe('a group result and the report', () => {
  const mutants = [m('Killed', 1), m('Killed', 2), m('Survived', 9, 'a >= b'), m('NoCoverage', 5, 'true')];
  const equivalent = mutantKey(mutants[2]);

  test('survivors sorted by place, an equivalent one carries its reason and counts in the second score', () => {
    const r = groupResult(base, mutants, { [equivalent]: 'both branches return the same list' });
    expect(r.score).toBe(50);
    expect(r.scoreWithEquivalents).toBe(75);
    expect(r.survivors.map((s) => [s.line, s.status, s.equivalent])).toEqual([
      [5, 'NoCoverage', undefined],
      [9, 'Survived', 'both branches return the same list'],
    ]);
    expect(mutantKey(mutants[2])).toBe('lib/a.ts:9 EqualityOperator a >= b');
  });

  test('a stored result judged again: a new justification counts, a withdrawn one no longer does', () => {
    const stored = groupResult(base, mutants, { [equivalent]: 'old reason' });
    const again = reapplyEquivalents(stored, {});
    expect(again.scoreWithEquivalents).toBe(50);
    expect(again.survivors.every((s) => s.equivalent === undefined)).toBe(true);
    expect(reapplyEquivalents(again, { [equivalent]: 'new reason' }).survivors[1].equivalent).toBe(
      'new reason',
    );
  });

  test('the report: a table per label in group order, target met or not, and the latest survivors', () => {
    const latest = groupResult({ ...base, commit: 'abcdef1234567890+dirty' }, mutants, {});
    const before = groupResult({ ...base, group: 'gates' }, [m('Killed')], {});
    const md = renderResults(
      new Map([
        ['baseline', [latest, before]],
        ['latest', [latest]],
      ]),
      ['gates', 'settings'],
    );
    const baseline = md.slice(md.indexOf('## baseline'), md.indexOf('## latest'));
    expect(baseline.indexOf('| gates |')).toBeLessThan(baseline.indexOf('| settings |'));
    expect(md).toContain(
      '| settings | `lib/settings/**/*.ts` | 50.0 % | 50.0 % | 80 % (NOT met) | 2 | 0 | 1 | 1 | 0 | 1 min 15 s | abcdef123456+dirty (2026-11-30T17:00Z) |',
    );
    expect(md).toContain('| gates | `lib/settings/**/*.ts` | 100.0 % | 100.0 % | 80 % (met) |');
    expect(md).toContain('### settings (2)');
    expect(md).toContain('- `lib/a.ts:5` EqualityOperator (no test reaches it): `true`');
    expect(md).toContain('- `lib/a.ts:9` EqualityOperator: `a >= b`');
    expect(md.endsWith('\n')).toBe(true);
  });

  test('a group measured with a limited set of tests says so in its scope (a lower bound)', () => {
    const k8s = groupResult(
      { ...base, group: 'k8s', scope: ['k8s/**/*.ts'], tests: ['test/k8s/**/*.test.ts'] },
      [m('Killed')],
      {},
    );
    expect(renderResults(new Map([['latest', [k8s]]]), ['k8s'])).toContain(
      '| k8s | `k8s/**/*.ts`; tests `test/k8s/**/*.test.ts` only | 100.0 % |',
    );
  });
});
