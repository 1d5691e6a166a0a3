import { App, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  EXECUTOR_CONTAINER,
  executorPodTemplate,
  PipelineJobsChart,
  type PipelineJobsChartProps,
  S3A_CREDENTIALS_PROVIDER,
} from '../../k8s/pipeline-jobs-chart';
import { MIN_MEMORY_OVERHEAD_MIB, nodeBudget, PYSPARK_MEMORY_OVERHEAD_FACTOR } from '../../k8s/spark-sizing';
import { PIPELINE_STEPS } from '../../lib/settings/pipeline';
import { tempDir } from '../temp-dirs';

// biome-ignore lint/suspicious/noExplicitAny: manifests are plain JSON read back for assertions
type Obj = any;

const PROPS: PipelineJobsChartProps = {
  runId: 'run-42',
  image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml:spark-0123abcd',
  artifactBucket: 'zenml-spark-artifacts',
  region: 'eu-west-1',
};

function synth(props: Partial<PipelineJobsChartProps> = {}): Obj[] {
  return Testing.synth(
    new PipelineJobsChart(Testing.app({ outdir: tempDir('cdk8s-') }), 'pipeline-jobs', {
      ...PROPS,
      ...props,
    }),
  );
}

const jobs = (objects: Obj[]) => objects.filter((o) => o.kind === 'Job');
const jobOf = (objects: Obj[], step: string) =>
  jobs(objects).find((j) => j.metadata.labels['zenml-spark-eks/step'] === step);
const driverOf = (job: Obj) => job.spec.template.spec.containers[0];

/** `--conf k=v` pairs and the other flags of the driver's spark-submit command line. */
function submitArgs(job: Obj): {
  conf: Record<string, string>;
  flags: Record<string, string>;
  program: string[];
} {
  const args: string[] = driverOf(job).args;
  const conf: Record<string, string> = {};
  const flags: Record<string, string> = {};
  let i = 0;
  while (i < args.length && args[i].startsWith('--')) {
    if (args[i] === '--conf') {
      const [key, ...rest] = args[i + 1].split('=');
      conf[key] = rest.join('=');
    } else {
      flags[args[i]] = args[i + 1];
    }
    i += 2;
  }
  return { conf, flags, program: args.slice(i) };
}

