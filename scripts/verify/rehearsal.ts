/**
 * Deploy/destroy rehearsal of the real CDK lifecycle against a local AWS endpoint (moto server on
 * 127.0.0.1), with no AWS account and no credentials:
 *
 *   cdk synth -c emulator=true  ->  cdk bootstrap  ->  cdk deploy --all  ->  cdk deploy (no changes)
 *   ->  AWS SDK checks of what was created  ->  cdk destroy --all --force  ->  checks nothing remains
 *
 * It is honest about the emulator: it prints which resources were really created, which the
 * emulator skipped (moto logs "No Moto CloudFormation support for X") and which the emulator build
 * leaves out compared with the real template, and fails if a resource of a type moto implements
 * was not created. Bounded: one overall time limit, per-command limits, and the server is stopped
 * on success, failure, time-out and Ctrl-C.
 *
 *   bash scripts/verify/rehearsal.sh [--region eu-west-1] [--time-limit 900] [--real-out cdk.out]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { DescribeDBInstancesCommand, DescribeDBSubnetGroupsCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetBucketEncryptionCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { EnvironmentConfig } from '../../lib/settings/config';
import { physicalNames, SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT } from '../../lib/settings/names';
import { OUTPUT_KEYS, type OutputName } from '../../lib/settings/outputs';
import { loadSettings, REPO_ROOT } from '../lib/settings';
import { table } from '../lib/table';
import { type MotoServer, startMotoServer } from './moto/moto-server';
import {
  checkOutputs,
  classifyResources,
  type ResourceOutcome,
  reportsNoChanges,
  type StackResource,
  shimmedDeleteTypes,
  skippedTypesFromLog,
  summarizeTypes,
  type Template,
} from './rehearsal/outcomes';

const HELP = `Usage: bash scripts/verify/rehearsal.sh [--region REGION] [--time-limit SECONDS] [--real-out DIR]

Runs cdk bootstrap / deploy / deploy (no changes) / destroy with the real CDK CLI against a moto
server on 127.0.0.1 (emulator build: -c emulator=true), checks the resources with the AWS SDK, and
reports what the emulator created, skipped and what the emulator build leaves out.
  --region       region the rehearsal deploys to (default eu-west-1)
  --time-limit   overall limit in seconds (default 900); the server is stopped when it is reached
  --real-out     cloud assembly of the real build to compare with (default cdk.out; synthesized
                 into .cache/rehearsal/ when absent)
The emulator assembly, the CDK CLI log and the moto log stay in .cache/rehearsal/ for a look after.`;

const ACCOUNT = '123456789012';
const WORK = path.join(REPO_ROOT, '.cache', 'rehearsal');
const CDK = path.join(REPO_ROOT, 'node_modules', '.bin', 'cdk');
const CLI_TIMEOUT_MS = 6 * 60_000;

interface Phase {
  name: string;
  ms: number;
  ok: boolean;
  note: string;
}

interface Check {
  area: string;
  what: string;
  ok: boolean;
  detail: string;
  /** A known emulator gap: reported, not failed. */
  gap?: boolean;
}

class RehearsalError extends Error {}

const phases: Phase[] = [];
const checks: Check[] = [];
let moto: MotoServer | undefined;
const children = new Set<ReturnType<typeof spawn>>();

function check(area: string, what: string, ok: boolean, detail: string, gap = false) {
  checks.push({ area, what, ok, detail, gap });
}

/**
 * A property the emulator's CloudFormation does not apply (read in moto 5.2.5's
 * create_from_cloudformation_json for the type): nothing to assert against, so it is listed, not
 * counted as passed. The synth tests (test/lib) and the gates check these in the template.
 */
function notModelled(area: string, what: string, property: string) {
  checks.push({
    area,
    what,
    ok: true,
    detail: `moto's CloudFormation does not apply ${property}`,
    gap: true,
  });
}

async function phase<T>(name: string, fn: () => Promise<T>, note: (t: T) => string = () => ''): Promise<T> {
  const started = Date.now();
  console.log(`\n━━ rehearsal: ${name}`);
  try {
    const t = await fn();
    phases.push({ name, ms: Date.now() - started, ok: true, note: note(t) });
    return t;
  } catch (e) {
    phases.push({ name, ms: Date.now() - started, ok: false, note: (e as Error).message.split('\n')[0] });
    throw e;
  }
}

