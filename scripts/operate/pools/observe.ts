/**
 * What pause and resume look at before they change anything: the deployed stack and its template
 * (the configured pool sizes and the database, read from what CloudFormation deployed, not from
 * local settings), the node groups and the database as AWS reports them now, and the cluster as
 * its API server reports it (the autoscaler's replicas, Spark work still running, whether a system
 * node, CoreDNS and the autoscaler are up).
 */
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { DescribeNodegroupCommand, ListNodegroupsCommand } from '@aws-sdk/client-eks';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { CLUSTER_AUTOSCALER, SPARK_NAMESPACE } from '../../../lib/settings/names';
import { OUTPUT_KEYS } from '../../../lib/settings/outputs';
import { POOL_LABEL, POOLS, type PoolName } from '../../../lib/settings/scheduling';
import type { CfnTemplate } from '../../estimate/cloud-assembly';
import { type AwsClients, errorName, explainAwsError } from '../../lib/aws-clients';
import { CliError } from '../../lib/cli';
import { type Kubectl, kubectl } from '../pipeline/kubectl';
import { type DeployedStack, describeStack } from '../stack-outputs';

/** The RDS tag pause writes when it stops the database (AWS starts it again 7 days later). */
export const PAUSED_AT_TAG = 'zenml-spark-eks:paused-at';
/** AWS starts a stopped RDS instance by itself after this long. */
export const RDS_AUTO_START_DAYS = 7;

export interface PoolScaling {
  readonly min: number;
  readonly desired: number;
  readonly max: number;
}

/** A pool as the deployed template configures it. */
export interface ConfiguredPool extends PoolScaling {
  readonly pool: PoolName;
  readonly logicalId: string;
}

/** A node group as EKS reports it now. */
export interface NodegroupNow extends PoolScaling {
  readonly name: string;
  readonly pool: PoolName;
  readonly status: string;
}

export interface DatabaseNow {
  readonly id: string;
  readonly arn?: string;
  readonly status: string;
  /** When pause stopped it (its tag), if it did. */
  readonly pausedAt?: Date;
}

export interface KubeNow {
  /** The autoscaler Deployment's desired and available replicas; undefined when it does not exist. */
  readonly autoscaler?: { readonly replicas: number; readonly available: number };
  /** Spark pods not yet finished and Jobs with active pods, in spark-namespace. */
  readonly sparkWork: readonly string[];
  readonly systemNodesReady: number;
  readonly corednsAvailable: number;
}

export interface Deployed {
  readonly stack: DeployedStack;
  readonly template: CfnTemplate;
  readonly clusterName: string;
  readonly configured: Readonly<Record<PoolName, ConfiguredPool>>;
  readonly databaseId: string;
}

/** The stack, its template and what it configures; one CliError when something is missing. */
export async function readDeployed(clients: AwsClients, stackName: string, where: string): Promise<Deployed> {
  const stack = await describeStack(clients.cloudFormation, stackName);
  if (!stack) {
    throw new CliError(
      `stack '${stackName}' not found in ${where}; deploy it first, or pass --stack/--region`,
    );
  }
  let body: string | undefined;
  try {
    body = (await clients.cloudFormation.send(new GetTemplateCommand({ StackName: stackName }))).TemplateBody;
  } catch (e) {
    throw explainAwsError(e, `reading the template of '${stackName}'`);
  }
  let template: CfnTemplate;
  try {
    template = JSON.parse(body ?? '') as CfnTemplate;
  } catch {
    throw new CliError(`stack '${stackName}': its template is not JSON; is it a stack of this app?`);
  }
  const clusterName = stack.rawOutputs[OUTPUT_KEYS.clusterName];
  if (!clusterName) {
    throw new CliError(
      `stack '${stackName}' has no ${OUTPUT_KEYS.clusterName} output: it has no EKS cluster (deployed with emulator=true?)`,
    );
  }
  return {
    stack,
    template,
    clusterName,
    configured: configuredPools(template, stackName),
    databaseId: databaseIdOf(template, stackName),
  };
}

/** The two pools of a template, by their pool label, with the scaling the template gives them. */
export function configuredPools(
  template: CfnTemplate,
  stackName = 'the stack',
): Record<PoolName, ConfiguredPool> {
  const found: Partial<Record<PoolName, ConfiguredPool>> = {};
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::EKS::Nodegroup') continue;
    const props = (r.Properties ?? {}) as {
      Labels?: Record<string, string>;
      ScalingConfig?: Record<string, number>;
    };
    const pool = poolOf(props.Labels);
    if (!pool) continue;
    const s = props.ScalingConfig ?? {};
    found[pool] = {
      pool,
      logicalId,
      min: Number(s.MinSize ?? 0),
      desired: Number(s.DesiredSize ?? s.MinSize ?? 0),
      max: Number(s.MaxSize ?? 0),
    };
  }
  const missing = (Object.keys(POOLS) as PoolName[]).filter((p) => !found[p]);
  if (missing.length > 0) {
    throw new CliError(
      `${stackName}: its template has no ${missing.join(' or ')} pool (node groups labelled ${POOL_LABEL}); deploy this version first`,
    );
  }
  return found as Record<PoolName, ConfiguredPool>;
}

