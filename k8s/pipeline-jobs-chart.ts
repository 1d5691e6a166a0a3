/**
 * One Kubernetes Job per pipeline step (importer, statistics, splitter, transformer, trainer) for
 * one run. Not applied at deploy: scripts/operate/run-pipeline.ts applies the steps one after another.
 *
 * Why client mode: `spark-submit --deploy-mode cluster` exits 0 even when the driver fails
 * (SPARK-26365), so a cluster-mode launcher Job would report success for a failed step. Here the
 * Job's pod IS the driver (`--deploy-mode client`): the Python program runs in it, and its exit
 * code is spark-submit's, so a failed step fails the pod and the Job. Executors reach the driver
 * through a headless Service per step (`spark.driver.host`), created with the Job.
 *
 * Per step the chart emits a headless Service and a Job; shared by all steps, a ConfigMap with the
 * executor pod template (security context, writable scratch dirs). Pod sizes come from
 * k8s/spark-sizing.ts and are checked to fit on one node.
 *
 * Placement (lib/settings/scheduling.ts): driver and executor pods tolerate the Spark pool's taint
 * and select its nodes, so they run on the Spark pool only (and the cluster autoscaler adds a
 * Spark node for them when none is free); they carry safe-to-evict=false, so the autoscaler never
 * removes a node while a step runs on it.
 */
