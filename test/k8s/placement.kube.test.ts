/**
 * The two pools' placement policy with the real kube-scheduler (scripts/verify/test-kubernetes.sh):
 * fake Node objects stand in for one system node and one Spark node (the Spark node carries the
 * pool's label and taint, as the node group gives them; capacity and Ready set through the status
 * subresource; the control plane runs no node lifecycle controller, so nothing removes them). Then:
 * a pod without the Spark toleration is never scheduled on the Spark node; a Spark driver pod from
 * the Job chart goes to the Spark node and never to the system node; an executor pod made from the
 * chart's pod template does the same.
 */
import { parse } from 'yaml';
import { pipelineObjectsByStep } from '../../k8s/manifests';
import { SPARK_NAMESPACE } from '../../lib/settings/names';
import { type ControlPlane, controlPlane, kubectl, kubectlOk } from '../../scripts/verify/kube/cluster';
import { applySparkRbac, createFakeNode } from './kube-fixtures';

const SYSTEM_NODE = 'placement-system-node';
const SPARK_NODE = 'placement-spark-node';
const TEST_NS = 'placement-test';
const RUN_ID = 'placement-1';
let cp: ControlPlane;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const createNode = (name: string, pool: 'system' | 'spark') => createFakeNode(cp, name, pool);

const cordon = (name: string, on: boolean) => kubectlOk(cp, [on ? 'cordon' : 'uncordon', name]);

interface PodState {
  nodeName?: string;
  unschedulable?: string;
}

/** Waits until the scheduler has placed the pod, or said why it cannot. */
async function placement(namespace: string, name: string): Promise<PodState> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const pod = JSON.parse(kubectlOk(cp, ['get', 'pod', name, '-n', namespace, '-o', 'json']));
    if (pod.spec.nodeName) return { nodeName: pod.spec.nodeName };
    const cond = (pod.status.conditions ?? []).find(
      (c: { type: string; status: string }) => c.type === 'PodScheduled' && c.status === 'False',
    );
    if (cond?.reason === 'Unschedulable') return { unschedulable: cond.message };
    await sleep(250);
  }
  throw new Error(`pod ${namespace}/${name}: neither scheduled nor refused in 30 s`);
}

function createPod(namespace: string, pod: Record<string, unknown>): string {
  kubectlOk(cp, ['create', '-n', namespace, '-f', '-'], { input: JSON.stringify(pod) });
  return (pod.metadata as { name: string }).name;
}

function plainPod(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'registry.k8s.io/pause:3.10',
          resources: { requests: { cpu: '100m', memory: '70Mi' } },
        },
      ],
    },
  };
}

/** The importer's driver pod, exactly as its Job's template would make it (Job controller aside). */
function driverPod(name: string): Record<string, unknown> {
  const job = pipelineObjectsByStep({
    runId: RUN_ID,
    bucketName: 'zenml-spark-artifacts-test',
    region: 'eu-west-1',
    imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml:spark-0123abcd',
  }).steps.importer.find((o) => (o as { kind: string }).kind === 'Job') as {
    spec: { template: { metadata: Record<string, unknown>; spec: Record<string, unknown> } };
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...job.spec.template.metadata, name },
    spec: job.spec.template.spec,
  };
}

/** An executor pod as Spark builds it from the chart's pod template (container filled in). */
function executorPod(name: string): Record<string, unknown> {
  const { shared } = pipelineObjectsByStep({ runId: RUN_ID, bucketName: 'b-test', region: 'eu-west-1' });
  const configMap = shared[0] as { data: Record<string, string> };
  const template = parse(configMap.data['executor.yaml']);
  template.metadata.name = name;
  template.spec.containers[0].image = 'registry.k8s.io/pause:3.10';
  template.spec.containers[0].resources = {
    requests: { cpu: '1', memory: '4300Mi' },
    limits: { cpu: '1', memory: '4300Mi' },
  };
  return template;
}

beforeAll(() => {
  cp = controlPlane();
  applySparkRbac(cp);
  kubectlOk(cp, ['create', 'namespace', TEST_NS]);
  createNode(SYSTEM_NODE, 'system');
  createNode(SPARK_NODE, 'spark');
});

afterAll(() => {
  kubectl(cp, ['delete', 'namespace', TEST_NS, '--wait=false']);
  kubectl(cp, [
    'delete',
    'pods',
    '-n',
    SPARK_NAMESPACE,
    '-l',
    `zenml-spark-eks/run-id=${RUN_ID}`,
    '--grace-period=0',
    '--force',
  ]);
  kubectl(cp, [
    'delete',
    'pods',
    '-n',
    SPARK_NAMESPACE,
    'placement-executor',
    '--ignore-not-found',
    '--grace-period=0',
    '--force',
  ]);
  kubectl(cp, ['delete', 'node', SYSTEM_NODE, SPARK_NODE, '--ignore-not-found']);
});

describe('placement on the two pools, decided by the real kube-scheduler', () => {
  test('a pod without the Spark toleration goes to the system node', async () => {
    const name = createPod(TEST_NS, plainPod('system-pod'));
    expect(await placement(TEST_NS, name)).toEqual({ nodeName: SYSTEM_NODE });
  });

  test('with the system node cordoned, it stays Pending rather than land on the Spark node: the taint', async () => {
    cordon(SYSTEM_NODE, true);
    try {
      const name = createPod(TEST_NS, plainPod('system-pod-2'));
      const state = await placement(TEST_NS, name);
      expect(state.nodeName).toBeUndefined();
      expect(state.unschedulable).toMatch(
        /untolerated taint\(s\)|had untolerated taint \{zenml-spark-eks\/pool: spark\}/,
      );
    } finally {
      cordon(SYSTEM_NODE, false);
    }
  });

  test('a Spark driver pod from the Job chart goes to the Spark node, not the schedulable system node', async () => {
    const name = createPod(SPARK_NAMESPACE, driverPod(`spark-${RUN_ID}-importer-driver-a`));
    expect(await placement(SPARK_NAMESPACE, name)).toEqual({ nodeName: SPARK_NODE });
  });

  test('with the Spark node cordoned, a driver stays Pending rather than land on the system node: the selector', async () => {
    cordon(SPARK_NODE, true);
    try {
      const name = createPod(SPARK_NAMESPACE, driverPod(`spark-${RUN_ID}-importer-driver-b`));
      const state = await placement(SPARK_NAMESPACE, name);
      expect(state.nodeName).toBeUndefined();
      expect(state.unschedulable).toMatch(/didn't match Pod's node affinity\/selector/);
    } finally {
      cordon(SPARK_NODE, false);
    }
  });

  test("an executor pod made from the chart's pod template goes to the Spark node too", async () => {
    const name = createPod(SPARK_NAMESPACE, executorPod('placement-executor'));
    expect(await placement(SPARK_NAMESPACE, name)).toEqual({ nodeName: SPARK_NODE });
  });
});