function databaseIdOf(template: CfnTemplate, stackName: string): string {
  const ids = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::RDS::DBInstance')
    .map((r) => (r.Properties as { DBInstanceIdentifier?: unknown } | undefined)?.DBInstanceIdentifier)
    .filter((id): id is string => typeof id === 'string');
  if (ids.length !== 1) {
    throw new CliError(
      `${stackName}: expected one database with a fixed identifier in its template, found ${ids.length}`,
    );
  }
  return ids[0];
}

function poolOf(labels: Record<string, string> | undefined): PoolName | undefined {
  const value = labels?.[POOL_LABEL];
  return (Object.keys(POOLS) as PoolName[]).find((p) => POOLS[p] === value);
}

/** The cluster's node groups by pool, as EKS reports them. */
export async function observeNodegroups(
  clients: AwsClients,
  clusterName: string,
): Promise<Partial<Record<PoolName, NodegroupNow>>> {
  try {
    const names = (await clients.eks.send(new ListNodegroupsCommand({ clusterName }))).nodegroups ?? [];
    const out: Partial<Record<PoolName, NodegroupNow>> = {};
    for (const nodegroupName of names) {
      const ng = (await clients.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName })))
        .nodegroup;
      const pool = poolOf(ng?.labels);
      if (!ng || !pool) continue;
      const s = ng.scalingConfig ?? {};
      out[pool] = {
        name: nodegroupName,
        pool,
        status: ng.status ?? 'UNKNOWN',
        min: s.minSize ?? 0,
        desired: s.desiredSize ?? 0,
        max: s.maxSize ?? 0,
      };
    }
    return out;
  } catch (e) {
    throw explainAwsError(e, `reading the node groups of cluster '${clusterName}'`);
  }
}

export async function observeDatabase(clients: AwsClients, id: string): Promise<DatabaseNow> {
  try {
    const db = (await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })))
      .DBInstances?.[0];
    const pausedAt = db?.TagList?.find((t) => t.Key === PAUSED_AT_TAG)?.Value;
    const when = pausedAt ? new Date(pausedAt) : undefined;
    return {
      id,
      arn: db?.DBInstanceArn,
      status: db?.DBInstanceStatus ?? 'unknown',
      pausedAt: when && !Number.isNaN(when.getTime()) ? when : undefined,
    };
  } catch (e) {
    if (/DBInstanceNotFound/.test(errorName(e))) {
      throw new CliError(`database '${id}' (named in the stack's template) not found`);
    }
    throw explainAwsError(e, `reading database '${id}'`);
  }
}

/** kubectl get -o json; one CliError naming why the cluster cannot be reached. */
async function getJson(k: Kubectl, args: string[]): Promise<{ items?: unknown[] } & Record<string, unknown>> {
  const r = await kubectl(k, ['get', ...args, '-o', 'json']);
  if (r.code !== 0) {
    throw new CliError(
      `kubectl get ${args.join(' ')} failed: ${r.stderr.trim().split('\n').at(-1) ?? `exit ${r.code}`}`,
    );
  }
  return JSON.parse(r.stdout);
}

interface PodJson {
  metadata: { name: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** What pause and resume need to know from the API server. */
export async function observeKube(k: Kubectl): Promise<KubeNow> {
  const deployments = (await getJson(k, ['deployments', '-n', CLUSTER_AUTOSCALER.namespace])).items as {
    metadata: { name: string };
    spec?: { replicas?: number };
    status?: { availableReplicas?: number };
  }[];
  const byName = (name: string) => deployments.find((d) => d.metadata.name === name);
  const ca = byName(CLUSTER_AUTOSCALER.deployment);
  const pods = (await getJson(k, ['pods', '-n', SPARK_NAMESPACE])).items as PodJson[];
  const jobs = (await getJson(k, ['jobs', '-n', SPARK_NAMESPACE])).items as {
    metadata: { name: string };
    status?: { active?: number };
  }[];
  const nodes = (await getJson(k, ['nodes', '-l', `${POOL_LABEL}=${POOLS.system}`])).items as {
    status?: { conditions?: { type: string; status: string }[] };
  }[];
  return {
    autoscaler: ca
      ? { replicas: ca.spec?.replicas ?? 1, available: ca.status?.availableReplicas ?? 0 }
      : undefined,
    sparkWork: [
      ...jobs.filter((j) => (j.status?.active ?? 0) > 0).map((j) => `Job/${j.metadata.name}`),
      ...pods
        .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
        .map((p) => `Pod/${p.metadata.name}`),
    ],
    systemNodesReady: nodes.filter((n) =>
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length,
    corednsAvailable: byName('coredns')?.status?.availableReplicas ?? 0,
  };
}
