import { GROUPS, narrowGroup, selectGroups, withTests } from '../../../scripts/verify/mutation';

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
