/**
 * `npm run pause` / `resume` refusals that need no cluster, against a real moto server: nothing
 * deployed, a stack of an older version (no pools in its template), and no usable kubectl. The
 * whole pause/resume cycle, with a real API server, is test/scripts/operate/pause-resume.kube.test.ts.
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { type MotoServer, startMotoServer } from '../../../scripts/verify/moto/moto-server';
import { isolatedEnv, REGION, runCli } from '../emulator-fixtures';

jest.setTimeout(120_000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMotoServer();
});
afterAll(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
});

async function stack(resources: Record<string, unknown>): Promise<void> {
  await new CloudFormationClient({
    region: REGION,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'AKIAFIXTURE', secretAccessKey: 'x' },
  }).send(
    new CreateStackCommand({
      StackName: 'zenml-spark',
      TemplateBody: JSON.stringify({
        Resources: resources,
        Outputs: { ClusterName: { Value: 'zenml-spark' } },
      }),
    }),
  );
}

const bucket = { Bucket: { Type: 'AWS::S3::Bucket' } };
const pools = {
  System: {
    Type: 'AWS::EKS::Nodegroup',
    Properties: {
      Labels: { 'zenml-spark-eks/pool': 'system' },
      ScalingConfig: { MinSize: 1, DesiredSize: 1, MaxSize: 1 },
    },
  },
  Spark: {
    Type: 'AWS::EKS::Nodegroup',
    Properties: {
      Labels: { 'zenml-spark-eks/pool': 'spark' },
      ScalingConfig: { MinSize: 0, DesiredSize: 0, MaxSize: 4 },
    },
  },
};
const database = {
  Database: {
    Type: 'AWS::RDS::DBInstance',
    Properties: {
      DBInstanceIdentifier: 'zenml-spark-metadata',
      Engine: 'mysql',
      DBInstanceClass: 'db.t4g.small',
      AllocatedStorage: '20',
      MasterUsername: 'zenml',
      MasterUserPassword: 'not-a-real-password-1',
    },
  },
};

test('nothing deployed: one line, exit 1, for both commands', () => {
  for (const mode of ['pause', 'resume']) {
    const r = runCli(`operate/${mode}.ts`, [], isolatedEnv(moto));
    expect([r.status, r.stdout.trim()]).toEqual([
      1,
      `${mode}: stack 'zenml-spark' not found in region ${REGION} at ${moto.endpoint}; deploy it first, or pass --stack/--region`,
    ]);
  }
});

test('a stack whose template has no pools (an older version): says to deploy this version first', async () => {
  await stack(bucket);
  const r = runCli('operate/pause.ts', [], isolatedEnv(moto));
  expect([r.status, r.stdout.trim()]).toEqual([
    1,
    'pause: zenml-spark: its template has no system or spark pool (node groups labelled zenml-spark-eks/pool); deploy this version first',
  ]);
});

test('no kubectl: pause refuses with one line before changing anything in AWS', async () => {
  await stack({ ...bucket, ...pools, ...database });
  const r = runCli('operate/pause.ts', ['--kubectl', '/nonexistent/kubectl'], isolatedEnv(moto));
  expect(r.status).toBe(1);
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  expect(r.stdout).toMatch(
    /^pause: cannot use the cluster's API server \(kubectl not found \(--kubectl=\/nonexistent\/kubectl\).*\); pause needs kubectl for the cluster autoscaler and to check for running Spark work/,
  );
});

test('--help and bad flags', () => {
  const help = runCli('operate/resume.ts', ['--help'], isolatedEnv(moto));
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^Usage: npm run resume/);
  const bad = runCli('operate/resume.ts', ['--force'], isolatedEnv(moto));
  expect(bad.status).toBe(2);
  expect(bad.stdout).toMatch(/^resume: --force is for pause only/);
  expect(runCli('operate/pause.ts', ['--timeout', 'soon'], isolatedEnv(moto)).status).toBe(2);
});
