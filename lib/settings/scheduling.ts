/**
 * Where pods run: the placement policy of the cluster's two node pools, in one place, so that the
 * node groups (lib/spark-cluster.ts), every Spark pod spec (the step Jobs and the executor pod
 * template in k8s/, the ZenML step operator's pods through the Python contract), the autoscaler
 * and the tests agree.
 *
 * - The system pool (fixed size, always on) runs what the cluster itself needs: CoreDNS, the
 *   cluster autoscaler, the ZenML server, a Spark history server if one is added.
 * - The Spark pool (0 to nodeMaxSize nodes, scaled by the cluster autoscaler from pending pods)
 *   runs Spark drivers and executors only. Its nodes carry SPARK_TAINT, so a pod without
 *   SPARK_TOLERATION (CoreDNS, the autoscaler, the ZenML server) is never scheduled there; a Spark
 *   pod carries SPARK_NODE_SELECTOR as well, so it never lands on the system pool.
 * - Spark pods carry NOT_SAFE_TO_EVICT: the autoscaler never removes a node that runs a driver or
 *   an executor, so scaling down cannot kill a step in flight.
 *
 * scripts/generate/spark-contract.ts exports these objects to spark/zenml_spark_steps/contract.json
 * for the Python side; a jest test and a pytest hold both languages to it.
 */

/** Node label that names a node's pool (set by the node group, read by selectors and the autoscaler). */
export const POOL_LABEL = 'zenml-spark-eks/pool';

export const POOLS = { system: 'system', spark: 'spark' } as const;
export type PoolName = keyof typeof POOLS;

/** The taint on every Spark node (Kubernetes form; the EKS API spells the effect NO_SCHEDULE). */
export const SPARK_TAINT = { key: POOL_LABEL, value: POOLS.spark, effect: 'NoSchedule' } as const;

/** What a Spark pod tolerates: exactly the Spark taint, nothing broader. */
export const SPARK_TOLERATION = {
  key: SPARK_TAINT.key,
  operator: 'Equal',
  value: SPARK_TAINT.value,
  effect: SPARK_TAINT.effect,
} as const;

export const SPARK_NODE_SELECTOR: Readonly<Record<string, string>> = { [POOL_LABEL]: POOLS.spark };
export const SYSTEM_NODE_SELECTOR: Readonly<Record<string, string>> = { [POOL_LABEL]: POOLS.system };

/** Cluster Autoscaler's pod annotation: `false` keeps the node the pod runs on from being scaled down. */
export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
export const NOT_SAFE_TO_EVICT: Readonly<Record<string, string>> = { [SAFE_TO_EVICT_ANNOTATION]: 'false' };

/** The placement every Spark pod spec carries (driver and executors alike). */
export interface PodPlacement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly (typeof SPARK_TOLERATION)[];
  /** Pod annotations (metadata.annotations of the pod, not of its controller). */
  readonly annotations: Readonly<Record<string, string>>;
}

export function sparkPodPlacement(): PodPlacement {
  return {
    nodeSelector: { ...SPARK_NODE_SELECTOR },
    tolerations: [{ ...SPARK_TOLERATION }],
    annotations: { ...NOT_SAFE_TO_EVICT },
  };
}

/**
 * Tags that tell Cluster Autoscaler, before any node of a pool exists, which labels and taints a
 * new node will carry (`k8s.io/cluster-autoscaler/node-template/...`). The autoscaler also reads
 * them from the EKS API (eks:DescribeNodegroup); older versions misread taints there
 * (kubernetes/autoscaler#6481), so the node group carries both.
 */
export function autoscalerNodeTemplateTags(pool: PoolName): Record<string, string> {
  const tags: Record<string, string> = {
    [`k8s.io/cluster-autoscaler/node-template/label/${POOL_LABEL}`]: POOLS[pool],
  };
  if (pool === 'spark') {
    tags[`k8s.io/cluster-autoscaler/node-template/taint/${SPARK_TAINT.key}`] =
      `${SPARK_TAINT.value}:${SPARK_TAINT.effect}`;
  }
  return tags;
}
