/**
 * Cluster Autoscaler for the Spark pool: its service account, the upstream RBAC (cut where the
 * upstream manifest grants more than this setup uses) and one Deployment on the system pool.
 * Applied at deploy through the cluster's kubectl provider (like the RBAC chart) and written to
 * dist/ for review.
 *
 * It scales an EKS managed node group from zero: auto-discovery by the tags EKS puts on every
 * managed node group's Auto Scaling group (k8s.io/cluster-autoscaler/enabled and
 * k8s.io/cluster-autoscaler/<cluster>), the pool's labels and taints read through
 * eks:DescribeNodegroup. AWS credentials come from EKS Pod Identity (the stack associates a
 * scoped role with kube-system/cluster-autoscaler), so the service account carries no annotation.
 *
 * Scale-down (docs/cost-and-timing.md): a Spark node with no Spark pod left is "unneeded" after
 * --scale-down-unneeded-time (5 min) and then removed, and no scale-down is considered until
 * --scale-down-delay-after-add (5 min) after a scale-up: an idle Spark pool is back at 0 within
 * about 6 minutes of its last Spark pod. Spark pods carry safe-to-evict=false, so a node that runs
 * a driver or an executor is never removed.
 */
import { Chart, type ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import type { Construct } from 'constructs';
import type { KubernetesVersionName } from '../lib/settings/config';
import { CLUSTER_AUTOSCALER, PART_OF_LABEL } from '../lib/settings/names';
import { NOT_SAFE_TO_EVICT, SYSTEM_NODE_SELECTOR } from '../lib/settings/scheduling';
import { CLUSTER_AUTOSCALER_RESOURCES } from '../lib/settings/sizing';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './pod-security';

/**
 * The image per Kubernetes minor: Cluster Autoscaler is released per Kubernetes minor and supports
 * that minor. Patch releases of 2026-07-23 (github.com/kubernetes/autoscaler/releases, tags
 * cluster-autoscaler-1.36.1, -1.35.2, -1.34.5); re-check for newer patches before a deploy.
 */
export const CLUSTER_AUTOSCALER_IMAGES: Readonly<Record<KubernetesVersionName, string>> = {
  '1.34': 'registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.5',
  '1.35': 'registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2',
  '1.36': 'registry.k8s.io/autoscaling/cluster-autoscaler:v1.36.1',
};

/** The autoscaler's scale-down timing: an idle Spark pool reaches 0 within 10 minutes of its last pod. */
export const SCALE_DOWN_UNNEEDED_TIME = '5m';
export const SCALE_DOWN_DELAY_AFTER_ADD = '5m';
/** How often the autoscaler looks for pending pods (its default, stated). */
export const SCAN_INTERVAL = '10s';

/** The user the upstream image runs as (distroless `nobody`). */
const NOBODY = 65534;
const METRICS_PORT = 8085;

export interface ClusterAutoscalerChartProps extends ChartProps {
  /** The EKS cluster whose node groups are discovered (k8s.io/cluster-autoscaler/<clusterName>). */
  readonly clusterName: string;
  /** The cluster's region (AWS_REGION of the container): a token in the stack, a value or placeholder in dist/. */
  readonly region: string;
  readonly kubernetesVersion: KubernetesVersionName;
}

/** The command line: what the autoscaler may do, and how fast. */
export function autoscalerCommand(clusterName: string): string[] {
  return [
    './cluster-autoscaler',
    '--cloud-provider=aws',
    `--namespace=${CLUSTER_AUTOSCALER.namespace}`,
    `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${clusterName}`,
    // One scalable pool: pick the node group that wastes least (upstream's recommendation on AWS).
    '--expander=least-waste',
    // Only one Spark pool exists, and the system pool is a fixed size: nothing to balance.
    '--balance-similar-node-groups=false',
    // Spark's scratch space is emptyDir: it must not pin a node (the pods' safe-to-evict=false does that while they run).
    '--skip-nodes-with-local-storage=false',
    // Upstream default, stated: a node running kube-system pods (other than DaemonSets) is kept.
    '--skip-nodes-with-system-pods=true',
    `--scan-interval=${SCAN_INTERVAL}`,
    `--scale-down-unneeded-time=${SCALE_DOWN_UNNEEDED_TIME}`,
    `--scale-down-delay-after-add=${SCALE_DOWN_DELAY_AFTER_ADD}`,
    // Leader election through a Lease (no Endpoints lock, so the RBAC below grants no Endpoints).
    '--leader-elect-resource-lock=leases',
    '--v=2',
  ];
}

export class ClusterAutoscalerChart extends Chart {
  readonly deployment: kplus.k8s.KubeDeployment;
  readonly serviceAccount: kplus.k8s.KubeServiceAccount;
  readonly clusterRole: kplus.k8s.KubeClusterRole;
  readonly role: kplus.k8s.KubeRole;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerChartProps) {
    const image = CLUSTER_AUTOSCALER_IMAGES[props.kubernetesVersion];
    if (!image) {
      throw new Error(
        `kubernetesVersion='${props.kubernetesVersion}': no cluster autoscaler image pinned for it; known: ${Object.keys(CLUSTER_AUTOSCALER_IMAGES).join(', ')}`,
      );
    }
    super(scope, id, {
      ...props,
      labels: {
        ...PART_OF_LABEL,
        'app.kubernetes.io/name': 'cluster-autoscaler',
        'app.kubernetes.io/component': 'autoscaler',
        ...props.labels,
      },
    });
    const { namespace, serviceAccount: name } = CLUSTER_AUTOSCALER;
    const subjects = [{ kind: 'ServiceAccount', name, namespace }];

    this.serviceAccount = new kplus.k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name, namespace },
      // The autoscaler talks to the API server; AWS credentials come from Pod Identity, not this token.
      automountServiceAccountToken: true,
    });

    // Upstream's ClusterRole (charts/cluster-autoscaler, the AWS example manifest) without what
    // this setup does not use: Endpoints (a Lease is the leader-election lock), ConfigMaps
    // cluster-wide (the priority expander's; least-waste needs none), nodes create/delete (the
    // clusterapi provider's).
    this.clusterRole = new kplus.k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name },
      rules: [
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
        { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
        { apiGroups: [''], resources: ['pods/status'], verbs: ['update'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['watch', 'list', 'get', 'update'] },
        {
          apiGroups: [''],
          resources: [
            'namespaces',
            'pods',
            'services',
            'replicationcontrollers',
            'persistentvolumeclaims',
            'persistentvolumes',
          ],
          verbs: ['watch', 'list', 'get'],
        },
        { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['watch', 'list', 'get'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['patch'] },
        { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['watch', 'list'] },
        {
          apiGroups: ['apps'],
          resources: ['daemonsets', 'replicasets', 'statefulsets'],
          verbs: ['watch', 'list', 'get'],
        },
        {
          apiGroups: ['storage.k8s.io'],
          resources: [
            'storageclasses',
            'csinodes',
            'csidrivers',
            'csistoragecapacities',
            'volumeattachments',
          ],
          verbs: ['watch', 'list', 'get'],
        },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: [name],
          verbs: ['get', 'update'],
        },
      ],
    });
    new kplus.k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects,
    });

    // Its status ConfigMap, in its own namespace only.
    this.role = new kplus.k8s.KubeRole(this, 'Role', {
      metadata: { name, namespace },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'list', 'watch'] },
        {
          apiGroups: [''],
          resources: ['configmaps'],
          resourceNames: ['cluster-autoscaler-status'],
          verbs: ['delete', 'get', 'update', 'watch'],
        },
      ],
    });
    new kplus.k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects,
    });

    const podLabels = { 'app.kubernetes.io/name': 'cluster-autoscaler', ...PART_OF_LABEL };
    const cpu = `${CLUSTER_AUTOSCALER_RESOURCES.cpuMillis}m`;
    const memory = `${CLUSTER_AUTOSCALER_RESOURCES.memoryMiB}Mi`;
    this.deployment = new kplus.k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: CLUSTER_AUTOSCALER.deployment, namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'cluster-autoscaler' } },
        template: {
          metadata: {
            labels: podLabels,
            // Never evicted by itself: it runs on the fixed-size system pool anyway.
            annotations: { ...NOT_SAFE_TO_EVICT },
          },
          spec: {
            priorityClassName: 'system-cluster-critical',
            serviceAccountName: name,
            automountServiceAccountToken: true,
            // The system pool only (the Spark nodes are tainted, and may be at 0).
            nodeSelector: { ...SYSTEM_NODE_SELECTOR },
            securityContext: restrictedPodSecurityContext(NOBODY),
            containers: [
              {
                name: 'cluster-autoscaler',
                image,
                imagePullPolicy: 'IfNotPresent',
                command: autoscalerCommand(props.clusterName),
                env: [{ name: 'AWS_REGION', value: props.region }],
                ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
                // Requests = limits, as upstream: a guaranteed pod on a small node.
                resources: {
                  requests: {
                    cpu: kplus.k8s.Quantity.fromString(cpu),
                    memory: kplus.k8s.Quantity.fromString(memory),
                  },
                  limits: {
                    cpu: kplus.k8s.Quantity.fromString(cpu),
                    memory: kplus.k8s.Quantity.fromString(memory),
                  },
                },
                // Its health endpoint fails when the main loop has not run for --max-inactivity (10 min):
                // restarted then, and not counted available meanwhile (what `npm run resume` waits for).
                livenessProbe: {
                  httpGet: { path: '/health-check', port: kplus.k8s.IntOrString.fromNumber(METRICS_PORT) },
                  initialDelaySeconds: 30,
                  periodSeconds: 30,
                  failureThreshold: 3,
                },
                readinessProbe: {
                  httpGet: { path: '/health-check', port: kplus.k8s.IntOrString.fromNumber(METRICS_PORT) },
                  periodSeconds: 10,
                },
                securityContext: restrictedContainerSecurityContext(NOBODY),
              },
            ],
          },
        },
      },
    });
    for (const child of [this.deployment]) child.node.addDependency(this.serviceAccount);
  }
}
