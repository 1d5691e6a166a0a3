/**
 * run-pipeline's reading of a Pending step against a real API server: a step Job whose driver pod
 * finds no Spark node (none exists), and the events Cluster Autoscaler writes on such a pod, made
 * the way it makes them (client-go's record package: a core/v1 Event named <pod>.<hex time>,
 * source and reporting controller `cluster-autoscaler`, first/last timestamps, count; its message
 * formats from the autoscaler's EventingScaleUpStatusProcessor), created by the autoscaler's own
 * service account with the RBAC the stack applies. What only a real autoscaler shows: that it
 * decides to scale up at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipelineObjectsByStep, toYaml } from '../../../../k8s/manifests';
import { stepObjectName } from '../../../../k8s/pipeline-jobs-chart';
import { CLUSTER_AUTOSCALER, SPARK_NAMESPACE } from '../../../../lib/settings/names';
import { diagnose, pendingReason } from '../../../../scripts/operate/pipeline/diagnosis';
import {
  type ControlPlane,
  controlPlane,
  kubectl,
  kubectlOk,
  serviceAccountUser,
} from '../../../../scripts/verify/kube/cluster';
import { applyServerSide, applySparkRbac, defaultStackManifests } from '../../../k8s/kube-fixtures';

const RUN_ID = 'diagnosis-1';
const JOB = stepObjectName(RUN_ID, 'importer');
let cp: ControlPlane;
let autoscalerObjects: object[] = [];
let work: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An event as client-go's EventRecorder of the autoscaler creates it (reason, message, when). */
function autoscalerEvent(
  pod: { name: string; uid: string },
  reason: string,
  message: string,
  at: Date,
): object {
  const t = at.toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${pod.name}.${(BigInt(at.getTime()) * 1_000_000n).toString(16)}`,
      namespace: SPARK_NAMESPACE,
    },
    involvedObject: {
      kind: 'Pod',
      namespace: SPARK_NAMESPACE,
      name: pod.name,
      uid: pod.uid,
      apiVersion: 'v1',
    },
    reason,
    message,
    source: { component: 'cluster-autoscaler' },
    reportingComponent: 'cluster-autoscaler',
    reportingInstance: '',
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
    type: 'Normal',
  };
}

beforeAll(() => {
  cp = controlPlane();
  work = mkdtempSync(join(tmpdir(), 'diagnosis-'));
  applySparkRbac(cp);
  const autoscaler = defaultStackManifests().find((m) =>
    m.objects.some(
      (o) =>
        o.kind === 'Deployment' && (o.metadata as { name: string }).name === CLUSTER_AUTOSCALER.deployment,
    ),
  );
  if (!autoscaler) throw new Error('no deploy-time manifest holds the cluster autoscaler');
  autoscalerObjects = autoscaler.objects;
  applyServerSide(cp, autoscalerObjects);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  kubectl(cp, [
    'delete',
    'jobs,configmaps,services',
    '-n',
    SPARK_NAMESPACE,
    '-l',
    `zenml-spark-eks/run-id=${RUN_ID}`,
  ]);
  kubectl(cp, [
    'delete',
    'configmap',
    `spark-${RUN_ID}-executor-template`,
    '-n',
    SPARK_NAMESPACE,
    '--ignore-not-found',
  ]);
  kubectl(cp, ['delete', '-f', '-', '--ignore-not-found', '--wait=false'], {
    input: autoscalerObjects.map((o) => JSON.stringify(o)).join('\n'),
  });
});

test('a step Pending for a Spark node: the scheduler says why, then the autoscaler events as it writes them', async () => {
  const { shared, steps } = pipelineObjectsByStep({
    runId: RUN_ID,
    bucketName: 'zenml-spark-artifacts-test',
    region: 'eu-west-1',
    imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml:spark-0123abcd',
  });
  kubectlOk(cp, ['apply', '-n', SPARK_NAMESPACE, '-f', '-'], {
    input: toYaml([...shared, ...steps.importer]),
  });
  // HOME: kubectl keeps its discovery cache under $HOME/.kube; never in the working directory.
  const k = { path: cp.kubectl, env: { PATH: process.env.PATH, HOME: work, KUBECONFIG: cp.kubeconfig } };

  // The real scheduler marks the driver pod Unschedulable: no node of the Spark pool exists.
  let reason = '';
  const deadline = Date.now() + 60_000;
  while (!reason.startsWith('not scheduled') && Date.now() < deadline) {
    const d = await diagnose(k, SPARK_NAMESPACE, JOB);
    reason = pendingReason(d.pod, d.events);
    if (!reason.startsWith('not scheduled')) await sleep(300);
  }
  expect(reason).toMatch(/^not scheduled: (0\/\d+ nodes are available|no nodes available)/);

  const { pod } = await diagnose(k, SPARK_NAMESPACE, JOB);
  const ref = JSON.parse(
    kubectlOk(cp, ['get', 'pod', pod?.metadata.name as string, '-n', SPARK_NAMESPACE, '-o', 'json']),
  ).metadata as { name: string; uid: string };
  const as = serviceAccountUser(CLUSTER_AUTOSCALER.namespace, CLUSTER_AUTOSCALER.serviceAccount);
  const t0 = new Date();
  kubectlOk(cp, ['create', '-f', '-'], {
    as,
    input: JSON.stringify(
      autoscalerEvent(
        ref,
        'NotTriggerScaleUp',
        "pod didn't trigger scale-up: 1 max node group size reached",
        t0,
      ),
    ),
  });
  let d = await diagnose(k, SPARK_NAMESPACE, JOB);
  expect(pendingReason(d.pod, d.events)).toBe(
    "not scheduled, and the cluster autoscaler adds no node for it: pod didn't trigger scale-up: 1 max node group size reached",
  );

  kubectlOk(cp, ['create', '-f', '-'], {
    as,
    input: JSON.stringify(
      autoscalerEvent(
        ref,
        'TriggeredScaleUp',
        'pod triggered scale-up: [{eks-zenml-spark-spark-0123 0->1 (max: 4)}]',
        new Date(t0.getTime() + 2000),
      ),
    ),
  });
  d = await diagnose(k, SPARK_NAMESPACE, JOB);
  expect(pendingReason(d.pod, d.events)).toBe(
    'waiting for a new node (cluster autoscaler: pod triggered scale-up: [{eks-zenml-spark-spark-0123 0->1 (max: 4)}])',
  );
});
