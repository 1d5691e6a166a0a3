/**
 * How big the cluster's pods are, which pool they land on, and whether they fit: a pipeline step
 * (its driver plus all its executors) on ONE Spark node, and every system pod on ONE system node.
 * On the ground floor because the settings reject, at synth, a node type these pods can never fit
 * on (lib/settings/pool-rules.ts); the Job chart takes its numbers from here too (k8s/spark-sizing.ts
 * re-exports this module), so the arithmetic written in docs/spark-pipeline.md is the arithmetic
 * that runs.
 *
 * Node side (what the scheduler can place on a node), for the EKS AL2023 AMI (nodeadm):
 *   capacity     = instance memory x (1 - VM overhead): the kernel and firmware keep part of the
 *                  RAM; 7.5% is Karpenter's default `vmMemoryOverheadPercent`, a conservative value.
 *   kube-reserved: cpu 6% of the 1st core + 1% of the 2nd + 0.5% of the 3rd and 4th + 0.25% of
 *                  each further core; memory 11 MiB x maxPods + 255 MiB (nodeadm
 *                  internal/kubelet/config.go, withDefaultReservedResources).
 *   system-reserved: none (nodeadm sets only the systemReservedCgroup, no amounts).
 *   eviction-hard: memory.available < 100Mi (nodeadm's default kubelet config).
 *   allocatable  = capacity - kube-reserved - system-reserved - eviction-hard.
 *   maxPods      = ENIs x (IPv4 per ENI - 1) + 2 without prefix delegation (eni-max-pods.txt).
 * Then the DaemonSet pods that every node of both pools runs take their requests first.
 *
 * Pools (lib/settings/scheduling.ts): the Spark nodes are tainted, so only Spark pods run there
 * besides the DaemonSets (which tolerate every taint); CoreDNS, the autoscaler, the ZenML server
 * and a Spark history server run on the system pool.
 *
 * Pod side (what Spark asks for), with explicit `spark.executor.memoryOverhead`:
 *   pod memory = heap + max(384 MiB, ceil(0.4 x heap)): the overhead Spark gives a PySpark pod in
 *   cluster mode (non-JVM factor 0.4, floor `spark.executor.minMemoryOverhead` 384 MiB). In client
 *   mode Spark would use 0.1, too little room for the Python workers, so the chart sets the 0.4
 *   result explicitly; the driver (the Job pod) gets the same rule. Spark sets a pod's memory
 *   limit equal to its request, and the chart does the same for the driver.
 */
import { DEFAULT_NODE_INSTANCE_TYPE, NODE_SHAPES, type NodeShape } from './node-shapes';

/** Karpenter's default `vmMemoryOverheadPercent`: RAM the instance does not hand to the kubelet. */
export const VM_MEMORY_OVERHEAD_FRACTION = 0.075;
export const EVICTION_HARD_MEMORY_MIB = 100;