import { ApiObject, Chart, type ChartProps, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { PART_OF_LABEL, SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT } from '../lib/settings/names';
import { DEFAULT_NODE_INSTANCE_TYPE } from '../lib/settings/node-shapes';
import { PIPELINE_STEPS, type PipelineStep, RUN_ID_PATTERN } from '../lib/settings/pipeline';
import { sparkPodPlacement } from '../lib/settings/scheduling';
import {
  DEFAULT_EVENT_LOG_PREFIX,
  eventLogConf,
  eventLogDir,
  eventLogPrefixProblem,
  SPARK_APP_ID_FROM_POD_NAME,
} from '../lib/settings/spark-history';
import { isPlaceholder } from './placeholders';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './pod-security';
import {
  fitOnOneNode,
  memoryOverheadMiB,
  STEP_RESOURCES,
  type StepResources,
  stepPods,
} from './spark-sizing';

export const LABELS = {
  name: 'app.kubernetes.io/name',
  component: 'app.kubernetes.io/component',
  runId: 'zenml-spark-eks/run-id',
  step: 'zenml-spark-eks/step',
} as const;
export const APP_NAME = 'zenml-spark-pipeline';

/** The apache/spark images' `spark` user and group. */
export const SPARK_UID = 185;

const DRIVER_PORT = 7078;
const BLOCK_MANAGER_PORT = 7079;
const UI_PORT = 4040;
const EXECUTOR_TEMPLATE_DIR = '/opt/zenml-spark/pod-templates';
const EXECUTOR_TEMPLATE_FILE = 'executor.yaml';
/**
 * The executors' pod template ConfigMap of one run. Named per run (like the Jobs) so that an
 * unrendered manifest is refused as a whole: with a PLACEHOLDER run id every object's name is
 * invalid, and `kubectl apply -f` of the review copy in dist/ creates nothing at all.
 */
export function executorTemplateConfigMapName(runId: string): string {
  return `spark-${runId}-executor-template`;
}
/** Spark's executor container name; the pod template's container must carry it to be merged. */
export const EXECUTOR_CONTAINER = 'spark-kubernetes-executor';
/** Reads EKS Pod Identity credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI + token file); SDK v2 >= 2.21.30. */
export const S3A_CREDENTIALS_PROVIDER =
  'software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider';
export const SPARK_MASTER = 'k8s://https://kubernetes.default.svc';

export interface PipelineJobsChartProps extends ChartProps {
  /** Run id: 1-24 of a-z, 0-9 and '-', alphanumeric at both ends. */
  readonly runId: string;
  /** Image built from spark/Dockerfile, e.g. `<account>.dkr.ecr.<region>.amazonaws.com/zenml:spark-<hash>`. */
  readonly image: string;
  /** Artifact bucket; step outputs go to s3a://<bucket>/runs/<run-id>/<step>/. */
  readonly artifactBucket: string;
  /** Region of the bucket (S3A `fs.s3a.endpoint.region`). */
  readonly region: string;
  /** @default 'spark-namespace' */
  readonly namespaceName?: string;
  /** @default 'spark-service-account' */
  readonly serviceAccountName?: string;
  /** Node type every step must fit on, driver and executors together. @default 't3a.xlarge' */
  readonly nodeInstanceType?: string;
  /** Per-step pod sizes. @default STEP_RESOURCES */
  readonly stepResources?: Partial<Record<PipelineStep, StepResources>>;
  /** CSV the importer reads. @default the sample dataset inside the image */
  readonly inputUri?: string;
  /** The trainer fails (and so its Job) below this eval accuracy. @default 0 */
  readonly minAccuracy?: number;
  /** Limit on one step's runtime, retries included (Job activeDeadlineSeconds). @default 30 minutes */
  readonly stepDeadline?: Duration;
  /** How long a finished Job and its driver pod (with its log) stay. @default 1 day */
  readonly ttlAfterFinished?: Duration;
  /**
   * Key prefix of the event logs in the artifact bucket (the sparkEventLogPrefix setting): each
   * step's Spark application writes its event log to s3a://<bucket>/<prefix>.
   * @default DEFAULT_EVENT_LOG_PREFIX ('spark-events/')
   */
  readonly eventLogPrefix?: string;
}

export interface StepObjects {
  readonly job: kplus.Job;
  readonly service: kplus.k8s.KubeService;
}

export class PipelineJobsChart extends Chart {
  readonly runId: string;
  readonly steps: Readonly<Record<PipelineStep, StepObjects>>;
  readonly executorTemplate: kplus.ConfigMap;

  constructor(scope: Construct, id: string, props: PipelineJobsChartProps) {
    const namespaceName = props.namespaceName ?? SPARK_NAMESPACE;
    validateProps(props);
    super(scope, id, {
      ...props,
      namespace: namespaceName,
      labels: { ...PART_OF_LABEL, [LABELS.name]: APP_NAME, ...props.labels },
    });
    this.runId = props.runId;
    const instanceType = props.nodeInstanceType ?? DEFAULT_NODE_INSTANCE_TYPE;
    const resources = { ...STEP_RESOURCES, ...props.stepResources };
    for (const step of PIPELINE_STEPS) {
      const fit = fitOnOneNode(resources[step], instanceType);
      if (!fit.fits) {
        throw new Error(
          `stepResources.${step}: driver + ${fit.pods.executorInstances} executors need ` +
            `${fit.pods.total.cpuMillis}m CPU / ${fit.pods.total.memoryMiB}Mi, but one ${instanceType} leaves ` +
            `${fit.budget.forSpark.cpuMillis}m / ${fit.budget.forSpark.memoryMiB}Mi for Spark (see k8s/spark-sizing.ts)`,
        );
      }
    }

    this.executorTemplate = new kplus.ConfigMap(this, 'ExecutorPodTemplate', {
      metadata: { name: executorTemplateConfigMapName(props.runId) },
      data: { [EXECUTOR_TEMPLATE_FILE]: stringify(executorPodTemplate()) },
    });

    const steps = {} as Record<PipelineStep, StepObjects>;
    for (const step of PIPELINE_STEPS) {
      steps[step] = this.addStep(step, resources[step], { ...props, namespaceName });
    }
    this.steps = steps;
  }

  private addStep(
    step: PipelineStep,
    resources: StepResources,
    props: PipelineJobsChartProps & { namespaceName: string },
  ): StepObjects {
    const name = stepObjectName(props.runId, step);
    const serviceName = driverServiceName(props.runId, step);
    const selector = {
      [LABELS.component]: 'spark-driver',
      [LABELS.runId]: props.runId,
      [LABELS.step]: step,
    };
    const stepLabels = { [LABELS.runId]: props.runId, [LABELS.step]: step };

    // Executors connect back to the driver by this name. publishNotReadyAddresses: the driver pod
    // has no readiness probe, and its address must resolve as soon as it runs.
    const service = new kplus.k8s.KubeService(this, `${pascal(step)}DriverService`, {
      metadata: { name: serviceName, labels: { ...stepLabels, [LABELS.component]: 'spark-driver' } },
      spec: {
        clusterIp: 'None',
        publishNotReadyAddresses: true,
        selector,
        ports: [
          {
            name: 'driver-rpc',
            port: DRIVER_PORT,
            targetPort: kplus.k8s.IntOrString.fromNumber(DRIVER_PORT),
          },
          {
            name: 'blockmanager',
            port: BLOCK_MANAGER_PORT,
            targetPort: kplus.k8s.IntOrString.fromNumber(BLOCK_MANAGER_PORT),
          },
        ],
      },
    });

    const pods = stepPods(resources);
    const tmp = kplus.Volume.fromEmptyDir(this, `${pascal(step)}Tmp`, 'tmp', {
      sizeLimit: Size.gibibytes(4),
    });
    const workDir = kplus.Volume.fromEmptyDir(this, `${pascal(step)}WorkDir`, 'work-dir', {
      sizeLimit: Size.gibibytes(1),
    });
    const templates = kplus.Volume.fromConfigMap(this, `${pascal(step)}Templates`, this.executorTemplate, {
      name: 'executor-pod-template',
    });

    const job = new kplus.Job(this, `${pascal(step)}Job`, {
      metadata: { name, labels: stepLabels },
      backoffLimit: 1,
      activeDeadline: props.stepDeadline ?? Duration.minutes(30),
      ttlAfterFinished: props.ttlAfterFinished ?? Duration.days(1),
      restartPolicy: kplus.RestartPolicy.NEVER,
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(
        this,
        `${pascal(step)}ServiceAccount`,
        props.serviceAccountName ?? SPARK_SERVICE_ACCOUNT,
      ),
      // The driver creates and watches executor pods through the API server.
      automountServiceAccountToken: true,
      securityContext: { ensureNonRoot: true, user: SPARK_UID, group: SPARK_UID, fsGroup: SPARK_UID },
      volumes: [tmp, workDir, templates],
      containers: [
        {
          name: 'driver',
          image: props.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          // tini reaps the JVM's and Python's children and forwards SIGTERM on Job deletion.
          command: ['/usr/bin/tini', '-s', '--', '/opt/spark/bin/spark-submit'],
          args: sparkSubmitArgs(step, resources, props, serviceName),
          envVariables: {
            SPARK_DRIVER_POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
            SPARK_DRIVER_POD_IP: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP),
          },
          ports: [
            { name: 'driver-rpc', number: DRIVER_PORT },
            { name: 'blockmanager', number: BLOCK_MANAGER_PORT },
            { name: 'spark-ui', number: UI_PORT },
          ],
          resources: {
            cpu: {
              request: kplus.Cpu.millis(pods.driver.cpuMillis),
              limit: kplus.Cpu.millis(pods.driver.cpuMillis),
            },
            memory: {
              request: Size.mebibytes(pods.driver.memoryMiB),
              limit: Size.mebibytes(pods.driver.memoryMiB),
            },
          },
          securityContext: {
            ensureNonRoot: true,
            user: SPARK_UID,
            group: SPARK_UID,
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: [kplus.Capability.ALL] },
            seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
          },
          volumeMounts: [
            { path: '/tmp', volume: tmp },
            { path: '/opt/spark/work-dir', volume: workDir },
            { path: EXECUTOR_TEMPLATE_DIR, volume: templates, readOnly: true },
          ],
        },
      ],
    });
    job.podMetadata.addLabel(LABELS.name, APP_NAME);
    for (const [key, value] of Object.entries(PART_OF_LABEL)) job.podMetadata.addLabel(key, value);
    for (const [key, value] of Object.entries(selector)) job.podMetadata.addLabel(key, value);
    const placement = sparkPodPlacement();
    for (const [key, value] of Object.entries(placement.annotations))
      job.podMetadata.addAnnotation(key, value);
    const jobObject = ApiObject.of(job);
    // cdk8s-plus has no pod-level seccomp or podFailurePolicy: patched in.
    jobObject.addJsonPatch(
      // The Spark pool only: its nodes' taint tolerated, its label selected (cdk8s-plus would write affinity).
      JsonPatch.add('/spec/template/spec/nodeSelector', { ...placement.nodeSelector }),
      JsonPatch.add(
        '/spec/template/spec/tolerations',
        placement.tolerations.map((t) => ({ ...t })),
      ),
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      // Exit 1 is the step program failing (bad input, quality gate): a retry cannot help, fail now.
      // A pod lost to a node drain or preemption is retried without using up backoffLimit.
      JsonPatch.add('/spec/podFailurePolicy', {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'driver', operator: 'In', values: [1] } },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        ],
      }),
    );
    job.node.addDependency(service);
    return { job, service };
  }
}