function mebibytes(quantity: string): number {
  const m = /^(\d+)(Mi|Gi|m)?$/.exec(quantity);
  if (!m) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

function millicores(quantity: string | number): number {
  const s = String(quantity);
  return s.endsWith('m') ? Number(s.slice(0, -1)) : Number(s) * 1000;
}

describe('PipelineJobsChart', () => {
  test('one Job and one headless driver Service per step, in pipeline order, plus the executor template', () => {
    const objects = synth();
    expect(jobs(objects).map((j) => j.metadata.name)).toEqual(PIPELINE_STEPS.map((s) => `spark-run-42-${s}`));
    expect(objects.filter((o) => o.kind === 'Service').map((s) => s.metadata.name)).toEqual(
      PIPELINE_STEPS.map((s) => `spark-run-42-${s}-driver`),
    );
    expect(objects.filter((o) => o.kind === 'ConfigMap').map((c) => c.metadata.name)).toEqual([
      'spark-run-42-executor-template',
    ]);
    expect(objects.every((o) => o.metadata.namespace === 'spark-namespace')).toBe(true);
  });

  test.each(PIPELINE_STEPS)('%s Job: retries, deadline, TTL and failure policy', (step) => {
    const job = jobOf(synth(), step);
    expect(job.spec.backoffLimit).toBe(1);
    expect(job.spec.activeDeadlineSeconds).toBe(1800);
    expect(job.spec.ttlSecondsAfterFinished).toBe(86400);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.podFailurePolicy.rules).toEqual([
      { action: 'FailJob', onExitCodes: { containerName: 'driver', operator: 'In', values: [1] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
    ]);
  });

  test.each(PIPELINE_STEPS)('%s Job: labels with run id and step on the Job and its pod', (step) => {
    const job = jobOf(synth(), step);
    for (const labels of [job.metadata.labels, job.spec.template.metadata.labels]) {
      expect(labels).toEqual(
        expect.objectContaining({
          'zenml-spark-eks/run-id': 'run-42',
          'zenml-spark-eks/step': step,
          'app.kubernetes.io/part-of': 'zenml-spark-eks',
        }),
      );
    }
  });

  test.each(PIPELINE_STEPS)('%s Job: restrictive security context on pod and container', (step) => {
    const pod = jobOf(synth(), step).spec.template.spec;
    expect(pod.securityContext).toEqual(
      expect.objectContaining({
        runAsNonRoot: true,
        runAsUser: 185,
        seccompProfile: { type: 'RuntimeDefault' },
      }),
    );
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 185,
      runAsGroup: 185,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // Read-only root: Spark and Python scratch space comes from emptyDirs.
    expect(pod.containers[0].volumeMounts.map((m: Obj) => m.mountPath)).toEqual(
      expect.arrayContaining(['/tmp', '/opt/spark/work-dir']),
    );
  });

  test.each(PIPELINE_STEPS)(
    '%s Job: the driver runs as the spark service account with its token mounted',
    (step) => {
      const pod = jobOf(synth(), step).spec.template.spec;
      expect(pod.serviceAccountName).toBe('spark-service-account');
      expect(pod.automountServiceAccountToken).toBe(true);
    },
  );

  test.each(PIPELINE_STEPS)('%s Job: explicit resources, not the cdk8s-plus defaults', (step) => {
    const { resources } = driverOf(jobOf(synth(), step));
    expect(resources.requests).toEqual(resources.limits);
    expect(resources.requests).not.toEqual({ cpu: '1000m', memory: '512Mi' });
    expect(resources.limits).not.toEqual({ cpu: '1500m', memory: '2048Mi' });
  });

  test.each(PIPELINE_STEPS)(
    '%s Job: spark-submit in client mode against the in-cluster API server',
    (step) => {
      const job = jobOf(synth(), step);
      const { conf, flags, program } = submitArgs(job);
      expect(driverOf(job).command).toEqual(['/usr/bin/tini', '-s', '--', '/opt/spark/bin/spark-submit']);
      expect(flags['--master']).toBe('k8s://https://kubernetes.default.svc');
      // Client mode: the Job pod is the driver, so a failing step fails the Job (SPARK-26365).
      expect(flags['--deploy-mode']).toBe('client');
      expect(conf['spark.kubernetes.namespace']).toBe('spark-namespace');
      expect(conf['spark.kubernetes.authenticate.driver.serviceAccountName']).toBe('spark-service-account');
      expect(conf['spark.kubernetes.authenticate.executor.serviceAccountName']).toBe('spark-service-account');
      expect(conf['spark.kubernetes.container.image']).toBe(PROPS.image);
      expect(driverOf(job).image).toBe(PROPS.image);
      expect(conf['spark.kubernetes.driver.pod.name']).toBe('$(SPARK_DRIVER_POD_NAME)');
      expect(program).toEqual([
        '/opt/zenml-spark/run_step.py',
        step,
        '--artifact-root',
        's3a://zenml-spark-artifacts',
        '--run-id',
        'run-42',
      ]);
    },
  );

  test.each(PIPELINE_STEPS)('%s Job: S3A uses the Pod Identity container credentials, no keys', (step) => {
    const job = jobOf(synth(), step);
    const { conf } = submitArgs(job);
    expect(conf['spark.hadoop.fs.s3a.aws.credentials.provider']).toBe(S3A_CREDENTIALS_PROVIDER);
    expect(conf['spark.hadoop.fs.s3a.endpoint.region']).toBe('eu-west-1');
    expect(JSON.stringify(job)).not.toMatch(
      /access\.key|secret\.key|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/,
    );
  });

  test.each(PIPELINE_STEPS)('%s: executors reach the driver through its headless Service', (step) => {
    const objects = synth();
    const job = jobOf(objects, step);
    const { conf } = submitArgs(job);
    const service = objects.find(
      (o) => o.kind === 'Service' && o.metadata.labels['zenml-spark-eks/step'] === step,
    );
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.publishNotReadyAddresses).toBe(true);
    expect(conf['spark.driver.host']).toBe(`${service.metadata.name}.spark-namespace.svc`);
    // The selector picks exactly this step's driver pod.
    expect(job.spec.template.metadata.labels).toEqual(expect.objectContaining(service.spec.selector));
    expect(service.spec.selector['zenml-spark-eks/step']).toBe(step);
    const ports = service.spec.ports.map((p: Obj) => String(p.port));
    expect(ports).toEqual([conf['spark.driver.port'], conf['spark.driver.blockManager.port']]);
  });

  test('the executor pod template is restricted and has no API token', () => {
    const objects = synth();
    const configMap = objects.find((o) => o.kind === 'ConfigMap');
    const template = parse(configMap.data['executor.yaml']);
    const { conf } = submitArgs(jobOf(objects, 'trainer'));
    expect(conf['spark.kubernetes.executor.podTemplateFile']).toBe(
      '/opt/zenml-spark/pod-templates/executor.yaml',
    );
    expect(conf['spark.kubernetes.executor.podTemplateContainerName']).toBe(EXECUTOR_CONTAINER);
    expect(template.spec.automountServiceAccountToken).toBe(false);
    expect(template.spec.securityContext).toEqual(
      expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }),
    );
    const [container] = template.spec.containers;
    expect(container.name).toBe(EXECUTOR_CONTAINER);
    expect(container.securityContext).toEqual(
      expect.objectContaining({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      }),
    );
    // Every Job mounts the template where the conf points.
    for (const job of jobs(objects)) {
      const volume = job.spec.template.spec.volumes.find(
        (v: Obj) => v.configMap?.name === configMap.metadata.name,
      );
      const mount = driverOf(job).volumeMounts.find((m: Obj) => m.name === volume.name);
      expect(mount).toEqual(
        expect.objectContaining({ mountPath: '/opt/zenml-spark/pod-templates', readOnly: true }),
      );
    }
  });

  describe('placement: the Spark pool only, never evicted by the autoscaler', () => {
    const sparkToleration = {
      key: 'zenml-spark-eks/pool',
      operator: 'Equal',
      value: 'spark',
      effect: 'NoSchedule',
    };

    test.each(PIPELINE_STEPS)(
      '%s driver pod: tolerates the Spark taint, selects the Spark pool, safe-to-evict=false',
      (step) => {
        const pod = jobOf(synth(), step).spec.template;
        expect(pod.spec.tolerations).toEqual([sparkToleration]);
        expect(pod.spec.nodeSelector).toEqual({ 'zenml-spark-eks/pool': 'spark' });
        expect(pod.metadata.annotations).toEqual({
          'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
        });
        // The annotation is the pod's: on the Job itself it would mean nothing to the autoscaler.
        expect(jobOf(synth(), step).metadata.annotations).toBeUndefined();
      },
    );

    test('executor pod template: the same toleration, selector and annotation', () => {
      const cm = synth().find((o) => o.kind === 'ConfigMap');
      const template = parse(cm.data['executor.yaml']);
      expect(template.spec.tolerations).toEqual([sparkToleration]);
      expect(template.spec.nodeSelector).toEqual({ 'zenml-spark-eks/pool': 'spark' });
      expect(template.metadata.annotations).toEqual({
        'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
      });
    });

    test('every pod spec the chart emits carries the placement (none is missed)', () => {
      const podSpecs: Obj[] = [];
      for (const o of synth()) {
        if (o.kind === 'Job') podSpecs.push(o.spec.template);
        if (o.kind === 'ConfigMap') podSpecs.push(parse(o.data['executor.yaml']));
      }
      expect(podSpecs).toHaveLength(PIPELINE_STEPS.length + 1);
      for (const pod of podSpecs) {
        expect(pod.spec.tolerations).toEqual([sparkToleration]);
        expect(pod.spec.nodeSelector['zenml-spark-eks/pool']).toBe('spark');
        expect(pod.metadata.annotations['cluster-autoscaler.kubernetes.io/safe-to-evict']).toBe('false');
      }
    });
  });

  describe('sizing, computed from the rendered Jobs', () => {
    const budget = nodeBudget('t3a.xlarge');
    const sparkOverhead = (heapMiB: number) =>
      Math.max(MIN_MEMORY_OVERHEAD_MIB, Math.ceil(PYSPARK_MEMORY_OVERHEAD_FACTOR * heapMiB));

    test.each(PIPELINE_STEPS)(
      '%s: driver + executors fit on one t3a.xlarge after reservations and daemonsets',
      (step) => {
        const job = jobOf(synth(), step);
        const { conf, flags } = submitArgs(job);
        const driver = driverOf(job).resources.requests;
        const executorHeap = mebibytes(conf['spark.executor.memory']);
        const executorOverhead = mebibytes(conf['spark.executor.memoryOverhead']);
        // An explicit overhead must not be below what Spark itself gives a PySpark pod.
        expect(executorOverhead).toBeGreaterThanOrEqual(sparkOverhead(executorHeap));
        const driverHeap = mebibytes(flags['--driver-memory']);
        expect(mebibytes(driver.memory)).toBeGreaterThanOrEqual(driverHeap + sparkOverhead(driverHeap));
        const executors = Number(conf['spark.executor.instances']);
        const executorCpu = millicores(conf['spark.kubernetes.executor.request.cores']);
        expect(conf['spark.kubernetes.executor.limit.cores']).toBe(
          conf['spark.kubernetes.executor.request.cores'],
        );
        const cpu = millicores(driver.cpu) + executors * executorCpu;
        const memory = mebibytes(driver.memory) + executors * (executorHeap + executorOverhead);
        expect(cpu).toBeLessThanOrEqual(budget.forSpark.cpuMillis);
        expect(memory).toBeLessThanOrEqual(budget.forSpark.memoryMiB);
      },
    );

    test('a step that does not fit is refused at synth, naming the step', () => {
      expect(
        () =>
          new PipelineJobsChart(new App(), 'x', {
            ...PROPS,
            stepResources: {
              trainer: {
                driverCores: 1,
                driverMemoryMiB: 2048,
                executorInstances: 4,
                executorCores: 1,
                executorMemoryMiB: 3072,
              },
            },
          }),
      ).toThrow(/^stepResources.trainer: driver \+ 4 executors need 5000m CPU/);
    });
  });

  test('importer input and the trainer quality gate are passed to the programs', () => {
    const objects = synth({ inputUri: 's3a://zenml-spark-artifacts/input/data.csv', minAccuracy: 0.85 });
    expect(submitArgs(jobOf(objects, 'importer')).program.slice(-2)).toEqual([
      '--input',
      's3a://zenml-spark-artifacts/input/data.csv',
    ]);
    expect(submitArgs(jobOf(objects, 'trainer')).program.slice(-2)).toEqual(['--min-accuracy', '0.85']);
    expect(submitArgs(jobOf(objects, 'splitter')).program).not.toContain('--input');
  });

  test.each([
    ['runId', { runId: 'Run_1' }],
    ['runId', { runId: 'a-very-long-run-id-over-24-chars' }],
    ['artifactBucket', { artifactBucket: 'My Bucket' }],
    ['region', { region: 'europe' }],
    ['minAccuracy', { minAccuracy: 1.5 }],
  ])('rejects a bad %s with a message naming it', (prop, bad) => {
    expect(() => new PipelineJobsChart(new App(), 'x', { ...PROPS, ...bad })).toThrow(new RegExp(`${prop}=`));
  });

  describe('every field the steps rely on', () => {
    test('the driver Service: headless, its addresses published before ready, both driver ports', () => {
      const service = synth().find(
        (o) => o.kind === 'Service' && o.metadata.name === 'spark-run-42-trainer-driver',
      );
      expect(service.metadata.labels).toEqual(
        expect.objectContaining({
          'app.kubernetes.io/component': 'spark-driver',
          'zenml-spark-eks/run-id': 'run-42',
          'zenml-spark-eks/step': 'trainer',
        }),
      );
      expect(service.spec).toEqual({
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: {
          'app.kubernetes.io/component': 'spark-driver',
          'zenml-spark-eks/run-id': 'run-42',
          'zenml-spark-eks/step': 'trainer',
        },
        ports: [
          { name: 'driver-rpc', port: 7078, targetPort: 7078 },
          { name: 'blockmanager', port: 7079, targetPort: 7079 },
        ],
      });
    });

    test('the driver pod: its labels, scratch volumes, the template mount, ports and the downward-API variables', () => {
      const job = jobOf(synth(), 'splitter');
      expect(job.spec.template.metadata.labels).toEqual({
        // cdk8s-plus's selector label carries the construct path: stable PascalCase ids (STYLE.md).
        'cdk8s.io/metadata.addr': expect.stringMatching(/^pipeline-jobs-SplitterJob-[0-9a-f]{8}$/),
        'app.kubernetes.io/name': 'zenml-spark-pipeline',
        'app.kubernetes.io/part-of': 'zenml-spark-eks',
        'app.kubernetes.io/component': 'spark-driver',
        'zenml-spark-eks/run-id': 'run-42',
        'zenml-spark-eks/step': 'splitter',
      });
      const pod = job.spec.template.spec;
      expect(pod.volumes).toEqual([
        { name: 'tmp', emptyDir: { sizeLimit: '4096Mi' } },
        { name: 'work-dir', emptyDir: { sizeLimit: '1024Mi' } },
        { name: 'executor-pod-template', configMap: { name: 'spark-run-42-executor-template' } },
      ]);
      const driver = driverOf(job);
      expect(driver.name).toBe('driver');
      expect(driver.imagePullPolicy).toBe('IfNotPresent');
      expect(driver.volumeMounts).toEqual([
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'work-dir', mountPath: '/opt/spark/work-dir' },
        { name: 'executor-pod-template', mountPath: '/opt/zenml-spark/pod-templates', readOnly: true },
      ]);
      expect(driver.ports).toEqual([
        { name: 'driver-rpc', containerPort: 7078 },
        { name: 'blockmanager', containerPort: 7079 },
        { name: 'spark-ui', containerPort: 4040 },
      ]);
      expect(driver.env).toEqual([
        { name: 'SPARK_DRIVER_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'SPARK_DRIVER_POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      ]);
    });

    test('spark-submit: the image pull policy, the bind address, the executor pods named and labelled per run and step', () => {
      const { conf } = submitArgs(jobOf(synth(), 'transformer'));
      expect(conf).toMatchObject({
        'spark.kubernetes.container.image.pullPolicy': 'IfNotPresent',
        'spark.driver.bindAddress': '$(SPARK_DRIVER_POD_IP)',
        'spark.driver.port': '7078',
        'spark.driver.blockManager.port': '7079',
        'spark.kubernetes.executor.podNamePrefix': 'spark-run-42-transformer',
        'spark.kubernetes.executor.label.app.kubernetes.io/name': 'zenml-spark-pipeline',
        'spark.kubernetes.executor.label.zenml-spark-eks/run-id': 'run-42',
        'spark.kubernetes.executor.label.zenml-spark-eks/step': 'transformer',
      });
    });

    test('the executor pod template, whole: Spark pool placement, restricted, no API token, the same scratch dirs', () => {
      expect(executorPodTemplate()).toEqual({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          labels: {
            'app.kubernetes.io/part-of': 'zenml-spark-eks',
            'app.kubernetes.io/component': 'spark-executor',
          },
          annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' },
        },
        spec: {
          nodeSelector: { 'zenml-spark-eks/pool': 'spark' },
          tolerations: [
            { key: 'zenml-spark-eks/pool', operator: 'Equal', value: 'spark', effect: 'NoSchedule' },
          ],
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 185,
            runAsGroup: 185,
            fsGroup: 185,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'spark-kubernetes-executor',
              securityContext: {
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: 185,
                runAsGroup: 185,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'work-dir', mountPath: '/opt/spark/work-dir' },
              ],
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: '4Gi' } },
            { name: 'work-dir', emptyDir: { sizeLimit: '1Gi' } },
          ],
        },
      });
    });

    test("the chart hands back each step's Job and Service", () => {
      const chart = new PipelineJobsChart(new App(), 'x', PROPS);
      expect(PIPELINE_STEPS.map((s) => [chart.steps[s].job.name, chart.steps[s].service.name])).toEqual(
        PIPELINE_STEPS.map((s) => [`spark-run-42-${s}`, `spark-run-42-${s}-driver`]),
      );
    });
  });

  test('a step that does not fit: the message gives what it needs and what one node leaves', () => {
    const budget = nodeBudget('t3a.xlarge').forSpark;
    expect(
      () =>
        new PipelineJobsChart(new App(), 'x', {
          ...PROPS,
          stepResources: {
            trainer: {
              driverCores: 1,
              driverMemoryMiB: 2048,
              executorInstances: 4,
              executorCores: 1,
              executorMemoryMiB: 3072,
            },
          },
        }),
    ).toThrow(
      new RegExp(
        `^stepResources\\.trainer: driver \\+ 4 executors need 5000m CPU / \\d+Mi, but one t3a\\.xlarge leaves ${budget.cpuMillis}m / ${budget.memoryMiB}Mi for Spark \\(see k8s/spark-sizing\\.ts\\)$`,
      ),
    );
  });

  test.each([
    ['an empty image', { image: '' }, "image='': an image reference without spaces"],
    [
      'an image with a space',
      { image: 'repo/img :tag' },
      "image='repo/img :tag': an image reference without spaces",
    ],
    ['a bucket of two characters', { artifactBucket: 'ab' }, "artifactBucket='ab'"],
    [
      'a bucket ending in an invalid character',
      { artifactBucket: 'my-bucket_' },
      "artifactBucket='my-bucket_'",
    ],
    ['a region with a prefix', { region: '1eu-west-1' }, "region='1eu-west-1'"],
    ['a region with a suffix', { region: 'eu-west-1x' }, "region='eu-west-1x'"],
    ['an accuracy under 0', { minAccuracy: -0.01 }, 'minAccuracy=-0.01: a number from 0 to 1'],
  ])('rejects %s', (_what, bad, message) => {
    expect(() => new PipelineJobsChart(new App(), 'x', { ...PROPS, ...bad })).toThrow(message);
  });

  test('accepts the boundaries: a three-character bucket, a region of three parts, accuracy 0 and 1', () => {
    for (const ok of [
      { artifactBucket: 'abc' },
      { region: 'us-gov-west-1' },
      { minAccuracy: 0 },
      { minAccuracy: 1 },
    ]) {
      expect(() => new PipelineJobsChart(new App(), 'x', { ...PROPS, ...ok })).not.toThrow();
    }
  });

  test('every problem in one message, separated by semicolons', () => {
    expect(
      () => new PipelineJobsChart(new App(), 'x', { ...PROPS, region: 'europe', minAccuracy: 2 }),
    ).toThrow(
      "PipelineJobsChart: region='europe': an AWS region such as eu-west-1; minAccuracy=2: a number from 0 to 1",
    );
  });
});
