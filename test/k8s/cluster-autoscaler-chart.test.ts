import { App } from 'cdk8s';
import {
  autoscalerCommand,
  CLUSTER_AUTOSCALER_IMAGES,
  ClusterAutoscalerChart,
} from '../../k8s/cluster-autoscaler-chart';
import { KUBERNETES_VERSIONS } from '../../lib/settings/config';

type K8sObject = {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: manifest JSON
  [key: string]: any;
};

const objects = (kubernetesVersion: (typeof KUBERNETES_VERSIONS)[number] = '1.36') =>
  new ClusterAutoscalerChart(new App(), 'cluster-autoscaler', {
    clusterName: 'demo-cluster',
    region: 'eu-west-1',
    kubernetesVersion,
  }).toJson() as K8sObject[];

const one = (kind: string) => {
  const found = objects().filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('ClusterAutoscalerChart', () => {
  test('the objects: service account, upstream RBAC, one Deployment, all in kube-system', () => {
    expect(
      objects()
        .map((o) => `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`)
        .sort(),
    ).toEqual([
      'ClusterRole/-/cluster-autoscaler',
      'ClusterRoleBinding/-/cluster-autoscaler',
      'Deployment/kube-system/cluster-autoscaler',
      'Role/kube-system/cluster-autoscaler',
      'RoleBinding/kube-system/cluster-autoscaler',
      'ServiceAccount/kube-system/cluster-autoscaler',
    ]);
    // Pod Identity supplies AWS credentials: no IRSA annotation on the service account.
    expect(one('ServiceAccount').metadata.annotations).toBeUndefined();
  });

  test('pinned image at the Kubernetes minor, one per supported version', () => {
    for (const v of KUBERNETES_VERSIONS) {
      const image = CLUSTER_AUTOSCALER_IMAGES[v];
      expect(image).toMatch(
        new RegExp(`^registry\\.k8s\\.io/autoscaling/cluster-autoscaler:v${v.replace('.', '\\.')}\\.\\d+$`),
      );
      const deployment = objects(v).find((o) => o.kind === 'Deployment') as K8sObject;
      expect(deployment.spec.template.spec.containers[0].image).toBe(image);
    }
    expect(CLUSTER_AUTOSCALER_IMAGES['1.36']).toBe('registry.k8s.io/autoscaling/cluster-autoscaler:v1.36.1');
  });

  test('flags: auto-discovery by the tags EKS puts on this cluster, least-waste, emptyDirs do not pin a node, fast scale-down', () => {
    const command = one('Deployment').spec.template.spec.containers[0].command;
    expect(command).toEqual(autoscalerCommand('demo-cluster'));
    expect(command).toEqual(
      expect.arrayContaining([
        '--cloud-provider=aws',
        '--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/demo-cluster',
        '--expander=least-waste',
        '--balance-similar-node-groups=false',
        '--skip-nodes-with-local-storage=false',
        '--scale-down-unneeded-time=5m',
        '--scale-down-delay-after-add=5m',
        '--leader-elect-resource-lock=leases',
      ]),
    );
    // Every flag given once.
    const names = command.slice(1).map((f: string) => f.split('=')[0]);
    expect(new Set(names).size).toBe(names.length);
  });

  test('the pod: system pool only, system-cluster-critical, never evicted by the autoscaler, restricted security context', () => {
    const pod = one('Deployment').spec.template;
    expect(pod.metadata.annotations).toEqual({ 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' });
    expect(pod.spec.nodeSelector).toEqual({ 'zenml-spark-eks/pool': 'system' });
    expect(pod.spec.tolerations).toBeUndefined();
    expect(pod.spec.priorityClassName).toBe('system-cluster-critical');
    expect(pod.spec.serviceAccountName).toBe('cluster-autoscaler');
    expect(pod.spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      fsGroup: 65534,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const [container] = pod.spec.containers;
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '600Mi' },
      limits: { cpu: '100m', memory: '600Mi' },
    });
    expect(container.env).toEqual([{ name: 'AWS_REGION', value: 'eu-west-1' }]);
    expect(pod.spec.volumes).toBeUndefined();
  });

  test('RBAC: no Endpoints, no cluster-wide ConfigMaps, no node create/delete; writes only events, evictions, pod status, node taints, its lease', () => {
    const rules = one('ClusterRole').rules as {
      apiGroups: string[];
      resources: string[];
      verbs: string[];
      resourceNames?: string[];
    }[];
    const flat = rules.flatMap((r) =>
      r.resources.flatMap((res) =>
        r.verbs.map((v) => `${r.apiGroups[0]}/${res}:${v}${r.resourceNames ? `(${r.resourceNames})` : ''}`),
      ),
    );
    expect(flat.filter((x) => /endpoints|configmaps/.test(x))).toEqual([]);
    expect(flat.filter((x) => x.startsWith('/nodes:'))).toEqual([
      '/nodes:watch',
      '/nodes:list',
      '/nodes:get',
      '/nodes:update',
    ]);
    const writes = flat.filter((x) => !/:(get|list|watch)/.test(x));
    expect(writes.sort()).toEqual(
      [
        '/events:create',
        '/events:patch',
        '/pods/eviction:create',
        '/pods/status:update',
        '/nodes:update',
        'batch/jobs:patch',
        'coordination.k8s.io/leases:create',
        'coordination.k8s.io/leases:update(cluster-autoscaler)',
      ].sort(),
    );
    const role = one('Role');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'list', 'watch'] },
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['cluster-autoscaler-status'],
        verbs: ['delete', 'get', 'update', 'watch'],
      },
    ]);
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      expect(one(kind).subjects).toEqual([
        { kind: 'ServiceAccount', name: 'cluster-autoscaler', namespace: 'kube-system' },
      ]);
    }
  });

  test('a Kubernetes version without a pinned image is an error naming it', () => {
    expect(
      () =>
        new ClusterAutoscalerChart(new App(), 'ca', {
          clusterName: 'c',
          region: 'eu-west-1',
          kubernetesVersion: '1.99' as never,
        }),
    ).toThrow(/kubernetesVersion='1.99': no cluster autoscaler image pinned for it; known: 1.34, 1.35, 1.36/);
  });

  test("the ClusterRole, rule by rule: upstream's AWS example less Endpoints, cluster-wide ConfigMaps and node create/delete", () => {
    const read = ['watch', 'list', 'get'];
    expect(one('ClusterRole')).toMatchObject({ metadata: { name: 'cluster-autoscaler' } });
    expect(one('ClusterRole').rules).toEqual([
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
        verbs: read,
      },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: read },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['patch'] },
      { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['watch', 'list'] },
      { apiGroups: ['apps'], resources: ['daemonsets', 'replicasets', 'statefulsets'], verbs: read },
      {
        apiGroups: ['storage.k8s.io'],
        resources: ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities', 'volumeattachments'],
        verbs: read,
      },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['cluster-autoscaler'],
        verbs: ['get', 'update'],
      },
    ]);
    expect(one('ClusterRoleBinding').roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'cluster-autoscaler',
    });
    expect(one('RoleBinding').roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'cluster-autoscaler',
    });
    expect(one('ServiceAccount').automountServiceAccountToken).toBe(true);
  });

  test('the Deployment, field by field (command, env and image asserted above)', () => {
    const deployment = one('Deployment');
    expect(deployment.metadata.labels).toEqual({
      'app.kubernetes.io/part-of': 'zenml-spark-eks',
      'app.kubernetes.io/name': 'cluster-autoscaler',
      'app.kubernetes.io/component': 'autoscaler',
    });
    const { template, ...spec } = deployment.spec;
    expect(spec).toEqual({
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'cluster-autoscaler' } },
    });
    expect(template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'cluster-autoscaler',
      'app.kubernetes.io/part-of': 'zenml-spark-eks',
    });
    expect(template.spec.automountServiceAccountToken).toBe(true);
    const { command: _c, env: _e, image: _i, ...container } = template.spec.containers[0];
    expect(container).toEqual({
      name: 'cluster-autoscaler',
      imagePullPolicy: 'IfNotPresent',
      ports: [{ name: 'metrics', containerPort: 8085, protocol: 'TCP' }],
      resources: { requests: { cpu: '100m', memory: '600Mi' }, limits: { cpu: '100m', memory: '600Mi' } },
      livenessProbe: {
        httpGet: { path: '/health-check', port: 8085 },
        initialDelaySeconds: 30,
        periodSeconds: 30,
        failureThreshold: 3,
      },
      readinessProbe: { httpGet: { path: '/health-check', port: 8085 }, periodSeconds: 10 },
      securityContext: {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
    });
  });

  test('the command line, flag by flag, in order', () => {
    expect(autoscalerCommand('c1')).toEqual([
      './cluster-autoscaler',
      '--cloud-provider=aws',
      '--namespace=kube-system',
      '--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/c1',
      '--expander=least-waste',
      '--balance-similar-node-groups=false',
      '--skip-nodes-with-local-storage=false',
      '--skip-nodes-with-system-pods=true',
      '--scan-interval=10s',
      '--scale-down-unneeded-time=5m',
      '--scale-down-delay-after-add=5m',
      '--leader-elect-resource-lock=leases',
      '--v=2',
    ]);
  });
});
