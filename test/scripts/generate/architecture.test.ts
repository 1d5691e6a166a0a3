/**
 * docs/architecture.md is generated from the code, and the code keeps to the layers it describes:
 * every import in bin/, lib/, k8s/, scripts/ and test/ is checked against LAYERS
 * (scripts/generate/layers.ts), the table the page's rules are generated from.
 */
import * as fs from 'node:fs';
import { ARCHITECTURE_DOC, withGeneratedBlock } from '../../../scripts/generate/architecture';
import {
  importGraph,
  LAYERS,
  layerOf,
  layerViolations,
  mayImport,
  specifiers,
} from '../../../scripts/generate/layers';
import { REPO_ROOT } from '../../../scripts/lib/settings';

test('docs/architecture.md is the generated one (refresh: scripts/generate/architecture.ts --write)', () => {
  const doc = fs.readFileSync(ARCHITECTURE_DOC, 'utf8');
  expect(withGeneratedBlock(doc)).toBe(doc);
});

test('no import crosses a layer the page forbids, and every file is in a layer', () => {
  expect(layerViolations(REPO_ROOT)).toEqual([]);
});

test('the import graph is read: hundreds of project imports, all resolved', () => {
  const { edges, unresolved } = importGraph(REPO_ROOT);
  expect(unresolved).toEqual([]);
  expect(edges.length).toBeGreaterThan(200);
  expect(edges).toContainEqual(
    expect.objectContaining({ from: 'bin/app.ts', to: 'lib/app.ts', specifier: '../lib/app' }),
  );
});

describe('the rules the page states', () => {
  const layer = (file: string) => {
    const l = layerOf(file);
    if (!l) throw new Error(`${file} is in no layer`);
    return l;
  };
  const allowed = (from: string, to: string) => mayImport(layer(from), layer(to));

  test.each([
    ['lib/settings/config.ts', 'lib/removal.ts'],
    ['lib/settings/names.ts', 'k8s/spark-sizing.ts'],
    ['lib/settings/pipeline.ts', 'scripts/lib/cli.ts'],
    ['lib/artifact-store.ts', 'k8s/spark-rbac-chart.ts'],
    ['lib/artifact-store.ts', 'lib/app.ts'],
    ['k8s/pipeline-jobs-chart.ts', 'lib/artifact-store.ts'],
    ['k8s/manifests.ts', 'lib/zenml-spark-stack.ts'],
    ['lib/zenml-spark-stack.ts', 'scripts/lib/cli.ts'],
    ['k8s/manifests.ts', 'test/lib/fixtures.ts'],
    ['scripts/lib/cli.ts', 'scripts/operate/target.ts'],
    ['scripts/lib/settings.ts', 'scripts/verify/gates.ts'],
    ['scripts/operate/outputs.ts', 'scripts/estimate/cost-report.ts'],
    ['scripts/operate/pools/run.ts', 'scripts/estimate/synth.ts'],
    ['scripts/estimate/cost-model.ts', 'scripts/lib/cli.ts'],
    ['scripts/estimate/synth.ts', 'scripts/verify/gates/result.ts'],
    ['scripts/verify/rehearsal.ts', 'scripts/operate/stack-outputs.ts'],
    ['scripts/operate/status.ts', 'lib/zenml-spark-stack.ts'],
  ])('forbidden: %s -> %s', (from, to) => {
    expect(allowed(from, to)).toBe(false);
  });

  test.each([
    ['bin/app.ts', 'lib/app.ts'],
    ['lib/zenml-spark-stack.ts', 'k8s/spark-rbac-chart.ts'],
    ['lib/network.ts', 'lib/owned-log-group.ts'],
    ['k8s/pipeline-jobs-chart.ts', 'lib/settings/names.ts'],
    ['scripts/operate/outputs.ts', 'scripts/lib/cli.ts'],
    // pause/resume price the states they leave and reach with the one cost model.
    ['scripts/operate/pools/run.ts', 'scripts/estimate/cost-model.ts'],
    ['test/scripts/lib/cli.test.ts', 'scripts/operate/target.ts'],
  ])('allowed: %s -> %s', (from, to) => {
    expect(allowed(from, to)).toBe(true);
  });

  test('every layer named in a rule exists', () => {
    const names = new Set(LAYERS.map((l) => l.name));
    for (const l of LAYERS)
      if (l.mayImport !== '*')
        for (const n of l.mayImport) expect([l.name, names.has(n)]).toEqual([l.name, true]);
  });
});

test('the parser finds static, re-exported, side-effect, required and dynamic imports', () => {
  // Built, so that this file's own text holds none of the sample imports the real scan would read.
  const [req, imp] = ['req', 'imp'].map((w) => `${w}${w === 'req' ? 'uire' : 'ort'}`);
  const text = [
    "import { a } from './a';",
    'import {',
    '  b,',
    "} from '../b';",
    "export { c } from './c';",
    "import './d';",
    `const e = ${req}('./e');`,
    `const f = await ${imp}('./f');`,
    "const g = 'from ./not-an-import';",
  ].join('\n');
  expect(specifiers(text).sort()).toEqual(['../b', './a', './c', './d', './e', './f']);
});
