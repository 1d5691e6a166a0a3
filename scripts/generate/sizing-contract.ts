/**
 * pipeline/tests/sizing-contract.json, generated from lib/settings/sizing.ts (which k8s/spark-sizing.ts
 * re-exports): the Spark node budget of every node shape, PySpark's memory overhead for a range of heaps, and the pods of the pipeline's step
 * sizes (and of steps that must be refused). The spark-eks step operator refuses an oversized step
 * with its own Python port of that arithmetic (pipeline/zenml_spark_eks/sizing.py), before it creates
 * anything in the cluster; two tests keep the languages equal through this file:
 * test/scripts/generate/sizing-contract.test.ts holds it to the TypeScript, and
 * pipeline/tests/test_sizing.py holds the Python's own numbers to it.
 *
 *   npx tsx scripts/generate/sizing-contract.ts [--write]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_NODE_INSTANCE_TYPE, NODE_SHAPES } from '../../lib/settings/node-shapes';
import {
  fitOnOneNode,
  memoryOverheadMiB,
  nodeBudget,
  STEP_RESOURCES,
  type StepResources,
} from '../../lib/settings/sizing';
import { EXIT, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { REPO_ROOT } from '../lib/settings';

export const SIZING_CONTRACT_FILE = path.join(REPO_ROOT, 'pipeline', 'tests', 'sizing-contract.json');

/** Heaps (MiB) around the 384 MiB floor of the overhead rule and the pipeline's own sizes. */
const OVERHEAD_HEAPS = [1, 256, 512, 959, 960, 961, 1024, 2048, 3072, 3584, 4096, 8192, 30000];

/** Steps beyond the pipeline's own: one at the edge, and some that no default node can take. */
const EXTRA_STEPS: Record<string, StepResources> = {
  'three-executors': { ...STEP_RESOURCES.importer, executorInstances: 3 },
  'no-executors': { ...STEP_RESOURCES.importer, executorInstances: 0 },
  'big-driver': { ...STEP_RESOURCES.importer, driverMemoryMiB: 12288, executorInstances: 0 },
  'wide-executors': { ...STEP_RESOURCES.importer, executorCores: 2, executorMemoryMiB: 1024 },
};

export function sizingContract() {
  const steps = { ...STEP_RESOURCES, ...EXTRA_STEPS };
  return {
    generatedBy:
      'scripts/generate/sizing-contract.ts from lib/settings/sizing.ts and node-shapes.ts; do not edit (refresh: --write)',
    defaultNodeInstanceType: DEFAULT_NODE_INSTANCE_TYPE,
    nodeShapes: NODE_SHAPES,
    nodeBudgets: Object.fromEntries(
      Object.keys(NODE_SHAPES).map((t) => {
        const b = nodeBudget(t);
        return [
          t,
          {
            capacity: b.capacity,
            kubeReserved: b.kubeReserved,
            evictionHardMemoryMiB: b.evictionHardMemoryMiB,
            allocatable: b.allocatable,
            daemonSets: b.daemonSets,
            forSpark: b.forSpark,
            podSlots: b.podSlots,
          },
        ];
      }),
    ),
    memoryOverheadMiB: Object.fromEntries(OVERHEAD_HEAPS.map((h) => [String(h), memoryOverheadMiB(h)])),
    stepResources: STEP_RESOURCES,
    steps: Object.fromEntries(
      Object.entries(steps).map(([name, r]) => [
        name,
        {
          resources: r,
          pods: fitOnOneNode(r).pods,
          // Spare CPU millis and MiB per node type; negative = the step does not fit.
          spare: Object.fromEntries(
            Object.keys(NODE_SHAPES).map((t) => {
              const { spare } = fitOnOneNode(r, t);
              return [t, [spare.cpuMillis, spare.memoryMiB]];
            }),
          ),
        },
      ]),
    ),
  };
}

/** The file's exact text. */
export function sizingContractJson(): string {
  // Short number arrays on one line: the file stays reviewable.
  return `${JSON.stringify(sizingContract(), null, 2).replace(/\[\s+(-?\d+),\s+(-?\d+)\s+\]/g, '[$1, $2]')}\n`;
}

const OPTIONS = {
  write: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;
const USAGE = `Usage: npx tsx scripts/generate/sizing-contract.ts [--write]   (prints it; --write refreshes ${path.relative(REPO_ROOT, SIZING_CONTRACT_FILE)})`;

if (require.main === module) {
  runMain(async () => {
    const values = parseFlags(process.argv.slice(2), OPTIONS, USAGE);
    if (values.help) console.log(USAGE);
    else if (values.write) fs.writeFileSync(SIZING_CONTRACT_FILE, sizingContractJson());
    else process.stdout.write(sizingContractJson());
    return EXIT.ok;
  });
}
