/**
 * How big a pipeline step's pods are, and whether one step (its driver plus all its executors)
 * fits on ONE worker node. The Job chart takes its numbers from here and the sizing test checks
 * them, so the arithmetic written in docs/spark-pipeline.md is the arithmetic that runs.
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
 * Then the daemonsets and system pods that every node runs take their requests first.
 *
 * Pod side (what Spark asks for), with explicit `spark.executor.memoryOverhead`:
 *   pod memory = heap + max(384 MiB, ceil(0.4 x heap)): the overhead Spark gives a PySpark pod in
 *   cluster mode (non-JVM factor 0.4, floor `spark.executor.minMemoryOverhead` 384 MiB). In client
 *   mode Spark would use 0.1, too little room for the Python workers, so the chart sets the 0.4
 *   result explicitly; the driver (the Job pod) gets the same rule. Spark sets a pod's memory
 *   limit equal to its request, and the chart does the same for the driver.
 */
import { DEFAULT_NODE_INSTANCE_TYPE, NODE_SHAPES, type NodeShape } from '../lib/settings/node-shapes';

/** Karpenter's default `vmMemoryOverheadPercent`: RAM the instance does not hand to the kubelet. */
export const VM_MEMORY_OVERHEAD_FRACTION = 0.075;
export const EVICTION_HARD_MEMORY_MIB = 100;

export interface Resources {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

export interface SystemPod extends Resources {
  readonly name: string;
  /** Why this number: a published request, or a budget where the add-on sets none. */
  readonly basis: string;
}

/**
 * The in-cluster ZenML server's requests and memory limit (k8s/zenml-server-chart.ts takes them
 * from here). Measured with ZenML 0.98.0: 270 MB RSS after start, about 300 MB after a round of
 * client calls; the memory limit leaves room for the in-memory backup ZenML takes before a migration.
 */
export const ZENML_SERVER_POD = {
  cpuMillis: 250,
  memoryMiB: 512,
  // A CPU limit bounds what a busy server can take from a Spark step on the same node; one core
  // covers its start (Python imports, migration) with room.
  cpuLimitMillis: 1000,
  memoryLimitMiB: 1024,
} as const;

/**
 * Pods on every node before any Spark pod. CoreDNS is a Deployment of 2 replicas; both are
 * counted because nothing stops them from landing on the node a step uses. Where an add-on
 * requests nothing, a budget is counted anyway: the pod still uses memory.
 */
export const SYSTEM_PODS: readonly SystemPod[] = [
  {
    name: 'aws-node',
    cpuMillis: 50,
    memoryMiB: 64,
    basis: 'VPC CNI add-on: 25m aws-node + 25m network-policy agent; memory budgeted',
  },
  {
    name: 'kube-proxy',
    cpuMillis: 100,
    memoryMiB: 32,
    basis: 'kube-proxy add-on requests 100m; memory budgeted',
  },
  { name: 'eks-pod-identity-agent', cpuMillis: 25, memoryMiB: 32, basis: 'chart sets no requests; budgeted' },
  {
    name: 'coredns (x2)',
    cpuMillis: 200,
    memoryMiB: 140,
    basis: 'CoreDNS add-on: 100m/70Mi per replica, 2 replicas',
  },
  {
    name: 'zenml-server',
    cpuMillis: ZENML_SERVER_POD.cpuMillis,
    memoryMiB: ZENML_SERVER_POD.memoryMiB,
    basis:
      'the in-cluster ZenML server (k8s/zenml-server-chart.ts): requests 250m/512Mi, limit 1Gi; measured 270-300 MB RSS, ' +
      'mostly idle between API calls; one replica, counted on every node like CoreDNS',
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
  readonly systemPods: Resources;
  /** What is left for one step's driver and executors. */
  readonly forSpark: Resources;
}

export function nodeShape(instanceType: string): NodeShape {
  const shape = NODE_SHAPES[instanceType];
  if (!shape) {
    throw new Error(
      `nodeInstanceType='${instanceType}': no sizing data; known: ${Object.keys(NODE_SHAPES).join(', ')} ` +
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
  const systemPods = sum(SYSTEM_PODS);
  return {
    shape,
    capacity,
    kubeReserved,
    evictionHardMemoryMiB: EVICTION_HARD_MEMORY_MIB,
    allocatable,
    systemPods,
    forSpark: {
      cpuMillis: allocatable.cpuMillis - systemPods.cpuMillis,
      memoryMiB: allocatable.memoryMiB - systemPods.memoryMiB,
    },
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
  readonly spare: Resources;
}

export function fitOnOneNode(r: StepResources, instanceType: string = DEFAULT_NODE_INSTANCE_TYPE): FitResult {
  const pods = stepPods(r);
  const budget = nodeBudget(instanceType);
  const spare = {
    cpuMillis: budget.forSpark.cpuMillis - pods.total.cpuMillis,
    memoryMiB: budget.forSpark.memoryMiB - pods.total.memoryMiB,
  };
  return { fits: spare.cpuMillis >= 0 && spare.memoryMiB >= 0, pods, budget, spare };
}

/** The steps' sizes on the default t3a.xlarge: 3 of its 3.5 free cores, and most of its memory. */
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

function sum(items: readonly Resources[]): Resources {
  return items.reduce(
    (a, b) => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryMiB: a.memoryMiB + b.memoryMiB }),
    {
      cpuMillis: 0,
      memoryMiB: 0,
    },
  );
}
