/**
 * The ZenML server on the cluster: the official image (zenmldocker/zenml-server at the project's
 * ZenML version) in its own namespace under the `restricted` Pod Security profile, a ClusterIP
 * Service the step pods reach it by, and, with zenmlDatabaseAuth=iam, a one-shot Job that creates
 * its IAM database user. A cdk8s chart rather than ZenML's Helm chart: that chart is published only
 * to an OCI registry, so its rendered objects cannot be reviewed or verified offline here, and its
 * defaults (debug logging, CORS `*`, secret-key auth for the secrets store, no admin bootstrap)
 * would all need overriding.
 *
 * The stack applies this chart at deploy through the cluster's kubectl provider, with the database
 * endpoint, region and secret ARNs as CloudFormation values; the main synth writes it to dist/
 * with placeholders. It holds no secret: the server's launcher (zenml-server/launcher.py, shipped
 * in the ConfigMap) reads the admin password, the JWT key and, in password mode, the database
 * password from Secrets Manager at run time through Pod Identity.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Chart, type ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import type { Construct } from 'constructs';
import type { ZenmlDatabaseAuth } from '../lib/settings/config';
import { PART_OF_LABEL } from '../lib/settings/names';
import { SYSTEM_NODE_SELECTOR } from '../lib/settings/scheduling';
import { ZENML_SERVER_POD } from '../lib/settings/sizing';
import {
  ZENML_DB_BOOTSTRAP_SERVICE_ACCOUNT,
  ZENML_NAMESPACE,
  ZENML_SERVER_IMAGE,
  ZENML_SERVER_PORT,
  ZENML_SERVER_SERVICE,
  ZENML_SERVER_SERVICE_ACCOUNT,
} from '../lib/settings/zenml';
import {
  POD_SECURITY_LABELS,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from './pod-security';
import {
  BOOTSTRAP_FILE,
  dbBootstrapEnv,
  LAUNCHER_FILE,
  POD_PATHS,
  POD_SERVER_PATHS,
  RDS_CA_FILE,
  type ZenmlServerEnvInput,
  zenmlServerEnv,
} from './zenml-server-env';

export interface ZenmlServerChartProps extends ChartProps {
  readonly databaseAuth: ZenmlDatabaseAuth;
  /** AWS region of the database and of the secrets store. */
  readonly region: string;
  readonly databaseHost: string;
  readonly databasePort: string;
  readonly databaseName: string;
  readonly adminSecretId: string;
  readonly jwtSecretId: string;
  readonly databaseSecretId: string;
  /** PEM of the RDS root(s) the server trusts (lib/settings/rds-ca.ts). */
  readonly rdsCaBundle: string;
  /** @default ZENML_SERVER_IMAGE */
  readonly image?: string;
}

/** The server's pod size, counted beside the Spark steps by the node sizing. */
export const SERVER_RESOURCES = {
  requests: { cpu: `${ZENML_SERVER_POD.cpuMillis}m`, memory: `${ZENML_SERVER_POD.memoryMiB}Mi` },
  limits: { cpu: `${ZENML_SERVER_POD.cpuLimitMillis}m`, memory: `${ZENML_SERVER_POD.memoryLimitMiB}Mi` },
} as const;

/** The image's `zenml` user (docker/base.Dockerfile): UID/GID 1000. */
export const ZENML_UID = 1000;

export const CONFIG_MAP_NAME = 'zenml-server-files';
export const BOOTSTRAP_JOB_PREFIX = 'zenml-db-bootstrap';
export const SERVER_LABELS = { 'app.kubernetes.io/name': 'zenml-server' } as const;

const REPO_FILES = path.resolve(__dirname, '..', 'zenml-server');

/** The launcher and bootstrap sources as shipped (the same files the Python tests import). */
export function launcherSources(): Record<string, string> {
  return {
    [LAUNCHER_FILE]: readFileSync(path.join(REPO_FILES, LAUNCHER_FILE), 'utf8'),
    [BOOTSTRAP_FILE]: readFileSync(path.join(REPO_FILES, BOOTSTRAP_FILE), 'utf8'),
  };
}

