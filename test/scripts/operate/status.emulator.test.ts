/**
 * `status` against a real moto server: the EKS cluster, node groups and RDS instance are created
 * with moto's EKS and RDS APIs (its CloudFormation skips EKS), the stack through CloudFormation.
 */
import { CreateClusterCommand, CreateNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import {
  AddTagsToResourceCommand,
  CreateDBInstanceCommand,
  RDSClient,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { databaseReadiness, nodegroupReadiness } from '../../../scripts/operate/status';
import { type MotoServer, startMotoServer } from '../../../scripts/verify/moto/moto-server';
import {
  createFixtureStack,
  createSecret,
  DB_HOST,
  isolatedEnv,
  REGION,
  rdsSecretValue,
  runCli,
} from '../emulator-fixtures';

jest.setTimeout(120_000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMotoServer();
});
afterAll(async () => {
  await moto?.stop();
});

const cfg = () => ({
  region: REGION,
  endpoint: moto.endpoint,
  credentials: { accessKeyId: 'AKIAFIXTURE', secretAccessKey: 'x' },
});

async function cluster(desiredNodes: number): Promise<string> {
  const eks = new EKSClient(cfg());
  const c = await eks.send(
    new CreateClusterCommand({
      name: 'zenml-spark',
      version: '1.36',
      roleArn: `arn:aws:iam::${moto.accountId}:role/cluster`,
      resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
    }),
  );
  await eks.send(
    new CreateNodegroupCommand({
      clusterName: 'zenml-spark',
      nodegroupName: 'spark-nodes',
      nodeRole: `arn:aws:iam::${moto.accountId}:role/node`,
      subnets: ['subnet-1'],
      instanceTypes: ['t3a.xlarge'],
      scalingConfig: { minSize: 0, desiredSize: desiredNodes, maxSize: 4 },
    }),
  );
  return c.cluster?.endpoint as string;
}

/** The table row of one resource: [state, ready, detail]. */
function row(stdout: string, resource: string): string[] | undefined {
  const line = stdout.split('\n').find((l) => l.trimStart().startsWith(`${resource}  `));
  return line
    ?.trim()
    .slice(resource.length)
    .trim()
    .split(/\s{2,}/);
}

test('nothing deployed: every part is reported missing, exit 1', async () => {
  await moto.reset();
  const r = runCli('operate/status.ts', [], isolatedEnv(moto));
  expect(r.status).toBe(1);
  expect(row(r.stdout, 'stack CDKToolkit')).toEqual(['missing', 'NO', 'run npm run cdk -- bootstrap']);
  expect(row(r.stdout, 'stack zenml-spark')).toEqual([
    'missing',
    'NO',
    'not deployed: npm run cdk -- deploy',
  ]);
  expect(row(r.stdout, 'database zenml-spark-metadata')?.slice(0, 2)).toEqual(['missing', 'NO']);
  expect(r.stdout).toContain('Not ready: stack CDKToolkit, stack zenml-spark, database zenml-spark-metadata');
});

describe('a deployed stack', () => {
  beforeEach(async () => {
    await moto.reset();
  });

  async function deploy(desiredNodes: number) {
    const endpoint = await cluster(desiredNodes);
    const rds = await createSecret(moto, 'zenml-spark/rds_authentication', rdsSecretValue(DB_HOST));
    await createFixtureStack(moto, { rdsSecretArn: rds, clusterEndpoint: endpoint });
    await new RDSClient(cfg()).send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'zenml-spark-metadata',
        Engine: 'mysql',
        EngineVersion: '8.4.10',
        DBInstanceClass: 'db.t4g.small',
        AllocatedStorage: 20,
        MasterUsername: 'zenml',
        MasterUserPassword: 'not-a-real-password-1',
      }),
    );
    return endpoint;
  }

  test('cluster, node group and database ready: key outputs shown, exit 1 only for the missing bootstrap', async () => {
    const endpoint = await deploy(2);
    const r = runCli('operate/status.ts', [], isolatedEnv(moto));
    expect(row(r.stdout, 'stack zenml-spark')?.slice(0, 2)).toEqual(['CREATE_COMPLETE', 'yes']);
    expect(row(r.stdout, 'eks cluster zenml-spark')).toEqual(['ACTIVE', 'yes', 'Kubernetes 1.36']);
    expect(row(r.stdout, 'node group spark-nodes')).toEqual([
      'ACTIVE',
      'yes',
      'ACTIVE; 2 desired (0-4), t3a.xlarge',
    ]);
    expect(row(r.stdout, 'database zenml-spark-metadata')).toEqual([
      'available',
      'yes',
      'mysql 8.4.10, db.t4g.small',
    ]);
    expect(row(r.stdout, 'SparkMasterUrl')).toEqual([`k8s://${endpoint}`]);
    expect(r.stdout).toContain('kubectl: aws eks update-kubeconfig --name zenml-spark --region eu-west-1');
    expect(r.stdout).toContain('Not ready: stack CDKToolkit\n');
    expect(r.status).toBe(1);
  });

  test('a node group with no nodes wanted is not ready', async () => {
    await deploy(0);
    const r = runCli('operate/status.ts', [], isolatedEnv(moto));
    expect(row(r.stdout, 'node group spark-nodes')).toEqual([
      'ACTIVE',
      'NO',
      'ACTIVE but no nodes wanted; 0 desired (0-4), t3a.xlarge',
    ]);
    expect(r.status).toBe(1);
  });
});