/** Runs the CDK CLI, echoing its output with a prefix, and returns the output for assertions. */
function cdk(args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(CDK, [...args, '--no-notices'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    const onData = (b: Buffer) => {
      const s = b.toString('utf8');
      out += s;
      fs.appendFileSync(logFile, s);
      // The AWS SDK's Node-version notice is noise here; everything else is the CLI talking.
      for (const line of s.split('\n')) {
        if (
          line.trim() &&
          !/NodeVersionSupportWarning|node >=22|a\.co\/|trace-warnings|continue receiving|security updates|published after|You are running node|^\s*$|npm warn/.test(
            line,
          )
        ) {
          console.log(`   │ ${line}`);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolve(out);
      else
        reject(
          new RehearsalError(
            `cdk ${args[0]} failed (exit ${code ?? signal}); see ${path.relative(REPO_ROOT, logFile)}`,
          ),
        );
    });
  });
}

function readTemplate(outDir: string, artifactId: string): Template {
  return JSON.parse(fs.readFileSync(path.join(outDir, `${artifactId}.template.json`), 'utf8'));
}

async function listStackResources(cfn: CloudFormationClient, stackName: string): Promise<StackResource[]> {
  const out: StackResource[] = [];
  for await (const page of paginateListStackResources({ client: cfn }, { StackName: stackName })) {
    for (const r of page.StackResourceSummaries ?? []) {
      out.push({
        logicalId: r.LogicalResourceId ?? '',
        type: r.ResourceType ?? '',
        physicalId: r.PhysicalResourceId || undefined,
        status: r.ResourceStatus,
      });
    }
  }
  return out;
}

function clients(endpoint: string, region: string) {
  const cfg = {
    region,
    endpoint,
    credentials: { accessKeyId: 'AKIAREHEARSAL0000000', secretAccessKey: 'rehearsal-not-a-secret' },
    maxAttempts: 2,
  };
  return {
    endpoint,
    region,
    cfn: new CloudFormationClient(cfg),
    s3: new S3Client({ ...cfg, forcePathStyle: true }),
    ecr: new ECRClient(cfg),
    ec2: new EC2Client(cfg),
    rds: new RDSClient(cfg),
    iam: new IAMClient(cfg),
    sm: new SecretsManagerClient(cfg),
  };
}
type Clients = ReturnType<typeof clients>;

/** One AWS JSON-protocol call without the SDK's response parsing (moto is the only endpoint this reaches). */
async function rawJsonCall(
  endpoint: string,
  region: string,
  service: string,
  target: string,
  body: object,
): Promise<unknown> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      // moto routes by the credential scope; it does not check the signature.
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAREHEARSAL0000000/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new RehearsalError(`${target} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

const errName = (e: unknown) => (e as { name?: string }).name ?? String(e);

function physicalOf(
  outcomes: readonly ResourceOutcome[],
  type: string,
  logicalPrefix: string,
): string | undefined {
  return outcomes.find(
    (o) => o.type === type && o.logicalId.startsWith(logicalPrefix) && o.outcome === 'created',
  )?.physicalId;
}

/** What the deployed resources look like through the service APIs, against the configured properties. */
async function checkDeployed(c: Clients, config: EnvironmentConfig, outcomes: readonly ResourceOutcome[]) {
  const names = physicalNames(config);
  // S3: both buckets private, encrypted, owner-enforced; the artifact bucket logs into the other.
  const bucket = physicalOf(outcomes, 'AWS::S3::Bucket', 'ArtifactStoreBucket');
  const logs = physicalOf(outcomes, 'AWS::S3::Bucket', 'ArtifactStoreAccessLogs');
  for (const [label, name] of [
    ['artifact bucket', bucket],
    ['access-log bucket', logs],
  ] as const) {
    if (!name) {
      check('S3', `${label} exists`, false, 'not in ListStackResources');
      continue;
    }
    const enc = await c.s3.send(new GetBucketEncryptionCommand({ Bucket: name }));
    const algo =
      enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
    check('S3', `${label} encrypted (SSE-S3)`, algo === 'AES256', `SSEAlgorithm=${algo}`);
  }
  notModelled(
    'S3',
    'public access block, ACLs disabled, versioning, access logging, lifecycle',
    'AWS::S3::Bucket',
  );
  notModelled('S3', 'TLS-only bucket policy', 'AWS::S3::BucketPolicy (type skipped)');

  // ECR: the repository ZenML expects, scanned on push, with its lifecycle rules.
  const repo = (
    await c.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [names.ecrRepositoryName] }))
  ).repositories?.[0];
  check('ECR', `repository '${names.ecrRepositoryName}' exists`, !!repo, repo?.repositoryUri ?? 'missing');
  if (repo) {
    // moto stores the CloudFormation casing ({"ScanOnPush": true}) and returns it as is, which the SDK
    // drops as an unknown member: read the raw answer instead.
    const raw = await rawJsonCall(
      c.endpoint,
      c.region,
      'ecr',
      'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories',
      {
        repositoryNames: [names.ecrRepositoryName],
      },
    );
    const scan = (raw as { repositories?: { imageScanningConfiguration?: Record<string, unknown> }[] })
      .repositories?.[0]?.imageScanningConfiguration;
    const scanOnPush = scan?.scanOnPush ?? scan?.ScanOnPush;
    if (scanOnPush === undefined) {
      notModelled(
        'ECR',
        'scan on push',
        'AWS::ECR::Repository ImageScanningConfiguration (it keeps the key ScanOnPush, which its API answer drops)',
      );
    } else {
      check('ECR', 'scan on push', scanOnPush === true, JSON.stringify(scan));
    }
    check(
      'ECR',
      'encrypted (AES256)',
      repo.encryptionConfiguration?.encryptionType === 'AES256',
      `${repo.encryptionConfiguration?.encryptionType}`,
    );
    check(
      'ECR',
      'tags mutable (ZenML re-pushes tags)',
      repo.imageTagMutability === 'MUTABLE',
      `${repo.imageTagMutability}`,
    );
  }
  notModelled('ECR', 'lifecycle policy', 'AWS::ECR::Repository LifecyclePolicy');

  // EC2: the VPC, its three tiers of subnets in two AZs, NAT, S3 endpoint, the database security group.
  const vpcId = physicalOf(outcomes, 'AWS::EC2::VPC', 'NetworkVpc');
  const vpc = vpcId ? (await c.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs?.[0] : undefined;
  check(
    'EC2',
    `VPC ${config.vpcCidr}`,
    vpc?.CidrBlock === config.vpcCidr,
    `${vpcId ?? 'missing'} ${vpc?.CidrBlock ?? ''}`,
  );
  if (vpcId) {
    const filter = [{ Name: 'vpc-id', Values: [vpcId] }];
    const subnets = (await c.ec2.send(new DescribeSubnetsCommand({ Filters: filter }))).Subnets ?? [];
    const masks = subnets.map((s) => s.CidrBlock?.split('/')[1]).sort();
    check(
      'EC2',
      '6 subnets: 2 public /24, 2 nodes /19, 2 database /27',
      masks.join(',') === '19,19,24,24,27,27',
      `masks ${masks.join(',')}`,
    );
    const azs = new Set(subnets.map((s) => s.AvailabilityZone));
    check('EC2', 'subnets span 2 AZs', azs.size === 2, [...azs].join(', '));
    notModelled('EC2', 'no subnet assigns public IPs on launch', 'AWS::EC2::Subnet MapPublicIpOnLaunch');
    const nats = (await c.ec2.send(new DescribeNatGatewaysCommand({ Filter: filter }))).NatGateways ?? [];
    const liveNats = nats.filter((n) => n.State !== 'deleted');
    check(
      'EC2',
      `${config.natGateways} NAT gateway(s)`,
      liveNats.length === config.natGateways,
      `${liveNats.length}`,
    );
    const igws =
      (
        await c.ec2.send(
          new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }),
        )
      ).InternetGateways ?? [];
    check('EC2', 'internet gateway attached', igws.length === 1, `${igws.length}`);
    const eps = (await c.ec2.send(new DescribeVpcEndpointsCommand({ Filters: filter }))).VpcEndpoints ?? [];
    check(
      'EC2',
      'S3 gateway endpoint',
      eps.some((e) => /\.s3$/.test(e.ServiceName ?? '') && e.VpcEndpointType === 'Gateway'),
      eps.map((e) => e.ServiceName).join(', ') || 'none',
    );
    const rts = (await c.ec2.send(new DescribeRouteTablesCommand({ Filters: filter }))).RouteTables ?? [];
    const dbSubnetIds = new Set(subnets.filter((s) => s.CidrBlock?.endsWith('/27')).map((s) => s.SubnetId));
    const dbRoutesOut = rts
      .filter((rt) => rt.Associations?.some((a) => dbSubnetIds.has(a.SubnetId)))
      .flatMap((rt) => rt.Routes ?? [])
      .filter((r) => r.DestinationCidrBlock === '0.0.0.0/0');
    check(
      'EC2',
      'database subnets have no route to the internet',
      dbRoutesOut.length === 0,
      `${dbRoutesOut.length} default route(s)`,
    );
    const sgs =
      (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: filter }))).SecurityGroups ?? [];
    const dbSg = sgs.find((g) => g.Description?.startsWith('ZenML metadata MySQL'));
    check('EC2', 'database security group exists', !!dbSg, dbSg?.GroupId ?? 'missing');
    if (dbSg) {
      const open = (dbSg.IpPermissions ?? []).filter((p) =>
        p.IpRanges?.some((r) => r.CidrIp === '0.0.0.0/0'),
      );
      check(
        'EC2',
        'database security group admits nothing from 0.0.0.0/0',
        open.length === 0,
        `${open.length} open rule(s)`,
      );
      const cidrs = (dbSg.IpPermissions ?? []).flatMap((p) =>
        (p.IpRanges ?? []).map((r) => `${r.CidrIp}:${p.FromPort}`),
      );
      const want = config.mysqlAllowedCidrs.map((cidr) => `${cidr}:3306`).sort();
      check(
        'EC2',
        `database ingress CIDRs = mysqlAllowedCidrs (${want.length})`,
        JSON.stringify(cidrs.sort()) === JSON.stringify(want),
        cidrs.join(', ') || 'none',
      );
    }
  }

  // RDS: private, encrypted, backed up, in the isolated subnets, with the configured class and engine.
  const dbs =
    (await c.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: names.databaseIdentifier })))
      .DBInstances ?? [];
  const db = dbs[0];
  check('RDS', `instance '${names.databaseIdentifier}' exists`, !!db, db?.DBInstanceStatus ?? 'missing');
  if (db) {
    check(
      'RDS',
      'not publicly accessible',
      db.PubliclyAccessible === false,
      `PubliclyAccessible=${db.PubliclyAccessible}`,
    );
    check(
      'RDS',
      'storage encrypted',
      db.StorageEncrypted === true,
      `StorageEncrypted=${db.StorageEncrypted}`,
    );
    check(
      'RDS',
      `engine mysql ${config.mysqlEngineVersion}`,
      db.Engine === 'mysql' && db.EngineVersion === config.mysqlEngineVersion,
      `${db.Engine} ${db.EngineVersion}`,
    );
    check(
      'RDS',
      `class ${config.dbInstanceClass}`,
      db.DBInstanceClass === config.dbInstanceClass,
      `${db.DBInstanceClass}`,
    );
    check('RDS', 'backups kept 7 days', db.BackupRetentionPeriod === 7, `${db.BackupRetentionPeriod}`);
    notModelled(
      'RDS',
      'IAM database authentication, deletion protection',
      'AWS::RDS::DBInstance EnableIAMDatabaseAuthentication, DeletionProtection',
    );
    notModelled(
      'RDS',
      'only the database security group attached',
      'AWS::RDS::DBInstance VPCSecurityGroups (it reads VpcSecurityGroupIds)',
    );
    check(
      'RDS',
      `${config.dbAllocatedStorage} GiB gp3`,
      db.AllocatedStorage === config.dbAllocatedStorage && db.StorageType === 'gp3',
      `${db.AllocatedStorage} GiB ${db.StorageType}`,
    );
    const group = db.DBSubnetGroup?.DBSubnetGroupName;
    const sg = group
      ? (await c.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: group })))
          .DBSubnetGroups?.[0]
      : undefined;
    const subnetIds = (sg?.Subnets ?? []).map((s) => s.SubnetIdentifier ?? '');
    if (vpcId && subnetIds.length > 0) {
      const subnets = (await c.ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }))).Subnets ?? [];
      check(
        'RDS',
        'in the 2 isolated database subnets',
        subnets.length === 2 && subnets.every((s) => s.CidrBlock?.endsWith('/27')),
        subnets.map((s) => s.CidrBlock).join(', '),
      );
    } else {
      check('RDS', 'in the 2 isolated database subnets', false, `subnet group ${group ?? 'missing'}`);
    }
  }

  // IAM: the Spark Pod Identity role, trusted by the EKS Pod Identity service only, scoped to this bucket.
  const roleName = `${config.namePrefix}-spark-pods`;
  try {
    const role = (await c.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    const trust = JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? '{}'));
    const principals = (trust.Statement ?? []).map(
      (s: { Principal?: { Service?: string } }) => s.Principal?.Service,
    );
    check(
      'IAM',
      `role '${roleName}' trusted by pods.eks.amazonaws.com only`,
      principals.length > 0 && principals.every((p: unknown) => p === 'pods.eks.amazonaws.com'),
      JSON.stringify(principals),
    );
    const inline = (await c.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
    let resources: string[] = [];
    for (const p of inline) {
      const doc = JSON.parse(
        decodeURIComponent(
          (await c.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: p })))
            .PolicyDocument ?? '{}',
        ),
      );
      for (const s of doc.Statement ?? []) resources = resources.concat(s.Resource ?? []);
    }
    const s3Resources = resources.filter((r) => r.startsWith('arn:aws:s3:'));
    check(
      'IAM',
      'Spark role reaches only the artifact bucket in S3',
      !!bucket &&
        s3Resources.length > 0 &&
        s3Resources.every((r) => r === `arn:aws:s3:::${bucket}` || r === `arn:aws:s3:::${bucket}/*`),
      s3Resources.join(', ') || `no S3 statements (inline policies: ${inline.join(', ') || 'none'})`,
    );
  } catch (e) {
    check('IAM', `role '${roleName}' exists`, false, errName(e));
  }

  // Secrets Manager: moto's CloudFormation skips AWS::SecretsManager::*, so the secret is absent.
  const secrets = (await c.sm.send(new ListSecretsCommand({}))).SecretList ?? [];
  const rdsSecret = secrets.find((s) => s.Name === names.rdsSecretName);
  if (rdsSecret) check('Secrets', `'${names.rdsSecretName}' exists`, true, rdsSecret.ARN ?? '');
  else
    notModelled(
      'Secrets',
      `'${names.rdsSecretName}' (generated DB credentials)`,
      'AWS::SecretsManager::Secret (type skipped)',
    );
}

/** The stack outputs ZenML's scripts read: present, and equal to what the resources are. */
function checkOutputValues(
  config: EnvironmentConfig,
  region: string,
  emu: Template,
  outcomes: readonly ResourceOutcome[],
  outputs: Readonly<Record<string, string>>,
) {
  const names = physicalNames(config);
  const bucket = physicalOf(outcomes, 'AWS::S3::Bucket', 'ArtifactStoreBucket');
  const registry = `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com`;
  const expected: Partial<Record<OutputName, string>> = {
    region,
    artifactBucketName: bucket,
    artifactStorePath: `s3://${bucket}`,
    ecrRepositoryUri: `${registry}/${names.ecrRepositoryName}`,
    containerRegistryUri: registry,
    sparkNamespace: SPARK_NAMESPACE,
    sparkServiceAccount: SPARK_SERVICE_ACCOUNT,
    sparkRoleArn: `arn:aws:iam::${ACCOUNT}:role/${config.namePrefix}-spark-pods`,
    databasePort: '3306',
  };
  for (const [name, want] of Object.entries(expected) as [OutputName, string][]) {
    const key = OUTPUT_KEYS[name];
    check('outputs', `${key} = ${want}`, outputs[key] === want, outputs[key] ?? '(missing)');
  }
  const endpoint = outputs[OUTPUT_KEYS.databaseEndpoint] ?? '';
  check(
    'outputs',
    'DatabaseEndpoint names the DB instance',
    endpoint.startsWith(`${names.databaseIdentifier}.`),
    endpoint || '(missing)',
  );
  for (const o of checkOutputs(emu, outcomes, outputs)) {
    if (o.dependsOnSkipped.length > 0 && o.value === undefined) {
      notModelled(
        'outputs',
        `${o.name} (refers to ${o.dependsOnSkipped.join(', ')})`,
        `the resource it refers to (skipped): moto leaves the output out`,
      );
    } else if (o.value === undefined) {
      check('outputs', `${o.name} present`, false, '(missing)');
    }
  }
}

/** After destroy: the stack and everything moto can delete is gone; the DB instance is a known moto gap. */
async function checkDestroyed(
  c: Clients,
  config: EnvironmentConfig,
  stackName: string,
  outcomes: readonly ResourceOutcome[],
) {
  const names = physicalNames(config);
  try {
    const s = (await c.cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    check('destroy', `stack ${stackName} deleted`, s?.StackStatus === 'DELETE_COMPLETE', `${s?.StackStatus}`);
  } catch (e) {
    check('destroy', `stack ${stackName} deleted`, /does not exist/.test((e as Error).message), errName(e));
  }
  for (const o of outcomes.filter((x) => x.type === 'AWS::S3::Bucket' && x.physicalId)) {
    let gone = false;
    try {
      await c.s3.send(new HeadBucketCommand({ Bucket: o.physicalId }));
    } catch (e) {
      gone = /NotFound|NoSuchBucket/.test(errName(e));
    }
    check('destroy', `bucket ${o.logicalId} deleted`, gone, o.physicalId ?? '');
  }
  try {
    await c.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [names.ecrRepositoryName] }));
    check('destroy', `repository '${names.ecrRepositoryName}' deleted`, false, 'still there');
  } catch (e) {
    check(
      'destroy',
      `repository '${names.ecrRepositoryName}' deleted`,
      errName(e) === 'RepositoryNotFoundException',
      errName(e),
    );
  }
  const vpcs =
    (await c.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: [config.vpcCidr] }] })))
      .Vpcs ?? [];
  check('destroy', `VPC ${config.vpcCidr} deleted`, vpcs.length === 0, `${vpcs.length} left`);
  const vpcIds = outcomes.filter((o) => o.type === 'AWS::EC2::VPC').map((o) => o.physicalId ?? '');
  const subnets =
    (await c.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: vpcIds }] })))
      .Subnets ?? [];
  check('destroy', 'subnets deleted', subnets.length === 0, `${subnets.length} left`);
  const sgIds = outcomes
    .filter((o) => o.type === 'AWS::EC2::SecurityGroup' && o.physicalId)
    .map((o) => o.physicalId as string);
  const sgs =
    (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: sgIds }] })))
      .SecurityGroups ?? [];
  check('destroy', 'security groups deleted', sgs.length === 0, `${sgs.length} left`);
  const nats = (
    (await c.ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: vpcIds }] })))
      .NatGateways ?? []
  ).filter((n) => n.State !== 'deleted');
  check('destroy', 'NAT gateways deleted', nats.length === 0, `${nats.length} left`);
  const eps =
    (await c.ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: vpcIds }] })))
      .VpcEndpoints ?? [];
  const liveEps = eps.filter((e) => String(e.State).toLowerCase() !== 'deleted');
  check('destroy', 'VPC endpoints deleted', liveEps.length === 0, `${liveEps.length} left`);
  for (const o of outcomes.filter((x) => x.type === 'AWS::IAM::Role' && x.physicalId)) {
    try {
      await c.iam.send(new GetRoleCommand({ RoleName: o.physicalId }));
      check('destroy', `role ${o.physicalId} deleted`, false, 'still there');
    } catch (e) {
      check('destroy', `role ${o.physicalId} deleted`, errName(e) === 'NoSuchEntityException', errName(e));
    }
  }
  const dbs = await c.rds
    .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: names.databaseIdentifier }))
    .then((r) => r.DBInstances ?? [])
    .catch(() => []);
  // moto 5.2.5 deletes a DB instance on DeleteStack (its model has a delete), so this is a real check.
  check(
    'destroy',
    `DB instance '${names.databaseIdentifier}' deleted`,
    dbs.length === 0,
    dbs.length === 0 ? 'deleted' : `still ${dbs[0].DBInstanceStatus}`,
  );
}

