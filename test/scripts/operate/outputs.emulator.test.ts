/**
 * `outputs` against a real moto server: stacks created through the CloudFormation API, secrets
 * through Secrets Manager, the CLI run as a user runs it.
 */
import { CreateChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { type MotoServer, startMotoServer } from '../../../scripts/verify/moto/moto-server';
import {
  clients,
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

describe('a deployed, keyless stack', () => {
  let rdsArn: string;
  beforeAll(async () => {
    await moto.reset();
    rdsArn = await createSecret(moto, 'zenml-spark/rds_authentication', rdsSecretValue(DB_HOST));
    await createFixtureStack(moto, { rdsSecretArn: rdsArn });
  });

  test('prints kubeconfig and ZenML commands built from the real outputs, and no secret value', () => {
    // WHEN
    const r = runCli('operate/outputs.ts', [], isolatedEnv(moto));

    // THEN
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const commands = r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(commands.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual([
      'aws eks update-kubeconfig',
      'zenml artifact-store register',
      'zenml container-registry register',
      'zenml step-operator flavor',
      'zenml step-operator register',
      'zenml stack register',
    ]);
    expect(r.stdout).toMatch(/--path=s3:\/\/zenml-spark-artifactbucket-[a-z0-9]+\n/);
    expect(r.stdout).toContain(`--uri=${moto.accountId}.dkr.ecr.${REGION}.amazonaws.com\n`);
    expect(r.stdout).not.toContain('--authentication_secret');
    // The RDS master credentials are never copied into ZenML: not even read.
    expect(r.stdout).not.toContain(`--secret-id ${rdsArn}`);
    expect(r.stdout).not.toContain('zenml secret create rds_authentication');
    expect(r.stdout).not.toContain(rdsSecretValue(DB_HOST).password);
    expect(r.stdout).toMatch(/^# {3}zenml server +http:\/\/zenml-server\.zenml\.svc:8080$/m);
    expect(r.stdout).toContain('npm run zenml-login');
  });

  test('--with-secret-values on a keyless stack reads and prints no value', () => {
    const r = runCli('operate/outputs.ts', ['--with-secret-values'], isolatedEnv(moto));
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain(rdsSecretValue(DB_HOST).password);
  });

  test('--json gives the checked outputs for other tools', () => {
    const r = runCli('operate/outputs.ts', ['--json'], isolatedEnv(moto));
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ stackName: 'zenml-spark', status: 'CREATE_COMPLETE', region: REGION });
    expect(json.outputs.rdsSecretArn).toBe(rdsArn);
    expect(json.zenmlNames.stack).toBe('spark_stack');
  });

  test('--run without zenml on PATH fails before running anything', () => {
    const r = runCli('operate/outputs.ts', ['--run', '--zenml-bin', 'no-such-zenml'], isolatedEnv(moto));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: --run needs 'no-such-zenml' \(--zenml-bin\), which is not on PATH/);
  });
});

describe('a stack with the S3 access key secret', () => {
  beforeAll(async () => {
    await moto.reset();
    const rds = await createSecret(moto, 'zenml-spark/rds_authentication', rdsSecretValue(DB_HOST));
    const s3 = await createSecret(moto, 'zenml-spark/s3_authentication', {
      aws_access_key_id: 'AKIAFIXTURE00000000',
      aws_secret_access_key: 'fixture/secret+key',
    });
    await createFixtureStack(moto, { rdsSecretArn: rds, s3SecretArn: s3 });
  });

  test('creates s3_authentication and points the artifact store at it', () => {
    const r = runCli('operate/outputs.ts', ['--no-kubeconfig'], isolatedEnv(moto));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('zenml secret create s3_authentication --values="$(aws secretsmanager');
    expect(r.stdout).toMatch(/--authentication_secret=s3_authentication\n/);
    expect(r.stdout).not.toContain('aws eks update-kubeconfig');
    expect(r.stdout).not.toContain('fixture/secret+key');
  });

  test('--with-secret-values prints the values (as strings, for ZenML) and warns', () => {
    const r = runCli('operate/outputs.ts', ['--with-secret-values'], isolatedEnv(moto));
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('warning: secret values are printed below; keep this output private\n');
    const line = r.stdout.split('\n').find((l) => l.startsWith('zenml secret create s3_authentication'));
    expect(line).toContain('"aws_secret_access_key":"fixture/secret+key"');
  });
});

describe('stacks that cannot be used', () => {
  beforeEach(async () => {
    await moto.reset();
  });

  test('no stack: one error naming the stack and where it looked', () => {
    const r = runCli('operate/outputs.ts', [], isolatedEnv(moto));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `error: stack 'zenml-spark' not found in region ${REGION} at ${moto.endpoint}; deploy it first ('npm run cdk -- deploy'), or pass --stack/--region\n`,
    );
  });

  test('-c namePrefix selects another stack, as in the app', () => {
    const r = runCli('operate/outputs.ts', ['-c', 'namePrefix=team-b'], isolatedEnv(moto));
    expect(r.stderr).toMatch(/^error: stack 'team-b' not found/);
  });

  test.each(['ROLLBACK_COMPLETE', 'CREATE_FAILED', 'UPDATE_ROLLBACK_FAILED'])(
    'a stack in %s: one error naming the stack and the state',
    async (status) => {
      // GIVEN a stack created through CloudFormation, then put in a failed state (moto has no rollback)
      const rds = await createSecret(moto, 'zenml-spark/rds_authentication', rdsSecretValue(DB_HOST));
      await createFixtureStack(moto, { rdsSecretArn: rds });
      await moto.setStackStatus(REGION, 'zenml-spark', status);

      const r = runCli('operate/outputs.ts', [], isolatedEnv(moto));

      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.stderr).toMatch(
        new RegExp(`^error: stack 'zenml-spark' is in state ${status}, so its outputs cannot be used: `),
      );
    },
  );

  test('a stack whose change set was never executed (REVIEW_IN_PROGRESS, produced by moto itself)', async () => {
    await clients(moto).cfn.send(
      new CreateChangeSetCommand({
        StackName: 'zenml-spark',
        ChangeSetName: 'first',
        ChangeSetType: 'CREATE',
        TemplateBody: JSON.stringify({ Resources: { B: { Type: 'AWS::S3::Bucket' } } }),
      }),
    );
    const r = runCli('operate/outputs.ts', [], isolatedEnv(moto));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^error: stack 'zenml-spark' is in state REVIEW_IN_PROGRESS, .*wait until it finishes/,
    );
  });

  test('a rolled-back update still works, with a warning', async () => {
    const rds = await createSecret(moto, 'zenml-spark/rds_authentication', rdsSecretValue(DB_HOST));
    await createFixtureStack(moto, { rdsSecretArn: rds });
    await moto.setStackStatus(REGION, 'zenml-spark', 'UPDATE_ROLLBACK_COMPLETE');
    const r = runCli('operate/outputs.ts', ['--no-kubeconfig'], isolatedEnv(moto));
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^warning: the last update of 'zenml-spark' rolled back/);
    expect(r.stdout).toContain('zenml stack register spark_stack');
  });

  test('missing outputs are named, and the emulator build is recognised', async () => {
    const rds = await createSecret(moto, 'zenml-spark/rds_authentication', rdsSecretValue(DB_HOST));
    await createFixtureStack(moto, {
      rdsSecretArn: rds,
      omit: ['clusterName', 'clusterEndpoint', 'sparkMasterUrl', 'updateKubeconfigCommand'],
    });
    const r = runCli('operate/outputs.ts', [], isolatedEnv(moto));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "error: stack 'zenml-spark' (CREATE_COMPLETE) lacks outputs ClusterName, ClusterEndpoint, SparkMasterUrl, " +
        'UpdateKubeconfigCommand; it has no EKS cluster (deployed with emulator=true?)\n',
    );
  });

  test('--with-secret-values and a secret deleted by hand: named, no value shown', async () => {
    const rds = await createSecret(moto, 'zenml-spark/rds_authentication', rdsSecretValue(DB_HOST));
    const s3 = await createSecret(moto, 'zenml-spark/s3_authentication', { aws_access_key_id: 'AKIAX' });
    await createFixtureStack(moto, { rdsSecretArn: rds, s3SecretArn: `${s3}-gone` });
    const r = runCli('operate/outputs.ts', ['--with-secret-values'], isolatedEnv(moto));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^error: secret arn:aws:secretsmanager:.*-gone \(named in the stack outputs\) does not exist/,
    );
  });

  test('no credentials at all: one line saying so', async () => {
    const rds = await createSecret(moto, 'zenml-spark/rds_authentication', rdsSecretValue(DB_HOST));
    await createFixtureStack(moto, { rdsSecretArn: rds });
    const env = isolatedEnv(moto, { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const r = runCli('operate/outputs.ts', [], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: reading stack 'zenml-spark': no AWS credentials found; configure them/);
  });
});

describe('flags', () => {
  test('--help exits 0 and lists --with-secret-values', () => {
    const r = runCli('operate/outputs.ts', ['--help'], isolatedEnv(moto));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--with-secret-values');
  });

  test('an unknown flag exits 2 with the usage, on one line', () => {
    const r = runCli('operate/outputs.ts', ['--secrets'], isolatedEnv(moto));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: Unknown option '--secrets'; usage: npm run outputs .*\n$/);
  });

  test('a bad setting exits 1 naming it', () => {
    const r = runCli('operate/outputs.ts', ['-c', 'kubernetesVersion=1.20'], isolatedEnv(moto));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: Invalid setting: kubernetesVersion='1.20'/);
  });
});