describe('a paused stack (npm run pause)', () => {
  beforeEach(async () => {
    await moto.reset();
  });

  test('the stopped database says when AWS starts it again; a system pool at 0 says how to resume', async () => {
    const eks = new EKSClient(cfg());
    const c = await eks.send(
      new CreateClusterCommand({
        name: 'zenml-spark',
        version: '1.36',
        roleArn: `arn:aws:iam::${moto.accountId}:role/cluster`,
        resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
      }),
    );
    for (const [name, pool, max] of [
      ['system-nodes', 'system', 1],
      ['spark-nodes', 'spark', 4],
    ] as const) {
      await eks.send(
        new CreateNodegroupCommand({
          clusterName: 'zenml-spark',
          nodegroupName: name,
          nodeRole: `arn:aws:iam::${moto.accountId}:role/node`,
          subnets: ['subnet-1'],
          instanceTypes: ['t3a.medium'],
          labels: { 'zenml-spark-eks/pool': pool },
          scalingConfig: { minSize: 0, desiredSize: 0, maxSize: max },
        }),
      );
    }
    const rds = await createSecret(moto, 'zenml-spark/rds_authentication', rdsSecretValue(DB_HOST));
    await createFixtureStack(moto, { rdsSecretArn: rds, clusterEndpoint: c.cluster?.endpoint });
    const db = new RDSClient(cfg());
    const arn = (
      await db.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: 'zenml-spark-metadata',
          Engine: 'mysql',
          EngineVersion: '8.4.10',
          DBInstanceClass: 'db.t4g.small',
          AllocatedStorage: 20,
          MasterUsername: 'zenml',
          MasterUserPassword: 'not-a-real-password-1',
        }),
      )
    ).DBInstance?.DBInstanceArn;
    await db.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'zenml-spark-metadata' }));
    await db.send(
      new AddTagsToResourceCommand({
        ResourceName: arn,
        Tags: [{ Key: 'zenml-spark-eks:paused-at', Value: '2026-11-30T10:00:00.000Z' }],
      }),
    );
    const r = runCli('operate/status.ts', [], isolatedEnv(moto));
    expect(row(r.stdout, 'database zenml-spark-metadata')).toEqual([
      'stopped',
      'NO',
      'mysql 8.4.10, db.t4g.small; stopped by npm run pause on 2026-11-30 10:00 UTC: AWS starts it again on 2026-12-07 10:00 UTC (npm run resume)',
    ]);
    expect(row(r.stdout, 'node group system-nodes')?.slice(0, 2)).toEqual(['ACTIVE', 'NO']);
    expect(row(r.stdout, 'node group system-nodes')?.[2]).toMatch(
      /^ACTIVE but no nodes wanted \(paused\? npm run resume\)/,
    );
    // The Spark pool at 0 is how an idle cluster looks: the autoscaler adds nodes on demand.
    expect(row(r.stdout, 'node group spark-nodes')?.slice(0, 2)).toEqual(['ACTIVE', 'yes']);
    expect(r.status).toBe(1);
  });
});

describe('databaseReadiness', () => {
  test('running again 7 days after pause stopped it: ready, with a warning that it bills again', () => {
    const r = databaseReadiness(
      { status: 'available', pausedAt: new Date('2026-11-01T08:00:00Z'), engine: 'mysql' },
      new Date('2026-11-09T08:00:00Z'),
    );
    expect(r.ready).toBe(true);
    expect(r.warning).toBe(
      'the database runs (and bills) again: AWS started it 7 days after npm run pause stopped it on 2026-11-01 08:00 UTC; npm run pause stops it again, npm run resume brings the cluster back',
    );
  });

  test('never paused: no warning', () => {
    expect(databaseReadiness({ status: 'available', engine: 'mysql' })).toEqual({
      ready: true,
      detail: 'mysql',
    });
  });
});

describe('nodegroupReadiness', () => {
  test('the Spark pool at 0 nodes is ready (the autoscaler adds them); the system pool at 0 is not', () => {
    const spark = nodegroupReadiness({
      status: 'ACTIVE',
      labels: { 'zenml-spark-eks/pool': 'spark' },
      scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 4 },
      instanceTypes: ['t3a.xlarge'],
    });
    expect(spark).toEqual({
      ready: true,
      detail:
        'ACTIVE; spark pool, 0 desired (0-4), t3a.xlarge; the cluster autoscaler adds nodes for Spark pods',
    });
    const system = nodegroupReadiness({
      status: 'ACTIVE',
      labels: { 'zenml-spark-eks/pool': 'system' },
      scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 1 },
      instanceTypes: ['t3a.medium'],
    });
    expect(system).toEqual({
      ready: false,
      detail: 'ACTIVE but no nodes wanted (paused? npm run resume); system pool, 0 desired (0-1), t3a.medium',
    });
  });

  test('a health issue makes an ACTIVE group not ready, and says which', () => {
    const r = nodegroupReadiness({
      status: 'ACTIVE',
      scalingConfig: { desiredSize: 2 },
      health: { issues: [{ code: 'AccessDenied', message: 'node role cannot pull from ECR' }] },
    });
    expect(r).toEqual({ ready: false, detail: 'ACTIVE with AccessDenied: node role cannot pull from ECR' });
  });
});