export function stepObjectName(runId: string, step: PipelineStep): string {
  return `spark-${runId}-${step}`;
}

export function driverServiceName(runId: string, step: PipelineStep): string {
  return `${stepObjectName(runId, step)}-driver`;
}

function sparkSubmitArgs(
  step: PipelineStep,
  r: StepResources,
  props: PipelineJobsChartProps & { namespaceName: string },
  serviceName: string,
): string[] {
  const serviceAccount = props.serviceAccountName ?? SPARK_SERVICE_ACCOUNT;
  const conf: Record<string, string | number> = {
    'spark.kubernetes.namespace': props.namespaceName,
    'spark.kubernetes.authenticate.driver.serviceAccountName': serviceAccount,
    // Executors need the service account for Pod Identity (S3), not its API token (see template).
    'spark.kubernetes.authenticate.executor.serviceAccountName': serviceAccount,
    'spark.kubernetes.container.image': props.image,
    'spark.kubernetes.container.image.pullPolicy': 'IfNotPresent',
    // Executor pods get an owner reference to this pod, so deleting the Job deletes them too.
    'spark.kubernetes.driver.pod.name': '$(SPARK_DRIVER_POD_NAME)',
    'spark.driver.host': `${serviceName}.${props.namespaceName}.svc`,
    // Bind to the pod IP: the Service's DNS record may not exist yet when the driver starts.
    'spark.driver.bindAddress': '$(SPARK_DRIVER_POD_IP)',
    'spark.driver.port': DRIVER_PORT,
    'spark.driver.blockManager.port': BLOCK_MANAGER_PORT,
    'spark.kubernetes.executor.podNamePrefix': stepObjectName(props.runId, step),
    'spark.kubernetes.executor.podTemplateFile': `${EXECUTOR_TEMPLATE_DIR}/${EXECUTOR_TEMPLATE_FILE}`,
    'spark.kubernetes.executor.podTemplateContainerName': EXECUTOR_CONTAINER,
    [`spark.kubernetes.executor.label.${LABELS.name}`]: APP_NAME,
    [`spark.kubernetes.executor.label.${LABELS.runId}`]: props.runId,
    [`spark.kubernetes.executor.label.${LABELS.step}`]: step,
    'spark.executor.instances': r.executorInstances,
    'spark.executor.cores': r.executorCores,
    'spark.kubernetes.executor.request.cores': r.executorCores,
    'spark.kubernetes.executor.limit.cores': r.executorCores,
    'spark.executor.memory': `${r.executorMemoryMiB}m`,
    // Explicit, so client mode gets PySpark's 0.4 factor too (see k8s/spark-sizing.ts).
    'spark.executor.memoryOverhead': `${memoryOverheadMiB(r.executorMemoryMiB)}m`,
    // Keyless S3: EKS Pod Identity injects container-credential variables into every pod of the
    // service account; the SDK v2 ContainerCredentialsProvider reads them. No fallback to the
    // node's instance role.
    'spark.hadoop.fs.s3a.aws.credentials.provider': S3A_CREDENTIALS_PROVIDER,
    'spark.hadoop.fs.s3a.endpoint.region': props.region,
    // Event logs for the history server, through the same role and S3A path as the step's data.
    ...eventLogConf(eventLogDir(props.artifactBucket, props.eventLogPrefix ?? DEFAULT_EVENT_LOG_PREFIX)),
    // The driver pod's name (Kubernetes expands it): unique per attempt (lib/settings/spark-history.ts).
    'spark.app.id': SPARK_APP_ID_FROM_POD_NAME,
  };
  const stepArgs = ['--artifact-root', `s3a://${props.artifactBucket}`, '--run-id', props.runId];
  if (step === 'importer' && props.inputUri) stepArgs.push('--input', props.inputUri);
  if (step === 'trainer' && props.minAccuracy !== undefined)
    stepArgs.push('--min-accuracy', String(props.minAccuracy));
  return [
    '--master',
    SPARK_MASTER,
    '--deploy-mode',
    'client',
    '--name',
    stepObjectName(props.runId, step),
    // Client mode: the driver JVM starts with spark-submit, so its heap is a command-line flag.
    '--driver-memory',
    `${r.driverMemoryMiB}m`,
    ...Object.entries(conf).flatMap(([key, value]) => ['--conf', `${key}=${value}`]),
    '/opt/zenml-spark/run_step.py',
    step,
    ...stepArgs,
  ];
}

