/**
 * The layers of the repository and what each may import: the one table docs/architecture.md is
 * generated from (scripts/generate/architecture.ts) and test/scripts/generate/architecture.test.ts
 * checks every import against. Plus the import graph itself, read from the TypeScript sources.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Layer {
  /** As the doc and the messages name it. */
  readonly name: string;
  /** Mermaid node id. */
  readonly id: string;
  /** Repository paths in the layer: a folder (ending in /) or a file. The first layer that matches a file wins. */
  readonly paths: readonly string[];
  /** What lives there, one paragraph of the doc. */
  readonly holds: string;
  /** Layers it may import besides itself; '*' for any. */
  readonly mayImport: readonly string[] | '*';
  /** Why an import that looks surprising is allowed. */
  readonly note?: string;
}

export const LAYERS: readonly Layer[] = [
  {
    name: 'lib/settings/',
    id: 'settings',
    paths: ['lib/settings/'],
    holds:
      'The ground floor: the typed settings and their validation (`config.ts`, `values.ts`), the rules that reject pool settings which could never become healthy (`pool-rules.ts`), the pure settings reader that takes a context function and an environment map (`read-settings.ts`), physical names, Kubernetes names, tags and labels (`names.ts`), the node shapes and the pod sizing of both pools (`node-shapes.ts`, `sizing.ts`), the placement policy of the two pools shared with Python (`scheduling.ts`), the Spark event-log and history-server settings (`spark-history.ts`), the stack output keys (`outputs.ts`) and the pipeline constants shared with Python (`pipeline.ts`).',
    mayImport: [],
  },
  {
    name: 'lib/ (stack and app)',
    id: 'libTop',
    paths: ['lib/app.ts', 'lib/zenml-spark-stack.ts'],
    holds:
      "The top of the infrastructure wing: `ZenmlSparkStack`, which composes the constructs and applies the Kubernetes RBAC, cluster autoscaler, ZenML server and Spark History Server charts through the cluster's kubectl provider, and `defineApp`, the one function that builds the app (settings resolved once, policy checks as an option, the stack with its description and environment).",
    mayImport: ['lib/settings/', 'lib/ (constructs)', 'k8s/'],
  },
  {
    name: 'lib/ (constructs)',
    id: 'constructs',
    paths: ['lib/'],
    holds:
      'One AWS construct per file (`SparkNetwork`, `ArtifactStore`, `ContainerRegistry`, `MetadataDatabase`, `SparkCluster` with its two node pools, `SparkWorkloadIdentity`, `ClusterAutoscalerIdentity`, `S3AuthenticationSecret`) and what they share: the removal-policy helper, owned log groups, finding ids and the policy checks. Constructs receive plain props; a construct may compose another.',
    mayImport: ['lib/settings/'],
  },
  {
    name: 'k8s/',
    id: 'k8s',
    paths: ['k8s/'],
    holds:
      'cdk8s charts: `SparkRbacChart` (namespace, service account, driver Role), `ClusterAutoscalerChart` (the autoscaler of the Spark pool), `ZenmlServerChart`, `SparkHistoryServerChart` (the history server on the system pool) and `PipelineJobsChart` (one Job and headless Service per step, placed on the Spark pool), the pod sizing they are checked against, placeholders, and the writer of plain-YAML manifests.',
    mayImport: ['lib/settings/'],
  },
  {
    name: 'bin/',
    id: 'bin',
    paths: ['bin/'],
    holds:
      'The CDK app as `cdk synth` runs it: hands the environment to `defineApp` and exits as soon as the assembly is written.',
    mayImport: ['lib/ (stack and app)', 'lib/settings/'],
  },
  {
    name: 'scripts/lib/',
    id: 'scriptsLib',
    paths: ['scripts/lib/'],
    holds:
      'Only what the wings share: the CLI skeleton (flag parsing, `CliError`, exit codes, `runMain`), the one signal/exit handler that stops child processes, the kubectl port-forward to a private Service, settings loading from cdk.json, the one AWS client factory, tables, and `ensure-node.sh` with `on-node.sh` (every npm script and the CDK app start on the pinned Node through it).',
    mayImport: ['lib/settings/'],
  },
  {
    name: 'scripts/operate/',
    id: 'operate',
    paths: ['scripts/operate/'],
    holds:
      'Working with a deployed stack: preflight, status, outputs (and the ZenML command builder and runner it uses), render-manifests, run-pipeline (a thin CLI, a kubectl runner, step sequencing), zenml-login and spark-ui (port-forwards to the private servers), pause and resume (observe, plan, apply) and the Spark image build.',
    mayImport: [
      'scripts/lib/',
      'lib/settings/',
      'k8s/',
      'scripts/estimate/ (cost model)',
      'scripts/estimate/ (templates)',
    ],
    note: 'pause and resume price the states they leave and reach with the cost model, on the deployed template; preflight reads the names the template would create from an in-process synth, to find leftovers of an earlier deploy',
  },
  {
    name: 'scripts/estimate/ (cost model)',
    id: 'costModel',
    paths: [
      'scripts/estimate/cost-model.ts',
      'scripts/estimate/cost-lines.ts',
      'scripts/estimate/price-table.ts',
      'scripts/estimate/cloud-assembly.ts',
    ],
    holds:
      'The pure cost model: templates and the offline price table in, line items and the monthly price of each state (idle, running, max, paused, or any mix of pool sizes) out; and the reader of a cloud assembly.',
    mayImport: ['lib/settings/'],
  },
  {
    name: 'scripts/estimate/ (templates)',
    id: 'templates',
    paths: ['scripts/estimate/app-templates.ts'],
    holds:
      "The app's templates for given settings: synthesized in process through `defineApp` (without the policy checks, which change no template), or read from a current cloud assembly.",
    mayImport: ['scripts/lib/', 'lib/settings/', 'lib/ (stack and app)', 'scripts/estimate/ (cost model)'],
  },
  {
    name: 'scripts/estimate/',
    id: 'estimate',
    paths: ['scripts/estimate/'],
    holds:
      'Before a deploy: the main synth command and its summary, the cost report, the deploy/destroy critical path, and the developer-loop benchmark with its in-process synth probe.',
    mayImport: [
      'scripts/lib/',
      'lib/settings/',
      'lib/ (stack and app)',
      'k8s/',
      'scripts/estimate/ (cost model)',
      'scripts/estimate/ (templates)',
    ],
    note: 'it builds the app through `defineApp` and writes the manifests, as the deploy would',
  },
  {
    name: 'scripts/verify/',
    id: 'verify',
    paths: ['scripts/verify/'],
    holds:
      'The test runner and its suite scripts, the independent gates (parsers apart from runners), the deploy/destroy rehearsal against moto (one checker per service), and the moto server harness with its Python launcher.',
    mayImport: ['scripts/lib/', 'lib/settings/', 'lib/ (constructs)'],
    note: 'the gates read the app-wide disabled guard rules from `lib/validation.ts`',
  },
  {
    name: 'scripts/generate/',
    id: 'generate',
    paths: ['scripts/generate/'],
    holds:
      "Generators of committed files that tests keep in step: the README settings table, the Python contracts `spark/zenml_spark_steps/contract.json` and `pipeline/tests/sizing-contract.json`, the step image's hash-pinned ZenML requirements, and this page with its layer table.",
    mayImport: ['scripts/lib/', 'lib/settings/', 'lib/ (stack and app)'],
    note: 'the construct tree on this page comes from `defineApp`',
  },
  {
    name: 'test/',
    id: 'test',
    paths: ['test/'],
    holds:
      'jest tests mirroring `bin/`, `lib/`, `k8s/` and `scripts/` file for file, with shared fixtures (`test/lib/fixtures.ts`, `test/lib/bare-stack.ts`, `test/scripts/emulator-fixtures.ts`) and test data (`test/k8s/spark-driver-api.ts`). `*.emulator.test.ts` and `*.zenml.test.ts` run in their own suites.',
    mayImport: '*',
  },
];

