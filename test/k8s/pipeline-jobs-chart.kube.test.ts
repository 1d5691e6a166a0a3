/**
 * The pipeline's step Jobs on a real API server: the review copy with PLACEHOLDER-* values is
 * refused as a whole (nothing of it is created), a rendered step applies, the Job controller
 * creates its driver pod, and that pod passes the namespace's Pod Security admission with no
 * `restricted` audit violation.
 */

import { App } from 'cdk8s';
import { pipelineChartProps, pipelineObjectsByStep, toYaml } from '../../k8s/manifests';
import { PipelineJobsChart } from '../../k8s/pipeline-jobs-chart';
import { SPARK_NAMESPACE } from '../../lib/settings/names';
import { PIPELINE_STEPS } from '../../lib/settings/pipeline';
import {
  auditEvents,
  type ControlPlane,
  controlPlane,
  kubectl,
  kubectlOk,
} from '../../scripts/verify/kube/cluster';
import { applySparkRbac } from './kube-fixtures';

let cp: ControlPlane;
const RUN_ID = 'kube-test-1';
const VALUES = {
  runId: RUN_ID,
  bucketName: 'zenml-spark-artifacts-test',
  region: 'eu-west-1',
  imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml:spark-0123abcd',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  cp = controlPlane();
  applySparkRbac(cp);
});

afterAll(() => {
  kubectl(cp, [
    'delete',
    'jobs,services,configmaps',
    '-n',
    SPARK_NAMESPACE,
    '-l',
    `zenml-spark-eks/run-id=${RUN_ID}`,
  ]);
  kubectl(cp, [
    'delete',
    'configmap',
    '-n',
    SPARK_NAMESPACE,
    `spark-${RUN_ID}-executor-template`,
    '--ignore-not-found',
  ]);
});

describe('pipeline Jobs on a real API server', () => {
  test('GIVEN the unrendered review copy (PLACEHOLDER-* values) WHEN applied THEN every object is refused and nothing is created', () => {
    const objects = new PipelineJobsChart(
      new App(),
      'pipeline-jobs',
      pipelineChartProps(),
    ).toJson() as object[];
    const r = kubectl(cp, ['apply', '-n', SPARK_NAMESPACE, '-f', '-'], { input: toYaml(objects) });
    expect(r.code).not.toBe(0);
    const refused = r.stderr.split('\n').filter((l) => /is invalid|Invalid value/.test(l));
    expect(refused.length).toBeGreaterThanOrEqual(objects.length);
    const created = kubectlOk(cp, ['get', 'jobs,services,configmaps', '-n', SPARK_NAMESPACE, '-o', 'name']);
    expect(created.split('\n').filter((l) => /placeholder/i.test(l))).toEqual([]);
    expect(created).not.toMatch(/executor-template/);
  });

  test('GIVEN rendered values WHEN every step is applied THEN each Job gets a driver pod, admitted with no restricted violation', async () => {
    const since = new Date().toISOString();
    const { shared, steps } = pipelineObjectsByStep(VALUES);
    const all = [...shared, ...PIPELINE_STEPS.flatMap((s) => steps[s])];
    kubectlOk(cp, ['apply', '-n', SPARK_NAMESPACE, '-f', '-'], { input: toYaml(all) });

    const deadline = Date.now() + 60_000;
    let pods: Array<{ metadata: { name: string; labels: Record<string, string> } }> = [];
    while (Date.now() < deadline) {
      pods = JSON.parse(
        kubectlOk(cp, [
          'get',
          'pods',
          '-n',
          SPARK_NAMESPACE,
          '-l',
          `zenml-spark-eks/run-id=${RUN_ID}`,
          '-o',
          'json',
        ]),
      ).items;
      if (pods.length >= PIPELINE_STEPS.length) break;
      await sleep(500);
    }
    expect(pods.map((p) => p.metadata.labels['zenml-spark-eks/step']).sort()).toEqual(
      [...PIPELINE_STEPS].sort(),
    );

    const podCreates = auditEvents(cp).filter(
      (e) =>
        e.requestReceivedTimestamp >= since &&
        e.verb === 'create' &&
        e.objectRef?.resource === 'pods' &&
        e.objectRef.namespace === SPARK_NAMESPACE &&
        (e.responseStatus?.code ?? 0) === 201,
    );
    expect(podCreates.length).toBeGreaterThanOrEqual(PIPELINE_STEPS.length);
    for (const e of podCreates) {
      expect(e.user.username).toBe('system:serviceaccount:kube-system:job-controller');
      expect(e.annotations?.['pod-security.kubernetes.io/audit-violations']).toBeUndefined();
    }
  });
});
