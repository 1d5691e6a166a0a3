/**
 * The Kubernetes API calls a Spark 4.1 driver makes in its own namespace, read from Spark's
 * Kubernetes resource manager (resource-managers/kubernetes/core) and the fabric8 client calls
 * they issue. The RBAC test evaluates the driver Role against this list: every call must be
 * allowed, and nothing beyond the namespace may be granted.
 *
 * Verbs are the RBAC verbs the API server authorizes: a fabric8 `.withLabel(..).delete()` is a
 * DELETE on the collection (`deletecollection`); `.patch()` and server-side apply are `patch`;
 * `waitUntilReady` and informers are `list` + `watch`; `createOrReplace` falls back to `update`.
 */

export type DeployMode = 'client' | 'cluster';

export interface SparkApiCall {
  readonly resource: 'pods' | 'services' | 'configmaps' | 'persistentvolumeclaims';
  readonly verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  /** The Spark class making the call and why. */
  readonly source: string;
  /** Deploy modes in which the driver (or spark-submit, for cluster mode) makes it. */
  readonly modes: readonly DeployMode[];
  /** Only with a feature turned on (on-demand PVCs, decommissioning labels). */
  readonly feature?: string;
}

const BOTH: readonly DeployMode[] = ['client', 'cluster'];

export const SPARK_DRIVER_API_CALLS: readonly SparkApiCall[] = [
  // Executor pods.
  {
    resource: 'pods',
    verb: 'create',
    modes: BOTH,
    source: 'ExecutorPodsAllocator.requestNewExecutors: one pod per executor',
  },
  {
    resource: 'pods',
    verb: 'get',
    modes: BOTH,
    source:
      'ExecutorPodsAllocator: reads its own pod (spark.kubernetes.driver.pod.name) for owner references',
  },
  {
    resource: 'pods',
    verb: 'list',
    modes: BOTH,
    source: 'ExecutorPodsPollingSnapshotSource: polls executor pods by spark-app-selector label',
  },
  {
    resource: 'pods',
    verb: 'watch',
    modes: BOTH,
    source: 'ExecutorPodsWatchSnapshotSource: watches executor pods; waitUntilReady on the driver pod',
  },
  {
    resource: 'pods',
    verb: 'patch',
    modes: BOTH,
    source:
      'KubernetesClusterSchedulerBackend: labels each executor pod with its spark-exec-id (strategic merge patch)',
  },
  {
    resource: 'pods',
    verb: 'delete',
    modes: BOTH,
    source: 'ExecutorPodsLifecycleManager: deletes a finished or lost executor pod by name',
  },
  {
    resource: 'pods',
    verb: 'deletecollection',
    modes: BOTH,
    source: 'ExecutorPodsAllocator.stop / doKillExecutors: deletes executor pods by label',
  },
  // The executors' spark-conf ConfigMap.
  {
    resource: 'configmaps',
    verb: 'create',
    modes: BOTH,
    source: 'KubernetesClusterSchedulerBackend.setUpExecutorConfigMap',
  },
  {
    resource: 'configmaps',
    verb: 'deletecollection',
    modes: BOTH,
    source: 'KubernetesClusterSchedulerBackend.stop: deletes the executor ConfigMap by label',
  },
  // Services: the backend deletes services labelled with its app id on stop in both modes.
  {
    resource: 'services',
    verb: 'deletecollection',
    modes: BOTH,
    source: 'KubernetesClusterSchedulerBackend.stop (spark.kubernetes.driver.service.deleteOnTermination)',
  },
  // Cluster mode: spark-submit creates the driver pod, its headless service and conf ConfigMap.
  { resource: 'pods', verb: 'create', modes: ['cluster'], source: 'submit.Client.run: the driver pod' },
  {
    resource: 'pods',
    verb: 'watch',
    modes: ['cluster'],
    source: 'submit.LoggingPodStatusWatcher: waits for the driver pod',
  },
  {
    resource: 'pods',
    verb: 'delete',
    modes: ['cluster'],
    source: 'submit.Client.run: removes the driver pod when creating its resources fails',
  },
  {
    resource: 'services',
    verb: 'patch',
    modes: ['cluster'],
    source: 'submit.Client.run: server-side apply of the driver headless service',
  },
  {
    resource: 'services',
    verb: 'create',
    modes: ['cluster'],
    source: 'DriverServiceFeatureStep: the driver headless service',
  },
  {
    resource: 'services',
    verb: 'delete',
    modes: ['cluster'],
    source: 'submit.Client.run: cleanup after a failed submission',
  },
  {
    resource: 'configmaps',
    verb: 'patch',
    modes: ['cluster'],
    source: 'submit.Client.run: server-side apply of the driver conf ConfigMap',
  },
  {
    resource: 'configmaps',
    verb: 'create',
    modes: ['cluster'],
    source: 'KubernetesClientUtils: the driver spark-conf ConfigMap',
  },
  {
    resource: 'configmaps',
    verb: 'delete',
    modes: ['cluster'],
    source: 'submit.Client.run: cleanup after a failed submission',
  },
  // Optional features.
  {
    resource: 'persistentvolumeclaims',
    verb: 'create',
    modes: BOTH,
    feature: 'OnDemand PVC volumes',
    source: 'ExecutorPodsAllocator.replacePVCsIfNeeded',
  },
  {
    resource: 'persistentvolumeclaims',
    verb: 'list',
    modes: BOTH,
    // spark.kubernetes.driver.reusePersistentVolumeClaim defaults to true (Spark >= 3.4).
    source: "ExecutorPodsAllocator.getReusablePVCs: the app's PVCs, before creating executors",
  },
  {
    resource: 'persistentvolumeclaims',
    verb: 'deletecollection',
    modes: BOTH,
    // spark.kubernetes.driver.ownPersistentVolumeClaim defaults to true (Spark >= 3.4): seen on
    // every stop in the audit log of test/k8s/spark-driver.kube.test.ts.
    source: "KubernetesClusterSchedulerBackend.stop: deletes the app's PVCs by label",
  },
  {
    resource: 'persistentvolumeclaims',
    verb: 'delete',
    modes: BOTH,
    feature: 'OnDemand PVC volumes',
    source: 'ExecutorPodsAllocator: removes PVCs of a pod that failed to start',
  },
  {
    resource: 'pods',
    verb: 'patch',
    modes: BOTH,
    feature: 'spark.kubernetes.executor.decommissionLabel',
    source: 'KubernetesClusterSchedulerBackend.labelDecommissioningExecs',
  },
  // Spark 3.x submission clients used fabric8 createOrReplace: POST, then PUT on a 409 conflict.
  {
    resource: 'configmaps',
    verb: 'update',
    modes: ['cluster'],
    source: 'Spark 3.x submit.Client: createOrReplace of the driver ConfigMap',
  },
  {
    resource: 'services',
    verb: 'update',
    modes: ['cluster'],
    source: 'Spark 3.x submit.Client: createOrReplace of the driver service',
  },
];
