/**
 * Writes the Kubernetes side as plain YAML for review and for `kubectl apply`: one file per chart.
 * The main synth command writes dist/ with whatever values it knows; the renderer and
 * scripts/operate/run-pipeline.ts pass a deployed stack's values. Unknown values become PLACEHOLDER-*.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { type KubernetesVersionName, SETTINGS, type ZenmlDatabaseAuth } from '../lib/settings/config';
import { DEFAULT_NODE_INSTANCE_TYPE } from '../lib/settings/node-shapes';
import { PIPELINE_STEPS, type PipelineStep } from '../lib/settings/pipeline';
import { rdsCaBundle } from '../lib/settings/rds-ca';
import { DEFAULT_EVENT_LOG_PREFIX } from '../lib/settings/spark-history';
import { ZENML_SERVER_IMAGE } from '../lib/settings/zenml';
import { ClusterAutoscalerChart } from './cluster-autoscaler-chart';
import { LABELS, PipelineJobsChart, type PipelineJobsChartProps } from './pipeline-jobs-chart';
import { PLACEHOLDERS } from './placeholders';
import { SparkHistoryServerChart } from './spark-history-server-chart';
import { SparkRbacChart } from './spark-rbac-chart';
import { ZenmlServerChart } from './zenml-server-chart';

export interface ManifestValues {
  readonly region?: string;
  readonly accountId?: string;
  readonly bucketName?: string;
  /** Full image reference; without it one is made from accountId/region and the `zenml` ECR repository. */
  readonly imageUri?: string;
  /** The Pod Identity role: recorded in the file header for review (the service account needs no annotation). */
  readonly sparkRoleArn?: string;
  readonly runId?: string;
  /** Node type each step must fit on. @default 't3a.xlarge' */
  readonly nodeInstanceType?: string;
  /** The EKS cluster the autoscaler discovers node groups of. */
  readonly clusterName?: string;
  /** Picks the autoscaler's image. @default the kubernetesVersion setting's default */
  readonly kubernetesVersion?: KubernetesVersionName;
  /** Write the in-cluster ZenML server's chart. @default true */
  readonly zenmlServer?: boolean;
  /** @default 'iam' */
  readonly zenmlDatabaseAuth?: ZenmlDatabaseAuth;
  /** Write the Spark History Server's chart. @default true */
  readonly sparkHistoryServer?: boolean;
  /** The sparkEventLogPrefix setting. @default DEFAULT_EVENT_LOG_PREFIX */
  readonly eventLogPrefix?: string;
}

export interface WrittenManifest {
  readonly chart: string;
  readonly file: string;
  readonly objects: number;
}

/** The ECR repository ZenML expects (physicalNames().ecrRepositoryName with no prefix). */
const DEFAULT_REPOSITORY = 'zenml';

export const RBAC_MANIFEST = 'spark-rbac.k8s.yaml';
export const PIPELINE_MANIFEST = 'pipeline-jobs.k8s.yaml';
export const AUTOSCALER_MANIFEST = 'cluster-autoscaler.k8s.yaml';
export const ZENML_SERVER_MANIFEST = 'zenml-server.k8s.yaml';
export const SPARK_HISTORY_MANIFEST = 'spark-history-server.k8s.yaml';

/**
 * The server chart's review copy: deploy-time values (database endpoint, secret ARNs) as
 * placeholders; the RDS roots of the region when it is set, of every region otherwise.
 */
export function zenmlServerChartForReview(app: App, values: ManifestValues = {}): ZenmlServerChart {
  const v = resolveValues(values);
  return new ZenmlServerChart(app, 'zenml-server', {
    databaseAuth: v.zenmlDatabaseAuth,
    region: v.region,
    databaseHost: PLACEHOLDERS.databaseEndpoint,
    databasePort: '3306',
    databaseName: 'zenml',
    adminSecretId: PLACEHOLDERS.adminSecretArn,
    jwtSecretId: PLACEHOLDERS.jwtSecretArn,
    databaseSecretId: PLACEHOLDERS.rdsSecretArn,
    rdsCaBundle: rdsCaBundle(values.region),
  });
}

/** Values with every gap filled by its placeholder. */
export function resolveValues(values: ManifestValues = {}): Required<ManifestValues> {
  const region = values.region ?? PLACEHOLDERS.region;
  const accountId = values.accountId ?? PLACEHOLDERS.accountId;
  return {
    region,
    accountId,
    bucketName: values.bucketName ?? PLACEHOLDERS.bucketName,
    imageUri:
      values.imageUri ??
      `${accountId}.dkr.ecr.${region}.amazonaws.com/${DEFAULT_REPOSITORY}:${PLACEHOLDERS.imageTag}`,
    sparkRoleArn: values.sparkRoleArn ?? PLACEHOLDERS.sparkRoleArn,
    runId: values.runId ?? PLACEHOLDERS.runId,
    nodeInstanceType: values.nodeInstanceType ?? DEFAULT_NODE_INSTANCE_TYPE,
    clusterName: values.clusterName ?? PLACEHOLDERS.clusterName,
    kubernetesVersion:
      values.kubernetesVersion ?? (SETTINGS.kubernetesVersion.default as KubernetesVersionName),
    zenmlServer: values.zenmlServer ?? true,
    zenmlDatabaseAuth: values.zenmlDatabaseAuth ?? 'iam',
    sparkHistoryServer: values.sparkHistoryServer ?? true,
    eventLogPrefix: values.eventLogPrefix ?? DEFAULT_EVENT_LOG_PREFIX,
  };
}

