/**
 * The Spark History Server chart, as the stack's kubectl provider applies it at deploy (read from
 * the synthesized template, CloudFormation values as stand-ins), met by a real API server and the
 * real scheduler: it applies server-side and re-applies as a no-op; the Deployment controller's pod
 * is admitted under the namespace's enforced `restricted` Pod Security level with no audit
 * violation; with a fake system node and a fake (tainted) Spark node, the scheduler places it on
 * the system node. (No kubelet: the JVM never starts here; the history suite runs the server.)
 */
import { POOL_LABEL, POOLS } from '../../lib/settings/scheduling';
import { SPARK_HISTORY_NAMESPACE } from '../../lib/settings/spark-history';
import {
  auditEvents,
  type ControlPlane,
  controlPlane,
  kubectl,
  kubectlOk,
} from '../../scripts/verify/kube/cluster';
import type { DeployTimeManifest } from '../../scripts/verify/kube/deploy-time-manifests';
import { applyServerSide, createFakeNode, defaultStackManifests, specVersions } from './kube-fixtures';

const SYSTEM_NODE = 'history-system-node';
const SPARK_NODE = 'history-spark-node';
let cp: ControlPlane;
let manifest: DeployTimeManifest;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PodJson {
  metadata: { name: string; ownerReferences?: Array<{ kind: string }> };
  spec: { nodeName?: string };
}

function historyManifest(): DeployTimeManifest {
  const found = defaultStackManifests().find((m) =>
    m.objects.some(
      (o) => o.kind === 'Namespace' && (o.metadata as { name?: string }).name === SPARK_HISTORY_NAMESPACE,
    ),
  );
  if (!found) throw new Error('no deploy-time manifest creates the spark-history namespace');
  return found;
}

async function scheduledPod(): Promise<PodJson> {
  const deadline = Date.now() + 90_000;
  let pods: PodJson[] = [];
  while (Date.now() < deadline) {
    pods = JSON.parse(
      kubectlOk(cp, [
        'get',
        'pods',
        '-n',
        SPARK_HISTORY_NAMESPACE,
        '-l',
        'app.kubernetes.io/name=spark-history-server',
        '-o',
        'json',
      ]),
    ).items;
    if (pods.length > 0 && pods[0].spec.nodeName) return pods[0];
    await sleep(500);
  }
  throw new Error(`the history server pod was not scheduled in 90 s: ${JSON.stringify(pods)}`);
}

beforeAll(() => {
  cp = controlPlane();
  manifest = historyManifest();
  createFakeNode(cp, SYSTEM_NODE, 'system');
  createFakeNode(cp, SPARK_NODE, 'spark');
});

afterAll(() => {
  kubectl(cp, ['delete', 'namespace', SPARK_HISTORY_NAMESPACE, '--wait=false', '--ignore-not-found']);
  kubectl(cp, [
    'delete',
    'pods',
    '-n',
    SPARK_HISTORY_NAMESPACE,
    '--all',
    '--grace-period=0',
    '--force',
    '--ignore-not-found',
  ]);
  kubectl(cp, ['delete', 'node', SYSTEM_NODE, SPARK_NODE, '--ignore-not-found']);
});

describe('the Spark History Server chart on a real API server', () => {
  test('GIVEN the deploy-time manifest WHEN applied server-side twice THEN the second apply changes nothing', () => {
    applyServerSide(cp, manifest.objects);
    const versions = () =>
      specVersions(
        JSON.parse(
          kubectlOk(cp, [
            'get',
            'serviceaccounts,configmaps,deployments,services',
            '-n',
            SPARK_HISTORY_NAMESPACE,
            '-l',
            'app.kubernetes.io/part-of',
            '-o',
            'json',
          ]),
        ).items,
      );
    const first = versions();
    expect(Object.keys(first).sort()).toEqual([
      'ConfigMap/spark-history-hadoop-conf',
      'Deployment/spark-history-server',
      'Service/spark-history-server',
      'ServiceAccount/spark-history-server',
    ]);
    applyServerSide(cp, manifest.objects);
    expect(versions()).toEqual(first);
    expect(
      kubectlOk(cp, ['get', 'namespace', SPARK_HISTORY_NAMESPACE, '-o', 'jsonpath={.metadata.labels}']),
    ).toMatch(/"pod-security.kubernetes.io\/enforce":"restricted"/);
    expect(
      kubectlOk(cp, [
        'get',
        'service',
        'spark-history-server',
        '-n',
        SPARK_HISTORY_NAMESPACE,
        '-o',
        'jsonpath={.spec.type}',
      ]),
    ).toBe('ClusterIP');
  });

  test('its pod is admitted under restricted and scheduled on the system node, never the Spark node', async () => {
    const pod = await scheduledPod();
    expect(pod.metadata.ownerReferences?.[0].kind).toBe('ReplicaSet');
    const node = JSON.parse(kubectlOk(cp, ['get', 'node', pod.spec.nodeName as string, '-o', 'json']));
    expect(node.metadata.labels[POOL_LABEL]).toBe(POOLS.system);
    expect(pod.spec.nodeName).not.toBe(SPARK_NODE);

    const creates = auditEvents(cp).filter(
      (e) =>
        e.verb === 'create' &&
        e.objectRef?.resource === 'pods' &&
        !e.objectRef.subresource && // not the scheduler's binding
        e.objectRef.namespace === SPARK_HISTORY_NAMESPACE &&
        e.responseStatus?.code === 201,
    );
    expect(creates.length).toBeGreaterThanOrEqual(1);
    for (const e of creates) {
      expect(e.user.username).toBe('system:serviceaccount:kube-system:replicaset-controller');
      expect(e.annotations?.['pod-security.kubernetes.io/enforce-policy']).toBe('restricted:latest');
      expect(e.annotations?.['pod-security.kubernetes.io/audit-violations']).toBeUndefined();
    }
  });

  test('with only the Spark node schedulable, the pod stays Pending: it does not tolerate the Spark taint', async () => {
    kubectlOk(cp, ['cordon', SYSTEM_NODE]);
    try {
      kubectlOk(cp, [
        'delete',
        'pods',
        '-n',
        SPARK_HISTORY_NAMESPACE,
        '--all',
        '--grace-period=0',
        '--force',
      ]);
      const deadline = Date.now() + 60_000;
      let message = '';
      while (Date.now() < deadline && !message) {
        const pods = JSON.parse(kubectlOk(cp, ['get', 'pods', '-n', SPARK_HISTORY_NAMESPACE, '-o', 'json']))
          .items as Array<{
          spec: { nodeName?: string };
          status: { conditions?: Array<Record<string, string>> };
        }>;
        for (const p of pods) {
          expect(p.spec.nodeName).not.toBe(SPARK_NODE);
          const c = (p.status.conditions ?? []).find(
            (x) => x.type === 'PodScheduled' && x.status === 'False',
          );
          if (c?.reason === 'Unschedulable') message = c.message;
        }
        if (!message) await sleep(500);
      }
      expect(message).toMatch(/1 node\(s\) had untolerated taint/);
    } finally {
      kubectlOk(cp, ['uncordon', SYSTEM_NODE]);
    }
  });
});