/** The folders whose TypeScript is checked. */
export const SOURCE_ROOTS = ['bin', 'lib', 'k8s', 'scripts', 'test'] as const;

export function layerOf(file: string): Layer | undefined {
  return LAYERS.find((l) => l.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
}

export function mayImport(from: Layer, to: Layer): boolean {
  return from === to || from.mayImport === '*' || from.mayImport.includes(to.name);
}

export interface ImportEdge {
  /** Repository paths. */
  readonly from: string;
  readonly to: string;
  readonly specifier: string;
}

/** Every TypeScript file under the source roots, as repository paths. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(rel);
      } else if (entry.name.endsWith('.ts')) out.push(rel);
    }
  };
  for (const r of SOURCE_ROOTS) if (fs.existsSync(path.join(root, r))) walk(r);
  return out.sort();
}

/** Module specifiers of a file: static imports and re-exports, side-effect imports, require() and import(). */
export function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]/gm,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1]);
  return found;
}

/** The project-internal imports of every source file; a relative import that resolves to no file is an error. */
export function importGraph(root: string): { edges: ImportEdge[]; unresolved: ImportEdge[] } {
  const edges: ImportEdge[] = [];
  const unresolved: ImportEdge[] = [];
  for (const from of sourceFiles(root)) {
    for (const specifier of specifiers(fs.readFileSync(path.join(root, from), 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
      const to = [base, `${base}.ts`, `${base}/index.ts`].find((c) =>
        fs.statSync(path.join(root, c), { throwIfNoEntry: false })?.isFile(),
      );
      (to ? edges : unresolved).push({ from, to: to ?? base, specifier });
    }
  }
  return { edges, unresolved };
}

/** Imports that cross a layer boundary the table forbids, and files in no layer, as messages. */
export function layerViolations(root: string): string[] {
  const { edges, unresolved } = importGraph(root);
  const problems = unresolved.map((e) => `${e.from}: '${e.specifier}' resolves to no file`);
  for (const file of sourceFiles(root)) if (!layerOf(file)) problems.push(`${file}: in no layer of LAYERS`);
  for (const e of edges) {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (!from || !to) {
      if (!to) problems.push(`${e.from} imports ${e.to}, which is in no layer`);
      continue;
    }
    if (!mayImport(from, to))
      problems.push(`${e.from} imports ${e.to}: ${from.name} may not import ${to.name}`);
  }
  return problems;
}

/** Layer-to-layer edges that exist in the code, in LAYERS order. */
export function layerEdges(root: string): { from: Layer; to: Layer }[] {
  const seen = new Set<string>();
  for (const e of importGraph(root).edges) {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (from && to && from !== to) seen.add(`${from.name}\u0000${to.name}`);
  }
  const out: { from: Layer; to: Layer }[] = [];
  for (const from of LAYERS) {
    for (const to of LAYERS) if (seen.has(`${from.name}\u0000${to.name}`)) out.push({ from, to });
  }
  return out;
}