const CONTAINER_SECURITY = restrictedContainerSecurityContext(ZENML_UID);
const POD_SECURITY = restrictedPodSecurityContext(ZENML_UID);

const q = kplus.k8s.Quantity.fromString;
const port = kplus.k8s.IntOrString.fromString('http');

export class ZenmlServerChart extends Chart {
  readonly deployment: kplus.k8s.KubeDeployment;
  readonly service: kplus.k8s.KubeService;
  readonly bootstrapJob?: kplus.k8s.KubeJob;

  constructor(scope: Construct, id: string, props: ZenmlServerChartProps) {
    super(scope, id, {
      ...props,
      namespace: ZENML_NAMESPACE,
      labels: { ...PART_OF_LABEL, 'app.kubernetes.io/component': 'zenml-server', ...props.labels },
    });
    const image = props.image ?? ZENML_SERVER_IMAGE;
    const input: ZenmlServerEnvInput = props;

    const namespace = new kplus.k8s.KubeNamespace(this, 'Namespace', {
      metadata: { name: ZENML_NAMESPACE, labels: { ...POD_SECURITY_LABELS } },
    });
    // Neither pod calls the Kubernetes API; Pod Identity mounts its own projected token.
    const serverAccount = new kplus.k8s.KubeServiceAccount(this, 'ServerServiceAccount', {
      metadata: { name: ZENML_SERVER_SERVICE_ACCOUNT },
      automountServiceAccountToken: false,
    });
    const files = new kplus.k8s.KubeConfigMap(this, 'Files', {
      metadata: { name: CONFIG_MAP_NAME },
      data: { ...launcherSources(), [RDS_CA_FILE]: props.rdsCaBundle },
    });
    const filesVolume = { name: 'files', configMap: { name: CONFIG_MAP_NAME, defaultMode: 0o444 } };
    const filesMount = { name: 'files', mountPath: POD_PATHS.filesDir, readOnly: true };

    this.deployment = new kplus.k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: ZENML_SERVER_SERVICE, labels: { ...SERVER_LABELS } },
      spec: {
        replicas: 1,
        // One server at a time: a new version migrates the schema on start, the old one must be gone.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { ...SERVER_LABELS } },
        template: {
          metadata: {
            labels: { ...PART_OF_LABEL, ...SERVER_LABELS },
            // A changed launcher, CA bundle or setting rolls the pod (the ConfigMap alone would not).
            annotations: { 'zenml-spark-eks/files-sha256': sha256(JSON.stringify(files.toJson())) },
          },
          spec: {
            serviceAccountName: ZENML_SERVER_SERVICE_ACCOUNT,
            automountServiceAccountToken: false,
            // The always-on system pool: the Spark pool may be at 0, and its nodes are tainted anyway.
            nodeSelector: { ...SYSTEM_NODE_SELECTOR },
            securityContext: POD_SECURITY,
            enableServiceLinks: false,
            containers: [
              {
                name: 'server',
                image,
                imagePullPolicy: 'IfNotPresent',
                // The image's ENTRYPOINT (/entrypoint.sh: ulimit -n, exec "$@") runs the launcher,
                // which execs uvicorn as the image's CMD does.
                args: ['python', POD_SERVER_PATHS.launcherFile],
                env: zenmlServerEnv(input).map((e) => ({ ...e })),
                ports: [{ name: 'http', containerPort: ZENML_SERVER_PORT, protocol: 'TCP' }],
                resources: {
                  requests: {
                    cpu: q(SERVER_RESOURCES.requests.cpu),
                    memory: q(SERVER_RESOURCES.requests.memory),
                  },
                  limits: { cpu: q(SERVER_RESOURCES.limits.cpu), memory: q(SERVER_RESOURCES.limits.memory) },
                },
                // /health answers once start-up (migration included) is over; bounded at 5 min,
                // which covers the IAM retry while the bootstrap Job creates the user.
                startupProbe: {
                  httpGet: { path: '/health', port },
                  periodSeconds: 5,
                  failureThreshold: 60,
                  timeoutSeconds: 3,
                },
                livenessProbe: {
                  httpGet: { path: '/health', port },
                  periodSeconds: 20,
                  failureThreshold: 3,
                  timeoutSeconds: 5,
                },
                // /health and /ready never look at the database; /api/v1/info does (500 while it is down).
                readinessProbe: {
                  httpGet: { path: '/api/v1/info', port },
                  periodSeconds: 10,
                  failureThreshold: 3,
                  timeoutSeconds: 5,
                },
                securityContext: CONTAINER_SECURITY,
                volumeMounts: [
                  filesMount,
                  { name: 'zenconfig', mountPath: POD_PATHS.configPath },
                  { name: 'tmp', mountPath: POD_PATHS.tmpDir },
                ],
              },
            ],
            volumes: [
              filesVolume,
              { name: 'zenconfig', emptyDir: { sizeLimit: q('256Mi') } },
              { name: 'tmp', emptyDir: { sizeLimit: q('256Mi') } },
            ],
          },
        },
      },
    });

    this.service = new kplus.k8s.KubeService(this, 'Service', {
      metadata: { name: ZENML_SERVER_SERVICE, labels: { ...SERVER_LABELS } },
      spec: {
        type: 'ClusterIP',
        selector: { ...SERVER_LABELS },
        ports: [{ name: 'http', port: ZENML_SERVER_PORT, targetPort: port, protocol: 'TCP' }],
      },
    });

    const children: Construct[] = [serverAccount, files, this.deployment, this.service];
    if (props.databaseAuth === 'iam') {
      const bootstrapAccount = new kplus.k8s.KubeServiceAccount(this, 'BootstrapServiceAccount', {
        metadata: { name: ZENML_DB_BOOTSTRAP_SERVICE_ACCOUNT },
        automountServiceAccountToken: false,
      });
      const podSpec = {
        serviceAccountName: ZENML_DB_BOOTSTRAP_SERVICE_ACCOUNT,
        automountServiceAccountToken: false,
        nodeSelector: { ...SYSTEM_NODE_SELECTOR },
        restartPolicy: 'Never',
        enableServiceLinks: false,
        securityContext: POD_SECURITY,
        containers: [
          {
            name: 'bootstrap',
            image,
            imagePullPolicy: 'IfNotPresent',
            args: ['python', POD_SERVER_PATHS.bootstrapFile],
            env: dbBootstrapEnv(input).map((e) => ({ ...e })),
            resources: {
              requests: { cpu: q('50m'), memory: q('128Mi') },
              limits: { cpu: q('500m'), memory: q('256Mi') },
            },
            securityContext: CONTAINER_SECURITY,
            volumeMounts: [filesMount, { name: 'tmp', mountPath: POD_PATHS.tmpDir }],
          },
        ],
        volumes: [filesVolume, { name: 'tmp', emptyDir: { sizeLimit: q('16Mi') } }],
      };
      // A Job's pod template is immutable: the name carries a hash of what it runs (deploy-time
      // values left out: their token names are not stable), so a changed Job is a new object (the
      // kubectl provider prunes the old one) and an unchanged one is a no-op. A finished Job is
      // deleted after an hour, so a later change of a deploy-time value (a replaced database)
      // creates it afresh rather than meeting an immutable template.
      const stable = JSON.stringify([podSpec, files.toJson()]).replace(
        /\$\{Token\[[^\]]*\]\}/g,
        '<deploy-time>',
      );
      const jobName = `${BOOTSTRAP_JOB_PREFIX}-${sha256(stable).slice(0, 10)}`;
      this.bootstrapJob = new kplus.k8s.KubeJob(this, 'BootstrapJob', {
        metadata: { name: jobName, labels: { 'app.kubernetes.io/name': BOOTSTRAP_JOB_PREFIX } },
        spec: {
          // Retries ride out a database or NAT route that is not answering yet; bounded in time.
          backoffLimit: 6,
          activeDeadlineSeconds: 900,
          ttlSecondsAfterFinished: 3600,
          template: {
            metadata: { labels: { ...PART_OF_LABEL, 'app.kubernetes.io/name': BOOTSTRAP_JOB_PREFIX } },
            spec: podSpec,
          },
        },
      });
      children.push(bootstrapAccount, this.bootstrapJob);
    }
    for (const child of children) child.node.addDependency(namespace);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
