/**
 * The Spark History Server on the cluster: Spark's own `org.apache.spark.deploy.history.HistoryServer`
 * from the project's Spark image (the `steps` target of spark/Dockerfile: the same Spark version
 * and the same S3A jars as the steps), reading the event logs every Spark application writes under
 * `s3a://<artifact bucket>/<sparkEventLogPrefix>` (lib/settings/spark-history.ts).
 *
 * - Its own namespace (`spark-history`) under the `restricted` Pod Security profile; one replica on
 *   the always-on system pool (no Spark toleration: it is not a Spark pod and must not keep a
 *   Spark node up); requests and limits from lib/settings/sizing.ts, where the system pool's
 *   budget counts it.
 * - S3 through EKS Pod Identity (the stack associates the service account with its own role:
 *   read, list and clean the event-log prefix only), with the AWS SDK v2 ContainerCredentialsProvider,
 *   as the step Jobs do; no key anywhere.
 * - The cleaner on (lib/settings/spark-history.ts HISTORY_CLEANER), the bucket's lifecycle rule as
 *   the backstop.
 * - Private: a ClusterIP Service only; `npm run spark-ui` port-forwards to it.
 *
 * Spark refuses to start a history server whose log directory does not exist, and on S3 a fresh
 * prefix does not exist until something is under it: an init container creates the directory
 * marker first (Hadoop's FsShell `-mkdir -p` through S3A; idempotent), so the server comes up on a
 * fresh deploy instead of crash-looping until the first step has run.
 *
 * The image is `<ECR repository>:spark-history-server`, a tag scripts/operate/build-spark-image.sh
 * moves to each `steps` image it builds, because the stack deploys before any image exists and
 * cannot know the content tag. Until the first build the pod waits in ImagePullBackOff (retried by
 * the kubelet, no harm to the deploy); `imagePullPolicy: Always` so a restart picks up a newer build.
 */
