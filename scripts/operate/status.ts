/**
 * One screen: the bootstrap and app stacks' states, the key outputs, and whether the cluster,
 * its node groups and the database are ready. Exits 0 when everything is ready, 1 otherwise, so
 * `npm run status && npm run outputs -- --run` waits for nothing and fails early.
 *
 *   npm run status [-- --stack NAME] [--region R]
 */
import {
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  ListNodegroupsCommand,
  type Nodegroup,
} from '@aws-sdk/client-eks';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { physicalNames } from '../../lib/settings/names';
import { OUTPUT_KEYS, type OutputName } from '../../lib/settings/outputs';
import { POOL_LABEL, POOLS } from '../../lib/settings/scheduling';
import {
  type AwsClients,
  awsClients,
  endpointFromEnv,
  errorName,
  explainAwsError,
  resolvedRegion,
} from '../lib/aws-clients';
import { EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { table } from '../lib/table';
import { PAUSED_AT_TAG, RDS_AUTO_START_DAYS } from './pools/observe';
import { describeStack, stackCondition } from './stack-outputs';
import { COMMON_HELP, COMMON_OPTIONS, resolveTarget } from './target';

const USAGE = 'Usage: npm run status -- [--toolkit-stack-name NAME] [options]';
const HELP = `${USAGE}

Shows the CDK bootstrap stack and the app's stack (state, last change), the key outputs, the EKS
cluster and whether each node group is ready, and the metadata database. Exits 1 unless all of
them are ready.

Options:
  --toolkit-stack-name NAME   the CDK bootstrap stack (default: CDKToolkit)
${COMMON_HELP}

${EXIT_CODES_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  'toolkit-stack-name': { type: 'string', default: 'CDKToolkit' },
} satisfies FlagOptions;

const KEY_OUTPUTS: readonly OutputName[] = [
  'clusterName',
  'sparkMasterUrl',
  'artifactStorePath',
  'containerRegistryUri',
  'sparkRoleArn',
  'databaseEndpoint',
  'zenmlServerUrl',
  's3SecretArn',
];

/**
 * A node group is ready: ACTIVE, no health issue, and nodes where its pool needs them. The Spark
 * pool may be at 0 nodes (the cluster autoscaler adds them for pending Spark pods) as long as its
 * maximum allows one; any other node group needs a node wanted.
 */
export function nodegroupReadiness(ng: Nodegroup): { ready: boolean; detail: string } {
  const s = ng.scalingConfig ?? {};
  const issues = ng.health?.issues ?? [];
  const pool = ng.labels?.[POOL_LABEL];
  const sizes = `${pool ? `${pool} pool, ` : ''}${s.desiredSize ?? '?'} desired (${s.minSize ?? '?'}-${s.maxSize ?? '?'}), ${ng.instanceTypes?.join(',') ?? '?'}`;
  if (ng.status !== 'ACTIVE') return { ready: false, detail: `${ng.status}; ${sizes}` };
  if (issues.length > 0) {
    return { ready: false, detail: `ACTIVE with ${issues.map((i) => `${i.code}: ${i.message}`).join('; ')}` };
  }
  if (pool === POOLS.spark && (s.desiredSize ?? 0) < 1 && (s.maxSize ?? 0) >= 1 && (s.minSize ?? 0) === 0) {
    return { ready: true, detail: `ACTIVE; ${sizes}; the cluster autoscaler adds nodes for Spark pods` };
  }
  if ((s.desiredSize ?? 0) < 1) {
    const paused = pool === POOLS.system ? ' (paused? npm run resume)' : '';
    return { ready: false, detail: `ACTIVE but no nodes wanted${paused}; ${sizes}` };
  }
  return { ready: true, detail: `ACTIVE; ${sizes}` };
}

/**
 * The database row: stopped by `npm run pause` says when AWS starts it again; running again after
 * a pause (AWS starts a stopped instance after 7 days) is a warning: it bills again.
 */
export function databaseReadiness(
  db: { status: string; pausedAt?: Date; engine?: string },
  now: Date = new Date(),
): { ready: boolean | undefined; detail: string; warning?: string } {
  const base = db.engine ?? '';
  if (db.status === 'stopped' || db.status === 'stopping') {
    if (!db.pausedAt) return { ready: false, detail: `${base}; stopped (npm run resume starts it)` };
    const restart = new Date(db.pausedAt.getTime() + RDS_AUTO_START_DAYS * 86_400_000);
    return {
      ready: false,
      detail: `${base}; stopped by npm run pause on ${day(db.pausedAt)}: AWS starts it again on ${day(restart)} (npm run resume)`,
    };
  }
  if (db.status === 'available' && db.pausedAt) {
    const since = Math.floor((now.getTime() - db.pausedAt.getTime()) / 86_400_000);
    return {
      ready: true,
      detail: base,
      warning:
        since >= RDS_AUTO_START_DAYS
          ? `the database runs (and bills) again: AWS started it ${RDS_AUTO_START_DAYS} days after npm run pause stopped it on ${day(db.pausedAt)}; npm run pause stops it again, npm run resume brings the cluster back`
          : `the database runs but npm run pause stopped it on ${day(db.pausedAt)}; npm run resume finishes bringing the cluster back`,
    };
  }
  return { ready: db.status === 'available', detail: base };
}

function day(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

interface Row {
  readonly what: string;
  readonly state: string;
  readonly ready: boolean | undefined;
  readonly detail: string;
  readonly warning?: string;
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parseFlags(argv, OPTIONS, USAGE);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const target = resolveTarget(flags, env);
  const endpoint = endpointFromEnv(env);
  const clients = awsClients({ region: target.region, endpoint });
  const region = await resolvedRegion(clients);
  const rows: Row[] = [];

  const toolkitName = flags['toolkit-stack-name'];
  const toolkit = await describeStack(clients.cloudFormation, toolkitName);
  rows.push(
    toolkit
      ? {
          what: `stack ${toolkitName}`,
          state: toolkit.status,
          ready:
            stackCondition(toolkit.status) !== 'failed' && stackCondition(toolkit.status) !== 'in-progress',
          detail: `bootstrap version ${toolkit.rawOutputs.BootstrapVersion ?? '?'}`,
        }
      : {
          what: `stack ${toolkitName}`,
          state: 'missing',
          ready: false,
          detail: 'run npm run cdk -- bootstrap',
        },
  );
  const stack = await describeStack(clients.cloudFormation, target.stackName);
  if (!stack) {
    rows.push({
      what: `stack ${target.stackName}`,
      state: 'missing',
      ready: false,
      detail: 'not deployed: npm run cdk -- deploy',
    });
  } else {
    const condition = stackCondition(stack.status);
    rows.push({
      what: `stack ${target.stackName}`,
      state: stack.status,
      ready: condition === 'ready' || condition === 'rolled-back-update',
      detail: `${stack.statusReason ? `${stack.statusReason}; ` : ''}last change ${stack.lastUpdated?.toISOString() ?? '?'}`,
    });
    const clusterName = stack.rawOutputs[OUTPUT_KEYS.clusterName];
    if (clusterName) rows.push(...(await clusterRows(clients, clusterName)));
  }
  // zenmlServer=false: there is no database to wait for.
  if (target.config.zenmlServer) {
    rows.push(await databaseRow(clients, physicalNames(target.config).databaseIdentifier));
  }

  console.log(`Status of ${target.stackName} in ${region}${endpoint ? ` (endpoint ${endpoint})` : ''}\n`);
  const mark = (r: Row) => (r.ready === undefined ? '-' : r.ready ? 'yes' : 'NO');
  console.log(
    table(
      ['resource', 'state', 'ready', 'detail'],
      rows.map((r) => [r.what, r.state, mark(r), r.detail]),
    ),
  );
  if (stack) {
    const outputs = KEY_OUTPUTS.filter((n) => stack.rawOutputs[OUTPUT_KEYS[n]] !== undefined).map((n) => [
      OUTPUT_KEYS[n],
      stack.rawOutputs[OUTPUT_KEYS[n]],
    ]);
    if (outputs.length > 0) console.log(`\nKey outputs\n${table(['output', 'value'], outputs)}`);
    const kubeconfig = stack.rawOutputs[OUTPUT_KEYS.updateKubeconfigCommand];
    if (kubeconfig) console.log(`\nkubectl: ${kubeconfig}`);
  }
  for (const w of rows.filter((r) => r.warning)) console.log(`\nWarning: ${w.warning}`);
  const notReady = rows.filter((r) => r.ready === false);
  console.log(
    notReady.length === 0
      ? '\nAll ready. Next: npm run outputs'
      : `\nNot ready: ${notReady.map((r) => r.what).join(', ')}`,
  );
  return notReady.length === 0 ? 0 : 1;
}

async function clusterRows(clients: AwsClients, clusterName: string): Promise<Row[]> {
  const what = `eks cluster ${clusterName}`;
  try {
    const c = (await clients.eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster;
    const rows: Row[] = [
      {
        what,
        state: c?.status ?? '?',
        ready: c?.status === 'ACTIVE',
        detail: `Kubernetes ${c?.version ?? '?'}`,
      },
    ];
    const names = (await clients.eks.send(new ListNodegroupsCommand({ clusterName }))).nodegroups ?? [];
    if (names.length === 0)
      rows.push({
        what: 'node groups',
        state: 'none',
        ready: false,
        detail: 'Spark pods have nowhere to run',
      });
    for (const nodegroupName of names) {
      const ng = (await clients.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName })))
        .nodegroup;
      const r = ng ? nodegroupReadiness(ng) : { ready: false, detail: 'not found' };
      rows.push({ what: `node group ${nodegroupName}`, state: ng?.status ?? '?', ...r });
    }
    return rows;
  } catch (e) {
    if (errorName(e) === 'ResourceNotFoundException') {
      return [
        { what, state: 'missing', ready: false, detail: 'named in the stack outputs but not found in EKS' },
      ];
    }
    return [{ what, state: 'unknown', ready: false, detail: explainAwsError(e, 'DescribeCluster').message }];
  }
}

async function databaseRow(clients: AwsClients, id: string): Promise<Row> {
  const what = `database ${id}`;
  try {
    const db = (await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })))
      .DBInstances?.[0];
    const pausedAt = db?.TagList?.find((t) => t.Key === PAUSED_AT_TAG)?.Value;
    const r = databaseReadiness({
      status: db?.DBInstanceStatus ?? '?',
      pausedAt: pausedAt && !Number.isNaN(Date.parse(pausedAt)) ? new Date(pausedAt) : undefined,
      engine: `${db?.Engine ?? '?'} ${db?.EngineVersion ?? ''}, ${db?.DBInstanceClass ?? '?'}`,
    });
    return { what, state: db?.DBInstanceStatus ?? '?', ...r };
  } catch (e) {
    if (errorName(e) === 'DBInstanceNotFound' || errorName(e) === 'DBInstanceNotFoundFault') {
      return {
        what,
        state: 'missing',
        ready: false,
        detail: 'not found (not deployed, or another namePrefix)',
      };
    }
    return {
      what,
      state: 'unknown',
      ready: undefined,
      detail: explainAwsError(e, 'DescribeDBInstances').message,
    };
  }
}

// Only when run as a program: tests import the pure helpers above.
if (require.main === module) runMain(() => main(process.argv.slice(2), process.env));
