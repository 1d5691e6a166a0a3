/**
 * The settings that synthesize but can never become healthy, found before anything reaches an
 * account: each rule returns the setting to blame and one line saying what is allowed. config.ts
 * reports them with the other invalid values (key, value, source, what is allowed).
 *
 * The kind, member by member:
 * - no system node: CoreDNS, the autoscaler and the ZenML server have nowhere to run, CoreDNS's
 *   managed add-on never turns ACTIVE and the deploy fails after its timeout (systemNodeCount 0);
 * - the system pods do not fit on one system node (requests or pod slots, by lib/settings/sizing.ts):
 *   some stay Pending for good, and nothing can add a node (the system pool has a fixed size);
 * - the largest pipeline step does not fit on one Spark node: its pods stay Pending, and the
 *   autoscaler never adds a node for them ("it wouldn't fit if a new node is added");
 * - a Spark pool that can never hold a node (nodeMaxSize < 1; EKS also rejects a node group with
 *   maxSize 0), or whose minimum exceeds its maximum.
 * A node type outside the sizing's table is rejected too: nothing could say whether the pods fit.
 */
import { NODE_SHAPES } from './node-shapes';
import { fitOnOneNode, largestStep, systemPoolFit } from './sizing';

export interface PoolSettings {
  readonly nodeInstanceType: string;
  readonly nodeMinSize: number;
  readonly nodeMaxSize: number;
  readonly systemNodeInstanceType: string;
  readonly systemNodeCount: number;
}

export type PoolSetting = keyof PoolSettings;

/** At most this many system nodes: the pool holds a handful of small pods. */
export const MAX_SYSTEM_NODES = 3;
/** EKS's limit on a managed node group's maxSize is far higher; this bounds a typo's bill. */
export const MAX_SPARK_NODES = 100;

const known = (type: string) => type in NODE_SHAPES;

/** Every problem of the pool settings, as [setting, what is allowed]. */
export function poolProblems(c: PoolSettings): Array<[PoolSetting, string]> {
  const problems: Array<[PoolSetting, string]> = [];
  const knownTypes = `one of the x86_64 types the sizing knows: ${Object.keys(NODE_SHAPES).join(', ')}`;
  const addShape =
    '(the nodes run the AL2023 x86_64 AMI; add a shape to lib/settings/node-shapes.ts for another type)';

  if (!known(c.nodeInstanceType)) {
    problems.push(['nodeInstanceType', `${knownTypes} ${addShape}`]);
  } else {
    const { name, resources } = largestStep();
    const fit = fitOnOneNode(resources, c.nodeInstanceType);
    if (!fit.fits) {
      problems.push([
        'nodeInstanceType',
        `a type that holds the largest pipeline step (${name}: driver + ${fit.pods.executorInstances} executors, ` +
          `${fit.pods.total.cpuMillis}m CPU / ${fit.pods.total.memoryMiB}Mi) on one node; ${c.nodeInstanceType} leaves ` +
          `${fit.budget.forSpark.cpuMillis}m / ${fit.budget.forSpark.memoryMiB}Mi after its DaemonSets, so the step ` +
          'would stay Pending and the autoscaler would never add a node for it',
      ]);
    }
  }

  if (!known(c.systemNodeInstanceType)) {
    problems.push(['systemNodeInstanceType', `${knownTypes} ${addShape}`]);
  } else {
    const fit = systemPoolFit(c.systemNodeInstanceType);
    if (!fit.fits) {
      problems.push([
        'systemNodeInstanceType',
        `a type that holds every system pod on one node (CoreDNS x2, the cluster autoscaler, the ZenML server, a ` +
          `Spark history server: ${fit.need.cpuMillis}m CPU / ${fit.need.memoryMiB}Mi / ${fit.need.pods} pods); ` +
          `${c.systemNodeInstanceType} leaves ${fit.budget.forSpark.cpuMillis}m / ${fit.budget.forSpark.memoryMiB}Mi / ` +
          `${fit.budget.podSlots} pods after its DaemonSets, e.g. t3a.medium`,
      ]);
    }
  }

  if (
    Number.isInteger(c.systemNodeCount) &&
    (c.systemNodeCount < 1 || c.systemNodeCount > MAX_SYSTEM_NODES)
  ) {
    problems.push([
      'systemNodeCount',
      `an integer from 1 to ${MAX_SYSTEM_NODES}: with no system node, CoreDNS, the autoscaler and the ZenML ` +
        'server have nowhere to run (the Spark nodes are tainted) and the CoreDNS add-on never turns ACTIVE',
    ]);
  }

  if (Number.isInteger(c.nodeMinSize) && (c.nodeMinSize < 0 || c.nodeMinSize > MAX_SPARK_NODES)) {
    problems.push(['nodeMinSize', `an integer from 0 to ${MAX_SPARK_NODES}`]);
  }
  if (Number.isInteger(c.nodeMaxSize) && (c.nodeMaxSize < 1 || c.nodeMaxSize > MAX_SPARK_NODES)) {
    problems.push([
      'nodeMaxSize',
      c.nodeMaxSize < 1
        ? `an integer from 1 to ${MAX_SPARK_NODES}: a Spark pool that can never hold a node leaves every step Pending (EKS also rejects maxSize 0)`
        : `an integer from 1 to ${MAX_SPARK_NODES}`,
    ]);
  }
  if (c.nodeMinSize > c.nodeMaxSize && c.nodeMaxSize >= 0) {
    problems.push(['nodeMinSize', `at most nodeMaxSize (${c.nodeMaxSize})`]);
  }
  return problems;
}