/** The image repository of imageUri (or of the default image): what the history server runs from. */
function repositoryOf(v: Required<ManifestValues>): string {
  return v.imageUri.replace(/(@sha256:[0-9a-f]+|:[\w][\w.-]*)$/, '');
}

export function pipelineChartProps(values: ManifestValues = {}): PipelineJobsChartProps {
  const v = resolveValues(values);
  return {
    runId: v.runId,
    image: v.imageUri,
    artifactBucket: v.bucketName,
    region: v.region,
    nodeInstanceType: v.nodeInstanceType,
    eventLogPrefix: v.eventLogPrefix,
  };
}

/** Writes one plain-YAML file per chart into outDir (no unresolved CDK tokens). */
export function writeManifests(outDir: string, values?: ManifestValues): WrittenManifest[] {
  const v = resolveValues(values);
  const charts: Array<[string, string, (app: App) => Chart]> = [
    ['spark-rbac', RBAC_MANIFEST, (app) => new SparkRbacChart(app, 'spark-rbac')],
    [
      'pipeline-jobs',
      PIPELINE_MANIFEST,
      (app) => new PipelineJobsChart(app, 'pipeline-jobs', pipelineChartProps(v)),
    ],
    [
      'cluster-autoscaler',
      AUTOSCALER_MANIFEST,
      (app) =>
        new ClusterAutoscalerChart(app, 'cluster-autoscaler', {
          clusterName: v.clusterName,
          region: v.region,
          kubernetesVersion: v.kubernetesVersion,
        }),
    ],
  ];
  if (v.zenmlServer) {
    charts.push(['zenml-server', ZENML_SERVER_MANIFEST, (app) => zenmlServerChartForReview(app, values)]);
  }
  if (v.sparkHistoryServer) {
    charts.push([
      'spark-history-server',
      SPARK_HISTORY_MANIFEST,
      (app) =>
        new SparkHistoryServerChart(app, 'spark-history-server', {
          repositoryUri: repositoryOf(v),
          artifactBucket: v.bucketName,
          region: v.region,
          eventLogPrefix: v.eventLogPrefix,
        }),
    ]);
  }
  mkdirSync(outDir, { recursive: true });
  return charts.map(([name, fileName, make]) => {
    const objects = make(new App()).toJson() as object[];
    const text = toYaml(objects);
    assertNoTokens(name, text);
    const file = join(outDir, fileName);
    writeFileSync(file, header(name, v) + text);
    return { chart: name, file, objects: objects.length };
  });
}

/**
 * The pipeline chart's objects for one run: those all steps share, then each step's own.
 * `options` sets what the step programs read and the namespace the objects go to.
 */
export function pipelineObjectsByStep(
  values: ManifestValues,
  options: Pick<PipelineJobsChartProps, 'inputUri' | 'minAccuracy' | 'namespaceName'> = {},
): {
  shared: object[];
  steps: Record<PipelineStep, object[]>;
} {
  const props = { ...pipelineChartProps(values), ...options };
  const objects = new PipelineJobsChart(new App(), 'pipeline-jobs', props).toJson() as Array<{
    metadata?: { labels?: Record<string, string> };
  }>;
  const stepOf = (o: (typeof objects)[number]) => o.metadata?.labels?.[LABELS.step];
  const steps = Object.fromEntries(PIPELINE_STEPS.map((s) => [s, objects.filter((o) => stepOf(o) === s)]));
  return {
    shared: objects.filter((o) => stepOf(o) === undefined),
    steps: steps as Record<PipelineStep, object[]>,
  };
}

export function toYaml(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** CDK tokens (`${Token[...]}`) only resolve inside a CloudFormation template, never in a plain file. */
export function assertNoTokens(chart: string, text: string): void {
  const token = /\$\{Token\[[^\]]*\]\}|#\{Token\[|\{IndirectToken\[/.exec(text);
  if (token) throw new Error(`chart ${chart}: unresolved CDK token ${token[0]} in the written manifest`);
}

function header(chart: string, v: Required<ManifestValues>): string {
  const lines =
    chart === 'zenml-server'
      ? [
          `Chart ${chart}, written by k8s/manifests.ts: the ZenML server (${ZENML_SERVER_IMAGE}), for review.`,
          'The stack applies it at deploy with the database endpoint and the secret ARNs (PLACEHOLDER-* here) filled in.',
          `region=${v.region} databaseAuth=${v.zenmlDatabaseAuth}`,
          'It holds no secret: the launcher (zenml-server/launcher.py) reads them from Secrets Manager at run time.',
        ]
      : chart === 'spark-history-server'
        ? [
            `Chart ${chart}, written by k8s/manifests.ts: the Spark History Server, for review.`,
            'The stack applies it at deploy (sparkHistoryServer=true) with the bucket and the repository filled in.',
            `region=${v.region} bucket=${v.bucketName} eventLogPrefix=${v.eventLogPrefix}`,
          ]
        : [
            `Chart ${chart}, written by k8s/manifests.ts. PLACEHOLDER-* values are not known yet: render with real`,
            'values (scripts/operate/run-pipeline.ts does for the Jobs); the API server rejects the placeholder names.',
            `region=${v.region} account=${v.accountId} bucket=${v.bucketName}`,
            `image=${v.imageUri} runId=${v.runId} node=${v.nodeInstanceType} cluster=${v.clusterName} kubernetes=${v.kubernetesVersion}`,
            `Pod Identity role of the service account (associated by the stack, no annotation): ${v.sparkRoleArn}`,
          ];
  return `${lines.map((l) => `# ${l}`).join('\n')}\n`;
}
