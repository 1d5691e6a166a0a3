/**
 * The cluster autoscaler's objects as the stack's kubectl provider applies them at deploy (read
 * from the synthesized template, the region filled in as CloudFormation would), met by a real API
 * server: admitted and applied server-side (a second apply changes nothing), the Deployment's pod
 * created by the real ReplicaSet controller with the priority class resolved, and its service
 * account allowed what the autoscaler does and nothing beyond (the API server's own authorizer).
 * What only a real cluster shows: the autoscaler running, reaching AWS through Pod Identity.
 */
import { CLUSTER_AUTOSCALER } from '../../lib/settings/names';
import {
  type ControlPlane,
  canI,
  controlPlane,
  kubectl,
  kubectlOk,
  serviceAccountUser,
} from '../../scripts/verify/kube/cluster';
import type { DeployTimeManifest } from '../../scripts/verify/kube/deploy-time-manifests';
import { applyServerSide, defaultStackManifests, specVersions } from './kube-fixtures';

const SA = serviceAccountUser(CLUSTER_AUTOSCALER.namespace, CLUSTER_AUTOSCALER.serviceAccount);
const NS = CLUSTER_AUTOSCALER.namespace;
let cp: ControlPlane;
let manifest: DeployTimeManifest;

function resourceVersions(): Record<string, string> {
  const items = [
    ...JSON.parse(
      kubectlOk(cp, [
        'get',
        'serviceaccounts,roles,rolebindings,deployments',
        '-n',
        NS,
        '-l',
        'app.kubernetes.io/name=cluster-autoscaler',
        '-o',
        'json',
      ]),
    ).items,
    ...JSON.parse(
      kubectlOk(cp, [
        'get',
        'clusterroles,clusterrolebindings',
        '-l',
        'app.kubernetes.io/name=cluster-autoscaler',
        '-o',
        'json',
      ]),
    ).items,
  ];
  return specVersions(items);
}

beforeAll(() => {
  cp = controlPlane();
  const found = defaultStackManifests().find((m) =>
    m.objects.some(
      (o) =>
        o.kind === 'Deployment' && (o.metadata as { name: string }).name === CLUSTER_AUTOSCALER.deployment,
    ),
  );
  if (!found) throw new Error('no deploy-time manifest holds the cluster autoscaler');
  manifest = found;
});

afterAll(() => {
  kubectl(cp, ['delete', '-f', '-', '--ignore-not-found', '--wait=false'], {
    input: manifest.objects.map((o) => JSON.stringify(o)).join('\n'),
  });
});

describe('the deploy-time cluster autoscaler manifest on a real API server', () => {
  test('GIVEN the manifest from the synthesized template WHEN applied server-side twice THEN admitted, and the second apply changes nothing', () => {
    applyServerSide(cp, manifest.objects);
    const first = resourceVersions();
    expect(Object.keys(first).sort()).toEqual([
      'ClusterRole/cluster-autoscaler',
      'ClusterRoleBinding/cluster-autoscaler',
      'Deployment/cluster-autoscaler',
      'Role/cluster-autoscaler',
      'RoleBinding/cluster-autoscaler',
      'ServiceAccount/cluster-autoscaler',
    ]);
    applyServerSide(cp, manifest.objects);
    expect(resourceVersions()).toEqual(first);
  });

  test('the ReplicaSet controller creates its pod: system-cluster-critical resolved, system pool selected, region filled in', async () => {
    let pod: { spec: Record<string, unknown> } | undefined;
    const deadline = Date.now() + 60_000;
    while (!pod && Date.now() < deadline) {
      pod = JSON.parse(
        kubectlOk(cp, [
          'get',
          'pods',
          '-n',
          NS,
          '-l',
          'app.kubernetes.io/name=cluster-autoscaler',
          '-o',
          'json',
        ]),
      ).items[0];
      if (!pod) await new Promise((r) => setTimeout(r, 300));
    }
    expect(pod).toBeDefined();
    const spec = pod?.spec as {
      priorityClassName: string;
      priority: number;
      nodeSelector: Record<string, string>;
      containers: { env: { name: string; value: string }[]; image: string }[];
    };
    expect(spec.priorityClassName).toBe('system-cluster-critical');
    expect(spec.priority).toBe(2000000000);
    expect(spec.nodeSelector).toEqual({ 'zenml-spark-eks/pool': 'system' });
    // Ref AWS::Region stands in as us-east-1 (scripts/verify/kube/deploy-time-manifests.ts).
    expect(spec.containers[0].env).toEqual([{ name: 'AWS_REGION', value: 'us-east-1' }]);
    expect(spec.containers[0].image).toBe('registry.k8s.io/autoscaling/cluster-autoscaler:v1.36.1');
  });

  test('its service account may do what the autoscaler does', () => {
    const needed: Array<[string, string, string | undefined]> = [
      ['list', 'pods', '*'],
      ['watch', 'pods', '*'],
      ['list', 'nodes', undefined],
      ['update', 'nodes', undefined],
      ['create', 'events', 'spark-namespace'],
      ['create', 'pods/eviction', 'spark-namespace'],
      ['list', 'poddisruptionbudgets.policy', '*'],
      ['list', 'replicasets.apps', '*'],
      ['list', 'jobs.batch', '*'],
      ['list', 'csinodes.storage.k8s.io', undefined],
      ['list', 'volumeattachments.storage.k8s.io', undefined],
      ['create', 'leases.coordination.k8s.io', NS],
      ['create', 'configmaps', NS],
    ];
    const denied = needed.filter(([verb, resource, ns]) => !canI(cp, SA, verb, resource, ns));
    expect(denied).toEqual([]);
    // Named objects: its own lease and status ConfigMap only.
    const named = (verb: string, what: string) =>
      kubectl(cp, ['auth', 'can-i', verb, what, '-n', NS], { as: SA }).stdout.trim();
    expect(named('update', 'leases.coordination.k8s.io/cluster-autoscaler')).toBe('yes');
    expect(named('update', 'leases.coordination.k8s.io/kube-scheduler')).toBe('no');
    expect(named('update', 'configmaps/cluster-autoscaler-status')).toBe('yes');
    expect(named('update', 'configmaps/coredns')).toBe('no');
  });

  test('and nothing it does not: no secrets, no node deletion, no pod deletion, no ConfigMaps outside kube-system', () => {
    const beyond: Array<[string, string, string | undefined]> = [
      ['get', 'secrets', NS],
      ['list', 'secrets', '*'],
      ['delete', 'nodes', undefined],
      ['create', 'nodes', undefined],
      ['delete', 'pods', 'spark-namespace'],
      ['create', 'pods', 'spark-namespace'],
      ['list', 'configmaps', 'spark-namespace'],
      ['update', 'endpoints', NS],
      ['create', 'clusterrolebindings.rbac.authorization.k8s.io', undefined],
      ['patch', 'deployments.apps', NS],
    ];
    const allowed = beyond.filter(([verb, resource, ns]) => canI(cp, SA, verb, resource, ns));
    expect(allowed).toEqual([]);
  });
});