import { Chart, type ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import type { Construct } from 'constructs';
import { PART_OF_LABEL } from '../lib/settings/names';
import { SYSTEM_NODE_SELECTOR } from '../lib/settings/scheduling';
import { SPARK_HISTORY_SERVER_POD } from '../lib/settings/sizing';
import {
  DEFAULT_EVENT_LOG_PREFIX,
  eventLogDir,
  historyServerConf,
  SPARK_HISTORY_NAMESPACE,
  SPARK_HISTORY_PORT,
  SPARK_HISTORY_SERVICE,
  SPARK_HISTORY_SERVICE_ACCOUNT,
} from '../lib/settings/spark-history';
import { S3A_CREDENTIALS_PROVIDER, SPARK_UID } from './pipeline-jobs-chart';
import {
  POD_SECURITY_LABELS,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from './pod-security';

/** The mutable ECR tag build-spark-image.sh points at its latest `steps` image. */
export const SPARK_HISTORY_IMAGE_TAG = 'spark-history-server';
export const HISTORY_SERVER_CLASS = 'org.apache.spark.deploy.history.HistoryServer';
export const HISTORY_LABELS = { 'app.kubernetes.io/name': SPARK_HISTORY_SERVICE } as const;
/** An empty core-site.xml: Hadoop's FsShell refuses to start without one on its classpath. */
export const HADOOP_CONF_MAP = 'spark-history-hadoop-conf';
const HADOOP_CONF_DIR = '/etc/hadoop-conf';

export interface SparkHistoryServerChartProps extends ChartProps {
  /** ECR repository URI of the Spark image, without a tag (the stack's EcrRepositoryUri). */
  readonly repositoryUri: string;
  /** The artifact bucket the event logs are in. */
  readonly artifactBucket: string;
  /** Region of the bucket (S3A `fs.s3a.endpoint.region`). */
  readonly region: string;
  /** @default DEFAULT_EVENT_LOG_PREFIX ('spark-events/') */
  readonly eventLogPrefix?: string;
  /** @default SPARK_HISTORY_IMAGE_TAG */
  readonly imageTag?: string;
}

/** The server's pod size, counted on the system pool by lib/settings/sizing.ts. */
export const HISTORY_SERVER_RESOURCES = {
  requests: {
    cpu: `${SPARK_HISTORY_SERVER_POD.cpuMillis}m`,
    memory: `${SPARK_HISTORY_SERVER_POD.memoryMiB}Mi`,
  },
  limits: {
    cpu: `${SPARK_HISTORY_SERVER_POD.cpuLimitMillis}m`,
    memory: `${SPARK_HISTORY_SERVER_POD.memoryLimitMiB}Mi`,
  },
} as const;

/**
 * The server's Spark settings as Java system properties (SPARK_HISTORY_OPTS, which spark-class
 * adds for the HistoryServer class): where to read, the cleaner, S3A through Pod Identity.
 */
export function historyServerJavaOpts(dir: string, region: string): string {
  const conf: Record<string, string> = {
    ...historyServerConf(dir),
    ...Object.fromEntries(Object.entries(s3aPodConf(region)).map(([k, v]) => [`spark.hadoop.${k}`, v])),
    // The JVM's scratch space: the only writable place (the root filesystem is read-only).
    'java.io.tmpdir': '/tmp',
  };
  for (const [key, value] of Object.entries(conf)) {
    // One environment variable split on spaces by spark-class: a value with a space would break it.
    if (/\s/.test(value))
      throw new Error(`SparkHistoryServerChart: ${key}='${value}' must not contain spaces`);
  }
  return Object.entries(conf)
    .map(([key, value]) => `-D${key}=${value}`)
    .join(' ');
}

/** S3A on the cluster: Pod Identity credentials, the bucket's region, scratch under /tmp. */
function s3aPodConf(region: string): Record<string, string> {
  return {
    'fs.s3a.aws.credentials.provider': S3A_CREDENTIALS_PROVIDER,
    'fs.s3a.endpoint.region': region,
    'fs.s3a.buffer.dir': '/tmp/s3a',
  };
}

/** The init container's command: create the log directory (an S3A directory marker) if missing. */
export function ensureLogDirCommand(dir: string, region: string): string[] {
  return [
    '/opt/spark/bin/spark-class',
    'org.apache.hadoop.fs.FsShell',
    ...Object.entries(s3aPodConf(region)).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
    '-mkdir',
    '-p',
    dir,
  ];
}

const q = kplus.k8s.Quantity.fromString;
const port = kplus.k8s.IntOrString.fromString('http');

export class SparkHistoryServerChart extends Chart {
  readonly deployment: kplus.k8s.KubeDeployment;
  readonly service: kplus.k8s.KubeService;

  constructor(scope: Construct, id: string, props: SparkHistoryServerChartProps) {
    super(scope, id, {
      ...props,
      namespace: SPARK_HISTORY_NAMESPACE,
      labels: { ...PART_OF_LABEL, 'app.kubernetes.io/component': 'spark-history-server', ...props.labels },
    });
    if (/[:@]/.test(props.repositoryUri.split('/').pop() ?? '')) {
      throw new Error(
        `SparkHistoryServerChart: repositoryUri='${props.repositoryUri}' must be a repository without a tag or digest`,
      );
    }
    const dir = eventLogDir(props.artifactBucket, props.eventLogPrefix ?? DEFAULT_EVENT_LOG_PREFIX);
    const image = `${props.repositoryUri}:${props.imageTag ?? SPARK_HISTORY_IMAGE_TAG}`;

    const namespace = new kplus.k8s.KubeNamespace(this, 'Namespace', {
      metadata: { name: SPARK_HISTORY_NAMESPACE, labels: { ...POD_SECURITY_LABELS } },
    });
    // It never calls the Kubernetes API; Pod Identity mounts its own projected token.
    const account = new kplus.k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: SPARK_HISTORY_SERVICE_ACCOUNT },
      automountServiceAccountToken: false,
    });

    const restricted = restrictedContainerSecurityContext(SPARK_UID);
    // Init container and server share one figure: they never run at once, and the pod's effective
    // request is the larger of the two (Kubernetes' init-container rule), so this reserves nothing extra.
    const resources = {
      requests: {
        cpu: q(HISTORY_SERVER_RESOURCES.requests.cpu),
        memory: q(HISTORY_SERVER_RESOURCES.requests.memory),
      },
      limits: {
        cpu: q(HISTORY_SERVER_RESOURCES.limits.cpu),
        memory: q(HISTORY_SERVER_RESOURCES.limits.memory),
      },
    };
    const hadoopConf = new kplus.k8s.KubeConfigMap(this, 'HadoopConf', {
      metadata: { name: HADOOP_CONF_MAP },
      data: { 'core-site.xml': '<configuration/>\n' },
    });
    this.deployment = new kplus.k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: SPARK_HISTORY_SERVICE, labels: { ...HISTORY_LABELS } },
      spec: {
        replicas: 1,
        // Two servers would both run the cleaner on the same prefix: one at a time.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { ...HISTORY_LABELS } },
        template: {
          metadata: { labels: { ...PART_OF_LABEL, ...HISTORY_LABELS } },
          spec: {
            serviceAccountName: SPARK_HISTORY_SERVICE_ACCOUNT,
            automountServiceAccountToken: false,
            // The always-on system pool, no Spark toleration: never on (or keeping up) a Spark node.
            nodeSelector: { ...SYSTEM_NODE_SELECTOR },
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(SPARK_UID),
            initContainers: [
              {
                name: 'ensure-log-dir',
                image,
                imagePullPolicy: 'Always',
                command: ensureLogDirCommand(dir, props.region),
                // spark-class puts HADOOP_CONF_DIR on the classpath (the empty core-site.xml).
                env: [
                  { name: 'HADOOP_CONF_DIR', value: HADOOP_CONF_DIR },
                  { name: 'SPARK_DRIVER_MEMORY', value: '256m' },
                  { name: 'HOME', value: '/tmp' },
                ],
                resources,
                securityContext: restricted,
                volumeMounts: [
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'hadoop-conf', mountPath: HADOOP_CONF_DIR, readOnly: true },
                ],
              },
            ],
            containers: [
              {
                name: 'history-server',
                image,
                imagePullPolicy: 'Always',
                // tini forwards SIGTERM to the JVM (spark-class execs java in the foreground).
                command: ['/usr/bin/tini', '-s', '--', '/opt/spark/bin/spark-class', HISTORY_SERVER_CLASS],
                env: [
                  { name: 'SPARK_HISTORY_OPTS', value: historyServerJavaOpts(dir, props.region) },
                  { name: 'SPARK_DAEMON_MEMORY', value: `${SPARK_HISTORY_SERVER_POD.heapMiB}m` },
                  { name: 'SPARK_NO_DAEMONIZE', value: 'true' },
                  { name: 'HOME', value: '/tmp' },
                ],
                ports: [{ name: 'http', containerPort: SPARK_HISTORY_PORT, protocol: 'TCP' }],
                resources,
                // The JVM starts in seconds; the first S3 listing can take longer: up to 3 minutes.
                startupProbe: {
                  httpGet: { path: '/api/v1/applications?limit=1', port },
                  periodSeconds: 5,
                  failureThreshold: 36,
                  timeoutSeconds: 5,
                },
                readinessProbe: {
                  httpGet: { path: '/api/v1/applications?limit=1', port },
                  periodSeconds: 15,
                  failureThreshold: 3,
                  timeoutSeconds: 5,
                },
                livenessProbe: {
                  tcpSocket: { port },
                  periodSeconds: 30,
                  failureThreshold: 3,
                  timeoutSeconds: 5,
                },
                securityContext: restricted,
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [
              { name: 'tmp', emptyDir: { sizeLimit: q('1Gi') } },
              { name: 'hadoop-conf', configMap: { name: HADOOP_CONF_MAP, defaultMode: 0o444 } },
            ],
          },
        },
      },
    });

    this.service = new kplus.k8s.KubeService(this, 'Service', {
      metadata: { name: SPARK_HISTORY_SERVICE, labels: { ...HISTORY_LABELS } },
      spec: {
        // Private: reached through `npm run spark-ui` (kubectl port-forward), never from outside.
        type: 'ClusterIP',
        selector: { ...HISTORY_LABELS },
        ports: [{ name: 'http', port: SPARK_HISTORY_PORT, targetPort: port, protocol: 'TCP' }],
      },
    });
    for (const child of [account, hadoopConf, this.deployment, this.service])
      child.node.addDependency(namespace);
  }
}