export interface Resources {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

export interface PoolPod extends Resources {
  readonly name: string;
  /** Pods of this kind on a node of the pool (CoreDNS: both replicas can land on one node). */
  readonly count: number;
  /** Why this number: a published request, or a budget where the add-on sets none. */
  readonly basis: string;
}

/**
 * DaemonSet pods of the managed add-ons, on every node of both pools (they tolerate every taint).
 * Where an add-on requests nothing, a budget is counted anyway: the pod still uses memory.
 */
export const DAEMONSET_PODS: readonly PoolPod[] = [
  {
    name: 'aws-node',
    count: 1,
    cpuMillis: 50,
    memoryMiB: 64,
    basis: 'VPC CNI add-on: 25m aws-node + 25m network-policy agent; memory budgeted',
  },
  {
    name: 'kube-proxy',
    count: 1,
    cpuMillis: 100,
    memoryMiB: 32,
    basis: 'kube-proxy add-on requests 100m; memory budgeted',
  },
  {
    name: 'eks-pod-identity-agent',
    count: 1,
    cpuMillis: 25,
    memoryMiB: 32,
    basis: 'chart sets no requests; budgeted',
  },
];

/**
 * The in-cluster ZenML server's requests and limits (k8s/zenml-server-chart.ts takes them from
 * here), budgeted on the system pool. Measured with ZenML 0.98.0: 270 MB RSS after start, about
 * 300 MB after a round of client calls; the memory limit leaves room for the in-memory backup
 * ZenML takes before a migration, and one core covers its start (Python imports, migration).
 */
export const ZENML_SERVER_POD = {
  cpuMillis: 250,
  memoryMiB: 512,
  cpuLimitMillis: 1000,
  memoryLimitMiB: 1024,
} as const;
/**
 * The Spark History Server's requests and limits (k8s/spark-history-server-chart.ts takes them from
 * here), budgeted on the system pool. Memory limit = request: a JVM that outgrows it should be
 * killed and restarted, not squeeze the ZenML server on the same node. The heap
 * (SPARK_DAEMON_MEMORY, `heapMiB`) leaves ~380 MiB of the limit for metaspace, threads, the S3A
 * connection pool and direct buffers. Its in-memory application store holds the listing and the
 * UI of the applications opened; a few hundred small step applications fit in 640 MiB (Spark's
 * own default heap for daemons is 1g, sized for far larger clusters).
 */
export const SPARK_HISTORY_SERVER_POD = {
  cpuMillis: 250,
  memoryMiB: 1024,
  cpuLimitMillis: 1000,
  memoryLimitMiB: 1024,
  heapMiB: 640,
} as const;

/** The cluster autoscaler's requests (= limits), as the upstream example manifest sets them. */
export const CLUSTER_AUTOSCALER_RESOURCES: Resources = { cpuMillis: 100, memoryMiB: 600 };

/**
 * Pods of the system pool, all counted on ONE node: the pool must keep working on a single node
 * (its default size, and what is left while a node is replaced). None tolerates the Spark taint.
 */
export const SYSTEM_POOL_PODS: readonly PoolPod[] = [
  {
    name: 'coredns',
    count: 2,
    cpuMillis: 100,
    memoryMiB: 70,
    basis: 'CoreDNS add-on: 100m/70Mi per replica (limit 170Mi), 2 replicas',
  },
  {
    name: 'cluster-autoscaler',
    count: 1,
    ...CLUSTER_AUTOSCALER_RESOURCES,
    basis: 'k8s/cluster-autoscaler-chart.ts: requests = limits, as in the upstream AWS example',
  },
  {
    name: 'zenml-server',
    count: 1,
    cpuMillis: ZENML_SERVER_POD.cpuMillis,
    memoryMiB: ZENML_SERVER_POD.memoryMiB,
    basis:
      'the ZenML server Deployment (k8s/zenml-server-chart.ts): requests 250m/512Mi, limits 1 CPU/1Gi; measured 270-300 MB RSS',
  },
  {
    name: 'spark-history-server',
    count: 1,
    cpuMillis: SPARK_HISTORY_SERVER_POD.cpuMillis,
    memoryMiB: SPARK_HISTORY_SERVER_POD.memoryMiB,
    basis:
      'the Spark History Server Deployment (k8s/spark-history-server-chart.ts): requests 250m/1Gi, memory limit = request, 640m heap',
  },
];

export function kubeReservedCpuMillis(vcpus: number): number {
  // Per-core percentages of nodeadm's getCPUMillicoresToReserve, in millicores.
  let millis = 0;
  for (let core = 1; core <= vcpus; core++) {
    millis += core === 1 ? 60 : core === 2 ? 10 : core <= 4 ? 5 : 2.5;
  }
  return Math.ceil(millis);
}

export function kubeReservedMemoryMiB(maxPods: number): number {
  return 11 * maxPods + 255;
}

export interface NodeBudget {
  readonly shape: NodeShape;
  readonly capacity: Resources;
  readonly kubeReserved: Resources;
  readonly evictionHardMemoryMiB: number;
  readonly allocatable: Resources;
  /** The DaemonSet pods every node runs, whatever its pool. */
  readonly daemonSets: Resources;
  /** What is left on the node for its pool's own pods (one Spark step on a Spark node). */
  readonly forSpark: Resources;
  /** Pods the node can still take after its DaemonSets (maxPods minus them). */
  readonly podSlots: number;
}

export function nodeShape(instanceType: string, setting = 'nodeInstanceType'): NodeShape {
  const shape = NODE_SHAPES[instanceType];
  if (!shape) {
    throw new Error(
      `${setting}='${instanceType}': no sizing data; known: ${Object.keys(NODE_SHAPES).join(', ')} ` +
        '(add its vCPUs, memory and maxPods to NODE_SHAPES in lib/settings/node-shapes.ts)',
    );
  }
  return shape;
}

export function nodeBudget(instanceType: string = DEFAULT_NODE_INSTANCE_TYPE): NodeBudget {
  const shape = nodeShape(instanceType);
  const capacity = {
    cpuMillis: shape.vcpus * 1000,
    memoryMiB: Math.floor(shape.memoryMiB * (1 - VM_MEMORY_OVERHEAD_FRACTION)),
  };
  const kubeReserved = {
    cpuMillis: kubeReservedCpuMillis(shape.vcpus),
    memoryMiB: kubeReservedMemoryMiB(shape.maxPods),
  };
  const allocatable = {
    cpuMillis: capacity.cpuMillis - kubeReserved.cpuMillis,
    memoryMiB: capacity.memoryMiB - kubeReserved.memoryMiB - EVICTION_HARD_MEMORY_MIB,
  };
  const daemonSets = total(DAEMONSET_PODS);
  return {
    shape,
    capacity,
    kubeReserved,
    evictionHardMemoryMiB: EVICTION_HARD_MEMORY_MIB,
    allocatable,
    daemonSets,
    forSpark: minus(allocatable, daemonSets),
    podSlots: shape.maxPods - podCount(DAEMONSET_PODS),
  };
}

export interface SystemPoolFit {
  readonly fits: boolean;
  readonly budget: NodeBudget;
  /** The system pool's own pods (DaemonSets excluded), all on one node. */
  readonly need: Resources & { readonly pods: number };
  /** Negative where they do not fit. */
  readonly spare: Resources & { readonly pods: number };
}

/** Whether every system pod fits on ONE node of this type, next to the DaemonSets. */
export function systemPoolFit(instanceType: string): SystemPoolFit {
  const budget = nodeBudget(instanceType);
  const need = { ...total(SYSTEM_POOL_PODS), pods: podCount(SYSTEM_POOL_PODS) };
  const spare = { ...minus(budget.forSpark, need), pods: budget.podSlots - need.pods };
  return {
    fits: spare.cpuMillis >= 0 && spare.memoryMiB >= 0 && spare.pods >= 0,
    budget,
    need,
    spare,
  };
}

/** PySpark's memory overhead rule (cluster mode): factor 0.4 of the heap, at least 384 MiB. */
export const PYSPARK_MEMORY_OVERHEAD_FACTOR = 0.4;
export const MIN_MEMORY_OVERHEAD_MIB = 384;

export function memoryOverheadMiB(heapMiB: number): number {
  return Math.max(MIN_MEMORY_OVERHEAD_MIB, Math.ceil(PYSPARK_MEMORY_OVERHEAD_FACTOR * heapMiB));
}

/** What one step asks Spark for. Whole cores: a Spark task slot is one core. */
export interface StepResources {
  readonly driverCores: number;
  readonly driverMemoryMiB: number;
  readonly executorInstances: number;
  readonly executorCores: number;
  readonly executorMemoryMiB: number;
}

export interface StepPods {
  readonly driver: Resources;
  readonly executor: Resources;
  readonly executorInstances: number;
  readonly total: Resources;
}

export function stepPods(r: StepResources): StepPods {
  const driver = {
    cpuMillis: r.driverCores * 1000,
    memoryMiB: r.driverMemoryMiB + memoryOverheadMiB(r.driverMemoryMiB),
  };
  const executor = {
    cpuMillis: r.executorCores * 1000,
    memoryMiB: r.executorMemoryMiB + memoryOverheadMiB(r.executorMemoryMiB),
  };
  return {
    driver,
    executor,
    executorInstances: r.executorInstances,
    total: {
      cpuMillis: driver.cpuMillis + r.executorInstances * executor.cpuMillis,
      memoryMiB: driver.memoryMiB + r.executorInstances * executor.memoryMiB,
    },
  };
}

export interface FitResult {
  readonly fits: boolean;
  readonly pods: StepPods;
  readonly budget: NodeBudget;
  /** Negative when the step does not fit. */
  readonly spare: Resources & { readonly pods: number };
}

/** Whether one step, its driver and every executor, fits on ONE Spark node of this type. */
export function fitOnOneNode(r: StepResources, instanceType: string = DEFAULT_NODE_INSTANCE_TYPE): FitResult {
  const pods = stepPods(r);
  const budget = nodeBudget(instanceType);
  const spare = { ...minus(budget.forSpark, pods.total), pods: budget.podSlots - 1 - r.executorInstances };
  return {
    fits: spare.cpuMillis >= 0 && spare.memoryMiB >= 0 && spare.pods >= 0,
    pods,
    budget,
    spare,
  };
}

/** The steps' sizes on the default t3a.xlarge: 3 of its 3.7 free cores, and most of its memory. */
const STANDARD_STEP: StepResources = {
  driverCores: 1,
  driverMemoryMiB: 2048,
  executorInstances: 2,
  executorCores: 1,
  executorMemoryMiB: 3072,
};

export const STEP_RESOURCES = {
  importer: STANDARD_STEP,
  statistics: STANDARD_STEP,
  splitter: STANDARD_STEP,
  transformer: STANDARD_STEP,
  // Tree training holds the binned features of every partition in executor memory.
  trainer: { ...STANDARD_STEP, executorMemoryMiB: 3584 },
} as const satisfies Record<string, StepResources>;

/** The step that needs the most of a node (by memory, then CPU): what a Spark node must hold. */
export function largestStep(steps: Readonly<Record<string, StepResources>> = STEP_RESOURCES): {
  name: string;
  resources: StepResources;
} {
  const [name, resources] = Object.entries(steps).sort(([, a], [, b]) => {
    const pa = stepPods(a).total;
    const pb = stepPods(b).total;
    return pb.memoryMiB - pa.memoryMiB || pb.cpuMillis - pa.cpuMillis;
  })[0];
  return { name, resources };
}

function total(pods: readonly PoolPod[]): Resources {
  return pods.reduce(
    (a, p) => ({
      cpuMillis: a.cpuMillis + p.count * p.cpuMillis,
      memoryMiB: a.memoryMiB + p.count * p.memoryMiB,
    }),
    { cpuMillis: 0, memoryMiB: 0 },
  );
}

function podCount(pods: readonly PoolPod[]): number {
  return pods.reduce((n, p) => n + p.count, 0);
}

function minus(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis - b.cpuMillis, memoryMiB: a.memoryMiB - b.memoryMiB };
}
