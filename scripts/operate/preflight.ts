/**
 * Before a 20-minute deploy: who will deploy, where, and whether the deploy can succeed and leave
 * the deployer able to use the cluster. Exits 1 on any blocking problem.
 *
 *   npm run preflight [-- --region R] [-c key=value]
 */
import {
  type _InstanceType,
  DescribeInstanceTypeOfferingsCommand,
  DescribeRegionsCommand,
} from '@aws-sdk/client-ec2';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { emulatorTargetProblem } from '../../lib/settings/emulator';
import { readRawSettings } from '../../lib/settings/read-settings';
import { synthesizeTemplates } from '../estimate/app-templates';
import {
  type AwsClients,
  awsClients,
  endpointFromEnv,
  explainAwsError,
  resolvedRegion,
} from '../lib/aws-clients';
import { CliError, EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { cdkJsonContext, contextSourceOf, parseContextPairs } from '../lib/settings';
import { table } from '../lib/table';
import { bootstrapVersion, MIN_BOOTSTRAP_VERSION } from './bootstrap';
import { leftoverRows } from './leftovers';
import { type Caller, matchingAdmin, parseCallerArn } from './principals';
import { type DeployedStack, describeStack, stackCondition } from './stack-outputs';
import { COMMON_HELP, COMMON_OPTIONS, resolveTarget, type Target } from './target';

const USAGE = 'Usage: npm run preflight -- [--toolkit-stack-name NAME] [options]';
const HELP = `${USAGE}

Checks, before 'npm run cdk -- deploy', with the same settings the app uses:
  credentials and the account/principal that will deploy; the region (known, enabled); the CDK
  bootstrap stack there (and its version); the Kubernetes version and node instance type (and
  that the type is offered in the region); that clusterAdminPrincipalArns includes you (or you
  will be locked out of kubectl); the API endpoint's reachability; an existing stack's state; and,
  when there is no stack, anything with a fixed name an earlier deploy left (removalMode=retain
  keeps the ECR repository, the database's log groups and secret), with how to adopt or remove it.
Exits 1 when a check fails; 'warn' rows do not block.

Options:
  --toolkit-stack-name NAME   the CDK bootstrap stack (default: CDKToolkit)
${COMMON_HELP}

${EXIT_CODES_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  'toolkit-stack-name': { type: 'string', default: 'CDKToolkit' },
} satisfies FlagOptions;

type Result = 'ok' | 'warn' | 'FAIL' | 'skip';
interface Row {
  readonly check: string;
  readonly result: Result;
  readonly detail: string;
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parseFlags(argv, OPTIONS, USAGE);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const target = resolveTarget(flags, env);
  const cdkJson = cdkJsonContext();
  const cliContext = parseContextPairs(flags.context ?? []);
  const raw = readRawSettings({ ...cdkJson, ...cliContext }, env, (key) => contextSourceOf(key, cliContext));
  const sourceOf = (key: string) => raw[key]?.source ?? 'default';
  const rows: Row[] = [];
  const add = (check: string, result: Result, detail: string) => rows.push({ check, result, detail });

  const endpoint = endpointFromEnv(env);
  const emulatorProblem = emulatorTargetProblem(
    target.config.emulator,
    endpoint,
    `npm run preflight checks a deploy to stack ${target.stackName}`,
  );
  if (emulatorProblem) throw new CliError(`emulator=true (from ${sourceOf('emulator')}) ${emulatorProblem}`);
  const clients = awsClients({ region: target.region, endpoint });
  const region = await resolvedRegion(clients);
  const known = RegionInfo.regions.some((r) => r.name === region);
  add(
    'region',
    known ? 'ok' : 'FAIL',
    known
      ? `${region} (from ${target.regionSource})`
      : `'${region}' (from ${target.regionSource}) is not an AWS region aws-cdk-lib knows; e.g. eu-west-1, us-east-1`,
  );
  add('kubernetes version', 'ok', `${target.config.kubernetesVersion} (${sourceOf('kubernetesVersion')})`);

  let caller: Caller | undefined;
  if (known) {
    try {
      const id = await clients.sts.send(new GetCallerIdentityCommand({}));
      caller = parseCallerArn(id.Arn ?? '');
      add('credentials', 'ok', `${id.Arn} (account ${id.Account})`);
    } catch (e) {
      add('credentials', 'FAIL', explainAwsError(e, 'GetCallerIdentity', region).message);
    }
  }
  if (caller) {
    const existing = await awsChecks(
      clients,
      target,
      region,
      caller,
      add,
      flags['toolkit-stack-name'],
      sourceOf,
    );
    // With no stack, every fixed-name resource that exists is a leftover the deploy would collide with.
    if (!existing) {
      const template = synthesizeTemplates(cliContext, env).stacks[0].template;
      const leftovers = await leftoverRows(template, {
        clients,
        region,
        endpoint,
        stackName: target.stackName,
        contextFlags: flags.context ?? [],
      });
      for (const r of leftovers) add(r.check, r.result, r.detail);
    }
  } else {
    for (const check of [
      'account',
      'region enabled',
      'cdk bootstrap',
      'node instance type',
      'cluster admin',
      'stack',
    ]) {
      add(check, 'skip', known ? 'needs working credentials' : 'needs a valid region');
    }
  }
  add(
    'api endpoint',
    target.config.clusterEndpointPublicCidrs.length > 0 ? 'ok' : 'warn',
    target.config.clusterEndpointPublicCidrs.length > 0
      ? `public, for ${target.config.clusterEndpointPublicCidrs.join(', ')}`
      : 'private only: kubectl and the Spark step operator (spark-submit) must run inside the VPC, ' +
          'or set clusterEndpointPublicCidrs=<your IP>/32',
  );

  const order = ['region', 'credentials', 'account', 'region enabled', 'cdk bootstrap', 'kubernetes version'];
  rows.sort((a, b) => rank(order, a.check) - rank(order, b.check));
  const account = caller?.account ? `, account ${caller.account}` : '';
  console.log(
    `Preflight for stack ${target.stackName} in ${region}${account}${endpoint ? ` (endpoint ${endpoint})` : ''}\n`,
  );
  console.log(
    table(
      ['check', 'result', 'detail'],
      rows.map((r) => [r.check, r.result, r.detail]),
    ),
  );
  const failed = rows.filter((r) => r.result === 'FAIL');
  if (failed.length > 0) {
    console.log(
      `\n${failed.length} blocking problem${failed.length > 1 ? 's' : ''}: ${failed.map((r) => r.check).join(', ')}`,
    );
    for (const r of failed) process.stderr.write(`error: ${r.check}: ${r.detail}\n`);
    return 1;
  }
  console.log('\nReady to deploy: npm run cdk -- deploy');
  return 0;
}

const rank = (order: string[], check: string) =>
  order.includes(check) ? order.indexOf(check) : order.length;

async function awsChecks(
  clients: AwsClients,
  target: Target,
  region: string,
  caller: Caller,
  add: (check: string, result: Result, detail: string) => void,
  toolkitStackName: string,
  sourceOf: (key: string) => string,
): Promise<DeployedStack | undefined> {
  const { config } = target;
  if (config.account && config.account !== caller.account) {
    add(
      'account',
      'FAIL',
      `setting account=${config.account}, but your credentials are for ${caller.account}`,
    );
  } else {
    add(
      'account',
      'ok',
      config.account ? `${caller.account} (matches setting account)` : `${caller.account} (yours)`,
    );
  }

  try {
    const res = await clients.ec2.send(
      new DescribeRegionsCommand({ AllRegions: true, RegionNames: [region] }),
    );
    const status = res.Regions?.[0]?.OptInStatus;
    add(
      'region enabled',
      status === 'not-opted-in' ? 'FAIL' : 'ok',
      status === 'not-opted-in'
        ? `${region} is an opt-in region not enabled for account ${caller.account}; enable it in the account settings`
        : `${region} (${status ?? 'enabled'})`,
    );
  } catch (e) {
    add('region enabled', 'warn', `could not check: ${explainAwsError(e, 'DescribeRegions').message}`);
  }

  const toolkit = await describeStack(clients.cloudFormation, toolkitStackName);
  const bootstrapCmd = `npm run cdk -- bootstrap aws://${caller.account}/${region}`;
  if (!toolkit) {
    add('cdk bootstrap', 'FAIL', `no ${toolkitStackName} stack in ${region}: run '${bootstrapCmd}'`);
  } else if (!['ready', 'rolled-back-update'].includes(stackCondition(toolkit.status))) {
    add(
      'cdk bootstrap',
      'FAIL',
      `${toolkitStackName} is ${toolkit.status}: fix it, then run '${bootstrapCmd}'`,
    );
  } else {
    const version = await bootstrapVersion(clients.cloudFormation, toolkit);
    if (version === undefined) {
      add('cdk bootstrap', 'warn', `${toolkitStackName} (${toolkit.status}); its version could not be read`);
    } else if (version < MIN_BOOTSTRAP_VERSION) {
      add(
        'cdk bootstrap',
        'FAIL',
        `${toolkitStackName} version ${version} is older than ${MIN_BOOTSTRAP_VERSION}: run '${bootstrapCmd}'`,
      );
    } else {
      add('cdk bootstrap', 'ok', `${toolkitStackName} version ${version} (${toolkit.status})`);
    }
  }

  // Both pools' instance types: a type the region does not offer leaves its pool without nodes.
  for (const [check, key] of [
    ['node instance type', 'nodeInstanceType'],
    ['system instance type', 'systemNodeInstanceType'],
  ] as const) {
    const type = config[key];
    try {
      const res = await clients.ec2.send(
        new DescribeInstanceTypeOfferingsCommand({
          LocationType: 'region',
          Filters: [{ Name: 'instance-type', Values: [type as _InstanceType] }],
        }),
      );
      const offered = (res.InstanceTypeOfferings ?? []).length > 0;
      add(
        check,
        offered ? 'ok' : 'FAIL',
        `${type} (${sourceOf(key)})${offered ? `, offered in ${region}` : ` is not offered in ${region}; choose another (-c ${key}=...)`}`,
      );
    } catch (e) {
      add(
        check,
        'warn',
        `${type} (${sourceOf(key)}); could not check: ${explainAwsError(e, 'DescribeInstanceTypeOfferings').message}`,
      );
    }
  }

  add('cluster admin', ...(await adminCheck(clients, caller, config.clusterAdminPrincipalArns)));

  const existing = await describeStack(clients.cloudFormation, target.stackName);
  if (!existing) {
    add('stack', 'ok', `${target.stackName} not deployed yet: the deploy creates it`);
  } else {
    const condition = stackCondition(existing.status);
    const blocked = condition === 'failed' || condition === 'in-progress';
    add(
      'stack',
      blocked ? 'FAIL' : 'ok',
      blocked
        ? `${target.stackName} is ${existing.status}: ${condition === 'in-progress' ? 'wait for it to finish' : "a deploy cannot update it; 'npm run cdk -- destroy' it first"}`
        : `${target.stackName} is ${existing.status}: the deploy updates it`,
    );
  }
  return existing;
}