/** The executors' pod template: Spark merges it into every executor pod it creates. */
export function executorPodTemplate(): Record<string, unknown> {
  const restricted = restrictedContainerSecurityContext(SPARK_UID);
  const placement = sparkPodPlacement();
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      labels: { ...PART_OF_LABEL, [LABELS.component]: 'spark-executor' },
      annotations: { ...placement.annotations },
    },
    spec: {
      // The Spark pool only, like the driver (lib/settings/scheduling.ts).
      nodeSelector: { ...placement.nodeSelector },
      tolerations: placement.tolerations.map((t) => ({ ...t })),
      // Executors never call the API server. Pod Identity mounts its own projected token.
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurityContext(SPARK_UID),
      containers: [
        {
          name: EXECUTOR_CONTAINER,
          securityContext: restricted,
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
  };
}

function validateProps(props: PipelineJobsChartProps): void {
  // PLACEHOLDER-* values pass here: they are for review, and the API server rejects the names
  // they produce, so an unrendered manifest cannot be applied by mistake.
  const problems: string[] = [];
  if (!RUN_ID_PATTERN.test(props.runId) && !isPlaceholder(props.runId)) {
    problems.push(
      `runId='${props.runId}': 1-24 of a-z, 0-9 and '-', starting and ending with a letter or digit`,
    );
  }
  if (!props.image || /\s/.test(props.image))
    problems.push(`image='${props.image}': an image reference without spaces`);
  if (
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.artifactBucket) &&
    !isPlaceholder(props.artifactBucket)
  ) {
    problems.push(`artifactBucket='${props.artifactBucket}': an S3 bucket name (3-63 of a-z, 0-9, '.', '-')`);
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(props.region) && !isPlaceholder(props.region)) {
    problems.push(`region='${props.region}': an AWS region such as eu-west-1`);
  }
  const prefixProblem = eventLogPrefixProblem(props.eventLogPrefix ?? DEFAULT_EVENT_LOG_PREFIX);
  if (prefixProblem) problems.push(`eventLogPrefix='${props.eventLogPrefix}': ${prefixProblem}`);
  if (props.minAccuracy !== undefined && !(props.minAccuracy >= 0 && props.minAccuracy <= 1)) {
    problems.push(`minAccuracy=${props.minAccuracy}: a number from 0 to 1`);
  }
  if (problems.length > 0) throw new Error(`PipelineJobsChart: ${problems.join('; ')}`);
}

function pascal(step: string): string {
  return step.charAt(0).toUpperCase() + step.slice(1);
}