async function main(): Promise<number> {
  const started = Date.now();
  const { values } = parseArgs({
    options: {
      region: { type: 'string', default: 'eu-west-1' },
      'time-limit': { type: 'string', default: '900' },
      'real-out': { type: 'string', default: 'cdk.out' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const limitS = Number(values['time-limit']);
  if (!Number.isInteger(limitS) || limitS < 60)
    throw new RehearsalError(`--time-limit ${values['time-limit']}: expected whole seconds >= 60`);
  const region = values.region as string;
  const limit = setTimeout(() => {
    console.error(`\nrehearsal: time limit of ${limitS} s reached; stopping`);
    void shutdown(124);
  }, limitS * 1000);
  limit.unref();

  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const emuOut = path.join(WORK, 'cdk.out.emulator');
  const cliLog = path.join(WORK, 'cdk-cli.log');
  const config = loadSettings({ emulator: 'true' });
  const stackName = physicalNames(config).stackName;
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => k.startsWith('ZENML_SPARK_') || k === 'XDG_CACHE_HOME'),
    ),
  };

  await phase('synth (emulator build, -c emulator=true)', () =>
    cdk(['synth', '--quiet', '-c', 'emulator=true', '--output', emuOut], baseEnv, cliLog),
  );
  const manifest = JSON.parse(fs.readFileSync(path.join(emuOut, 'manifest.json'), 'utf8'));
  const artifactId = Object.entries<{ type: string }>(manifest.artifacts).find(
    ([, a]) => a.type === 'aws:cloudformation:stack',
  )?.[0];
  if (!artifactId) throw new RehearsalError('the emulator assembly has no stack');
  const emuTemplate = readTemplate(emuOut, artifactId);

  let realOut = path.resolve(REPO_ROOT, values['real-out'] as string);
  if (!fs.existsSync(path.join(realOut, `${artifactId}.template.json`))) {
    realOut = path.join(WORK, 'cdk.out.real');
    await phase('synth (real build, to compare)', () =>
      cdk(['synth', '--quiet', '--output', realOut], baseEnv, cliLog),
    );
  }
  const realTemplate = readTemplate(realOut, artifactId);

  moto = await phase(
    'start moto server',
    () =>
      startMotoServer({
        accountId: ACCOUNT,
        logFile: path.join(WORK, 'moto.log'),
        // Loads rehearsal_moto/sitecustomize.py: the CloudFormation deletes moto lacks for nine EC2 types.
        env: { PYTHONPATH: path.join(__dirname, 'rehearsal', 'moto-shims') },
      }),
    (m) => m.endpoint,
  );
  if (!shimmedDeleteTypes(moto.readLog()).loaded) {
    throw new RehearsalError(
      'the moto server did not load scripts/verify/rehearsal/moto-shims/sitecustomize.py',
    );
  }
  // moto resolves a change set's TemplateURL as path-style only when the URL says "localhost";
  // localhost is the same loopback server (127.0.0.1 in /etc/hosts).
  const endpoint = `http://localhost:${moto.port}`;
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'AKIAREHEARSAL0000000',
    AWS_SECRET_ACCESS_KEY: 'rehearsal-not-a-secret',
  };
  const c = clients(endpoint, region);
  const app = ['--app', emuOut];

  await phase('cdk bootstrap', () => cdk(['bootstrap', ...app, `aws://${ACCOUNT}/${region}`], env, cliLog));
  await phase('cdk deploy --all', () =>
    cdk(['deploy', ...app, '--all', '--require-approval', 'never'], env, cliLog),
  );
  const second = await phase(
    'cdk deploy --all (again: must report no changes)',
    () => cdk(['deploy', ...app, '--all', '--require-approval', 'never'], env, cliLog),
    (out) => (reportsNoChanges(out, stackName) ? 'no changes' : 'CHANGES'),
  );
  check(
    'lifecycle',
    'second deploy reports no changes',
    reportsNoChanges(second, stackName),
    reportsNoChanges(second, stackName) ? '(no changes)' : 'the CLI deployed again',
  );

  const deployed = await phase('inspect the deployed stack (CloudFormation + service APIs)', async () => {
    const stack = (await c.cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    check(
      'lifecycle',
      'stack CREATE_COMPLETE after deploy',
      /^(CREATE|UPDATE)_COMPLETE$/.test(stack?.StackStatus ?? ''),
      `${stack?.StackStatus}`,
    );
    const deployedTemplate = JSON.parse(
      (await c.cfn.send(new GetTemplateCommand({ StackName: stackName }))).TemplateBody ?? '{}',
    );
    check(
      'lifecycle',
      'deployed template = emulator build',
      Object.keys(deployedTemplate.Resources ?? {}).length === Object.keys(emuTemplate.Resources).length,
      `${Object.keys(deployedTemplate.Resources ?? {}).length} resources`,
    );
    const resources = await listStackResources(c.cfn, stackName);
    const skippedTypes = skippedTypesFromLog(moto?.readLog() ?? '');
    const outcomes = classifyResources(emuTemplate, resources, skippedTypes);
    const outputs = Object.fromEntries(
      (stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
    );
    await checkDeployed(c, config, outcomes);
    checkOutputValues(config, region, emuTemplate, outcomes, outputs);
    return { outcomes, outputs, skippedTypes };
  });

  await phase('cdk destroy --all --force', () => cdk(['destroy', ...app, '--all', '--force'], env, cliLog));
  await phase('check nothing remains', () => checkDestroyed(c, config, stackName, deployed.outcomes));

  report(
    realTemplate,
    emuTemplate,
    deployed.outcomes,
    deployed.outputs,
    shimmedDeleteTypes(moto.readLog()),
    Date.now() - started,
  );
  const notCreated = deployed.outcomes.filter((o) => o.outcome === 'NOT CREATED');
  const failedChecks = checks.filter((x) => !x.ok);
  return notCreated.length === 0 && failedChecks.length === 0 ? 0 : 1;
}

function report(
  real: Template,
  emu: Template,
  outcomes: readonly ResourceOutcome[],
  outputs: Record<string, string>,
  shim: ReturnType<typeof shimmedDeleteTypes>,
  totalMs: number,
) {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log('\nPhases');
  console.log(
    table(
      ['phase', 'result', 'time', 'note'],
      phases.map((p) => [p.name, p.ok ? 'ok' : 'FAIL', s(p.ms), p.note]),
    ),
  );

  console.log('\nResource types: real template vs emulator build vs what the emulator did');
  const types = summarizeTypes(real, emu, outcomes);
  console.log(
    table(
      ['type', 'real', 'emulator build', 'created', 'skipped by moto', 'NOT created'],
      types.map((t) => [
        t.type,
        String(t.real),
        String(t.emulatorBuild),
        String(t.created),
        String(t.skipped),
        String(t.notCreated),
      ]),
    ),
  );
  const leftOut = types.filter((t) => t.emulatorBuild < t.real);
  console.log(
    `\n  left out by the emulator build (-c emulator=true): ${leftOut.map((t) => `${t.type} x${t.real - t.emulatorBuild}`).join(', ') || 'nothing'}`,
  );
  const skipped = [
    ...new Set(outcomes.filter((o) => o.outcome === 'skipped by emulator').map((o) => o.type)),
  ];
  console.log(
    `  skipped by moto (logged "No Moto CloudFormation support"): ${skipped.join(', ') || 'nothing'}`,
  );
  const notCreated = outcomes.filter((o) => o.outcome === 'NOT CREATED');
  if (notCreated.length > 0) {
    console.log(
      `  NOT CREATED although moto implements the type: ${notCreated.map((o) => `${o.logicalId} (${o.type})`).join(', ')}`,
    );
  }

  console.log('\nOutputs of the emulator deploy');
  console.log(
    table(
      ['output', 'value', 'note'],
      checkOutputs(emu, outcomes, outputs).map((o) => [
        o.name,
        o.value === undefined ? '(none)' : o.value.length > 60 ? `${o.value.slice(0, 57)}...` : o.value,
        o.dependsOnSkipped.length > 0
          ? `refers to ${o.dependsOnSkipped.join(', ')}, not created by the emulator`
          : '',
      ]),
    ),
  );

  console.log('\nChecks');
  console.log(
    table(
      ['area', 'check', 'result', 'detail'],
      checks.map((x) => [
        x.area,
        x.what,
        x.gap ? 'not modelled' : x.ok ? 'ok' : 'FAIL',
        x.detail.length > 90 ? `${x.detail.slice(0, 87)}...` : x.detail,
      ]),
    ),
  );
  console.log(
    `\nCloudFormation deletes the rehearsal supplied to moto (it has none for ${shim.types.length} EC2 types; scripts/verify/rehearsal/moto-shims):` +
      ` ${[...shim.deleted].map(([t, n]) => `${t} x${n}`).join(', ') || 'none needed'}`,
  );
  const failed = checks.filter((x) => !x.ok).length + notCreated.length;
  const gaps = checks.filter((x) => x.gap).length;
  console.log(`\n${gaps} check(s) name what the emulator does not model: listed above, counted as skipped.`);
  if (notCreated.length > 0)
    console.log(
      `${notCreated.length} resource(s) of types moto implements were NOT created: counted as failed.`,
    );
  console.log(`rehearsal took ${s(totalMs)}`);
  // The plain closing line test runners print, so CI logs read the same for every suite.
  console.log(
    `rehearsal: ${checks.length - gaps - (failed - notCreated.length)} passed, ${failed} failed, ${gaps} skipped`,
  );
}

let shuttingDown = false;
async function shutdown(code: number) {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const child of children) child.kill('SIGKILL');
  await moto?.stop().catch(() => undefined);
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void shutdown(130));

main()
  .then(async (code) => {
    await moto?.stop();
    process.exitCode = code;
  })
  .catch(async (e) => {
    console.error(`\nrehearsal failed: ${(e as Error).message}`);
    if (phases.length > 0) {
      console.error(
        table(
          ['phase', 'result', 'time', 'note'],
          phases.map((p) => [p.name, p.ok ? 'ok' : 'FAIL', `${(p.ms / 1000).toFixed(1)} s`, p.note]),
        ),
      );
    }
    if (moto) {
      const tail = moto.readLog().split('\n').slice(-15).join('\n');
      console.error(`\nlast lines of the moto log (${moto.logFile}):\n${tail}`);
    }
    await moto?.stop().catch(() => undefined);
    process.exitCode = 1;
  });