async function adminCheck(
  clients: AwsClients,
  caller: Caller,
  admins: readonly string[],
): Promise<[Result, string]> {
  if (caller.kind === 'root') {
    return [
      'FAIL',
      'you are the account root user; deploy as an IAM user or role and list it in clusterAdminPrincipalArns',
    ];
  }
  if (caller.kind === 'other')
    return ['warn', `cannot tell whether ${caller.arn} is an admin; check clusterAdminPrincipalArns`];
  const match = matchingAdmin(caller, admins);
  if (match) return ['ok', `you are in clusterAdminPrincipalArns (${match})`];
  let yours = caller.kind === 'user' ? caller.arn : `arn:aws:iam::${caller.account}:role/${caller.roleName}`;
  if (caller.kind === 'role') {
    // The session ARN drops the role's path; the access entry needs the role's real ARN.
    try {
      yours = (await clients.iam.send(new GetRoleCommand({ RoleName: caller.roleName }))).Role?.Arn ?? yours;
    } catch {
      yours += ' (if the role has a path, insert it after role/)';
    }
  }
  const list = admins.length > 0 ? `the list has ${admins.join(', ')}` : 'the list is empty';
  return [
    'FAIL',
    `you would be locked out of kubectl: ${list}; add yourself: -c clusterAdminPrincipalArns=${yours}`,
  ];
}

// Only when run as a program: tests import the pure helpers above.
if (require.main === module) runMain(() => main(process.argv.slice(2), process.env));
