/**
 * `preflight` against a real moto server. The bootstrap stack is made by the real CDK CLI
 * (`cdk bootstrap` against moto); identities are IAM users and assumed roles created in moto.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CreateRepositoryCommand, DeleteRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DeleteDBInstanceCommand,
  DeleteDBSnapshotCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { SETTINGS } from '../../../lib/settings/config';
import { awsJsonCall } from '../../../scripts/lib/aws-json';
import { cdkJsonContext } from '../../../scripts/lib/settings';
import { type MotoServer, startMotoServer } from '../../../scripts/verify/moto/moto-server';
import { tempDir } from '../../temp-dirs';
import {
  createFixtureStack,
  createSecret,
  DB_HOST,
  isolatedEnv,
  REGION,
  ROOT,
  rdsSecretValue,
  runCli,
} from '../emulator-fixtures';

jest.setTimeout(180_000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let moto: MotoServer;
let account: string;
beforeAll(async () => {
  moto = await startMotoServer({ accountId: '210987654321' });
  account = moto.accountId;
});
afterAll(async () => {
  await moto?.stop();
});

const aws = () => ({
  region: REGION,
  endpoint: moto.endpoint,
  credentials: { accessKeyId: 'AKIAFIXTURE', secretAccessKey: 'x' },
});

async function iamUser(name: string): Promise<Record<string, string>> {
  const iam = new IAMClient(aws());
  await iam.send(new CreateUserCommand({ UserName: name }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  return {
    AWS_ACCESS_KEY_ID: key?.AccessKeyId as string,
    AWS_SECRET_ACCESS_KEY: key?.SecretAccessKey as string,
  };
}

async function assumedRole(name: string, rolePath: string): Promise<Record<string, string>> {
  const iam = new IAMClient(aws());
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      Path: rolePath,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  const creds = (
    await new STSClient(aws()).send(
      new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'jane' }),
    )
  ).Credentials;
  return {
    AWS_ACCESS_KEY_ID: creds?.AccessKeyId as string,
    AWS_SECRET_ACCESS_KEY: creds?.SecretAccessKey as string,
    AWS_SESSION_TOKEN: creds?.SessionToken as string,
  };
}

function cdkBootstrap(): void {
  const res = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'cdk'),
    ['bootstrap', `aws://${account}/${REGION}`, '--no-notices'],
    {
      // Not in the clone: there, the CLI would synthesize the app into its cdk.out/ (which npm run
      // synth stamped; the stamp would then rightly call it changed).
      cwd: tempDir('bootstrap-'),
      env: { ...isolatedEnv(moto), CDK_DISABLE_CLI_TELEMETRY: 'true' },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (res.status !== 0) throw new Error(`cdk bootstrap against moto failed: ${res.stderr}`);
}

/** A setting as the repo commits it: `value (cdk.json)`, or `value (default)`. */
function committed(key: 'kubernetesVersion' | 'nodeInstanceType' | 'systemNodeInstanceType'): string {
  const context = cdkJsonContext();
  return key in context ? `${context[key]} (cdk.json)` : `${SETTINGS[key].default} (default)`;
}

/** The table row of one check: [result, detail]. */
function row(stdout: string, check: string): [string, string] | undefined {
  const line = stdout.split('\n').find((l) => l.trimStart().startsWith(`${check}  `));
  const m = line && new RegExp(`^\\s*${check}\\s+(ok|warn|FAIL|skip)\\s+(.*)$`).exec(line);
  return m ? [m[1], m[2]] : undefined;
}

describe('before bootstrap', () => {
  test('no bootstrap stack and no admin entry: two blocking problems, exit 1, with the fixes', async () => {
    // GIVEN an IAM user that is not in clusterAdminPrincipalArns, and no CDKToolkit stack
    await moto.reset();
    const user = await iamUser('deployer');

    // WHEN
    const r = runCli('operate/preflight.ts', [], isolatedEnv(moto, user));

    // THEN
    expect(r.status).toBe(1);
    expect(row(r.stdout, 'credentials')).toEqual([
      'ok',
      `arn:aws:iam::${account}:user/deployer (account ${account})`,
    ]);
    expect(row(r.stdout, 'cdk bootstrap')).toEqual([
      'FAIL',
      `no CDKToolkit stack in ${REGION}: run 'npm run cdk -- bootstrap aws://${account}/${REGION}'`,
    ]);
    expect(row(r.stdout, 'cluster admin')).toEqual([
      'FAIL',
      `you would be locked out of kubectl: the list is empty; add yourself: -c clusterAdminPrincipalArns=arn:aws:iam::${account}:user/deployer`,
    ]);
    expect(row(r.stdout, 'kubernetes version')).toEqual(['ok', `${committed('kubernetesVersion')}`]);
    expect(row(r.stdout, 'node instance type')).toEqual([
      'ok',
      `${committed('nodeInstanceType')}, offered in ${REGION}`,
    ]);
    expect(row(r.stdout, 'system instance type')).toEqual([
      'ok',
      `${committed('systemNodeInstanceType')}, offered in ${REGION}`,
    ]);
    expect(r.stdout).toContain('2 blocking problems: cdk bootstrap, cluster admin');
    expect(r.stderr).toMatch(/^error: cdk bootstrap: no CDKToolkit stack/m);
  });
});

describe('after a real cdk bootstrap', () => {
  let role: Record<string, string>;
  beforeAll(async () => {
    await moto.reset();
    cdkBootstrap();
    role = await assumedRole('PlatformAdmin', '/team/');
  });

  test('an assumed role listed by its full ARN (with path) passes every check', () => {
    const r = runCli(
      'operate/preflight.ts',
      [
        '-c',
        `clusterAdminPrincipalArns=arn:aws:iam::${account}:role/team/PlatformAdmin`,
        '-c',
        'clusterEndpointPublicCidrs=203.0.113.7/32',
        '-c',
        'kubernetesVersion=1.35',
      ],
      isolatedEnv(moto, role),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(row(r.stdout, 'cdk bootstrap')?.[0]).toBe('ok');
    expect(row(r.stdout, 'cdk bootstrap')?.[1]).toMatch(/^CDKToolkit version \d+ \(CREATE_COMPLETE\)$/);
    expect(row(r.stdout, 'cluster admin')).toEqual([
      'ok',
      `you are in clusterAdminPrincipalArns (arn:aws:iam::${account}:role/team/PlatformAdmin)`,
    ]);
    expect(row(r.stdout, 'kubernetes version')).toEqual(['ok', '1.35 (-c)']);
    expect(row(r.stdout, 'stack')?.[0]).toBe('ok');
    expect(r.stdout).toContain('Ready to deploy: npm run cdk -- deploy');
  });

  test('a role not listed: the suggested ARN is the role ARN with its path, from IAM', () => {
    const r = runCli(
      'operate/preflight.ts',
      ['-c', `clusterAdminPrincipalArns=arn:aws:iam::${account}:user/someone`],
      isolatedEnv(moto, role),
    );
    expect(r.status).toBe(1);
    expect(row(r.stdout, 'cluster admin')).toEqual([
      'FAIL',
      `you would be locked out of kubectl: the list has arn:aws:iam::${account}:user/someone; ` +
        `add yourself: -c clusterAdminPrincipalArns=arn:aws:iam::${account}:role/team/PlatformAdmin`,
    ]);
  });

  test('a private API endpoint is a warning, not a failure', () => {
    const r = runCli(
      'operate/preflight.ts',
      ['-c', `clusterAdminPrincipalArns=arn:aws:iam::${account}:role/team/PlatformAdmin`],
      isolatedEnv(moto, role),
    );
    expect(r.status).toBe(0);
    expect(row(r.stdout, 'api endpoint')?.[0]).toBe('warn');
  });

  test('an instance type the region does not offer, and another account: both blocking', () => {
    // t3a is a sized type (lib/settings/config.ts accepts it) that moto's offerings data lacks in ap-south-2.
    const r = runCli(
      'operate/preflight.ts',
      ['-c', 'region=ap-south-2', '-c', 'nodeInstanceType=t3a.xlarge', '-c', 'account=111122223333'],
      isolatedEnv(moto, role),
    );
    expect(r.status).toBe(1);
    expect(row(r.stdout, 'node instance type')).toEqual([
      'FAIL',
      't3a.xlarge (-c) is not offered in ap-south-2; choose another (-c nodeInstanceType=...)',
    ]);
    expect(row(r.stdout, 'system instance type')).toEqual([
      'FAIL',
      't3a.medium (cdk.json) is not offered in ap-south-2; choose another (-c systemNodeInstanceType=...)',
    ]);
    expect(row(r.stdout, 'account')).toEqual([
      'FAIL',
      `setting account=111122223333, but your credentials are for ${account}`,
    ]);
  });

  test('[issue 14 kind 7] what a removalMode=retain deploy left blocks the redeploy: each leftover named, with how to adopt or remove it', async () => {
    // GIVEN what `cdk destroy` of a retain-mode stack leaves (and a DB instance whose deletion
    // protection stopped the destroy), but no stack
    const cfg = {
      ...aws(),
      credentials: {
        accessKeyId: role.AWS_ACCESS_KEY_ID,
        secretAccessKey: role.AWS_SECRET_ACCESS_KEY,
        sessionToken: role.AWS_SESSION_TOKEN,
      },
    };
    const ecr = new ECRClient(cfg);
    const rds = new RDSClient(cfg);
    const sm = new SecretsManagerClient(cfg);
    const s3 = new S3Client({ ...cfg, forcePathStyle: true });
    const logs = (operation: string, body: object) =>
      awsJsonCall(
        { region: REGION, endpoint: moto.endpoint, credentials: async () => cfg.credentials },
        'logs',
        'Logs_20140328',
        operation,
        body,
      );
    const logGroup = '/aws/rds/instance/zenml-spark-metadata/error';
    const bucket = 'zenml-spark-artifactstorebucket0a1b2c3d-0123456789ab';
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'zenml' }));
    await logs('CreateLogGroup', { logGroupName: logGroup });
    const secretArn = (
      await sm.send(
        new CreateSecretCommand({
          Name: 'zenml-spark/rds_authentication',
          SecretString: '{"password":"kept"}',
        }),
      )
    ).ARN;
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'zenml-spark-metadata',
        DBInstanceClass: 'db.t4g.small',
        Engine: 'mysql',
        AllocatedStorage: 20,
        MasterUsername: 'zenml',
        MasterUserPassword: 'kept-password-1',
        DeletionProtection: true,
      }),
    );
    await rds.send(
      new CreateDBSnapshotCommand({
        DBInstanceIdentifier: 'zenml-spark-metadata',
        DBSnapshotIdentifier: 'zenml-spark-final',
      }),
    );
    await s3.send(
      new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    try {
      // WHEN
      const r = runCli(
        'operate/preflight.ts',
        [
          '-c',
          'removalMode=retain',
          '-c',
          `clusterAdminPrincipalArns=arn:aws:iam::${account}:role/team/PlatformAdmin`,
        ],
        isolatedEnv(moto, role),
      );

      // THEN one blocking row per leftover, each with the import mapping and the delete command
      expect(r.status).toBe(1);
      const flags = ` -c removalMode=retain -c clusterAdminPrincipalArns=arn:aws:iam::${account}:role/team/PlatformAdmin`;
      const repository = row(r.stdout, 'leftover ECR::Repository');
      expect(repository?.[0]).toBe('FAIL');
      expect(repository?.[1]).toMatch(
        /^zenml exists outside any stack \(kept by removalMode=retain\) and the deploy would create it: adopt it: /,
      );
      expect(repository?.[1]).toContain(`npm run cdk -- import${flags} --resource-mapping-inline '{`);
      expect(repository?.[1]).toMatch(/"ContainerRegistryRepository\w+":\{"RepositoryName":"zenml"\}/);
      expect(repository?.[1]).toContain(
        `(creates the stack with them), then npm run cdk -- deploy${flags}; or remove it: aws ecr delete-repository --repository-name zenml --force --region ${REGION}`,
      );
      expect(row(r.stdout, 'leftover Logs::LogGroup')).toEqual([
        'FAIL',
        expect.stringContaining(`${logGroup} exists outside any stack (kept by removalMode=retain)`),
      ]);
      expect(row(r.stdout, 'leftover Logs::LogGroup')?.[1]).toContain(
        `aws logs delete-log-group --log-group-name ${logGroup} --region ${REGION}`,
      );
      const secret = row(r.stdout, 'leftover SecretsManager::Secret');
      expect(secret?.[1]).toContain(
        'zenml-spark/rds_authentication exists outside any stack (kept by removalMode=retain)',
      );
      expect(secret?.[1]).toContain(`{"Id":"${secretArn}"}`);
      expect(secret?.[1]).toContain(
        'aws secretsmanager delete-secret --secret-id zenml-spark/rds_authentication --force-delete-without-recovery',
      );
      expect(row(r.stdout, 'leftover RDS::DBInstance')?.[1]).toMatch(
        /^zenml-spark-metadata exists outside any stack \(kept by removalMode=retain; deletion protection on \(removalMode=retain\)\)/,
      );
      // Warnings: data kept on purpose, which blocks nothing.
      expect(row(r.stdout, 'retained DB snapshot')).toEqual([
        'warn',
        expect.stringMatching(
          /^zenml-spark-final \(.*\) of zenml-spark-metadata; its password is in zenml-spark\/rds_authentication/,
        ),
      ]);
      expect(row(r.stdout, 'retained bucket')).toEqual([
        'warn',
        expect.stringContaining(`${bucket} from an earlier deploy`),
      ]);
      expect(r.stdout).toMatch(/\d+ blocking problems: .*leftover ECR::Repository/);
    } finally {
      await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'zenml', force: true }));
      await logs('DeleteLogGroup', { logGroupName: logGroup });
      await sm.send(
        new DeleteSecretCommand({
          SecretId: 'zenml-spark/rds_authentication',
          ForceDeleteWithoutRecovery: true,
        }),
      );
      await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'zenml-spark-final' }));
      await rds.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: 'zenml-spark-metadata',
          DeletionProtection: false,
          ApplyImmediately: true,
        }),
      );
      await rds.send(
        new DeleteDBInstanceCommand({
          DBInstanceIdentifier: 'zenml-spark-metadata',
          SkipFinalSnapshot: true,
        }),
      );
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    }
  });

  test('nothing left behind: one ok row', () => {
    const r = runCli(
      'operate/preflight.ts',
      ['-c', `clusterAdminPrincipalArns=arn:aws:iam::${account}:role/team/PlatformAdmin`],
      isolatedEnv(moto, role),
    );
    expect(row(r.stdout, 'leftovers')).toEqual([
      'ok',
      'no resource with a fixed name from an earlier deploy',
    ]);
  });

  test('an existing stack in ROLLBACK_COMPLETE blocks the deploy', async () => {
    const rds = await createSecret(moto, 'zenml-spark/rds_authentication', rdsSecretValue(DB_HOST));
    await createFixtureStack(moto, { rdsSecretArn: rds });
    await moto.setStackStatus(REGION, 'zenml-spark', 'ROLLBACK_COMPLETE');
    const r = runCli('operate/preflight.ts', [], isolatedEnv(moto, role));
    expect(r.status).toBe(1);
    expect(row(r.stdout, 'stack')).toEqual([
      'FAIL',
      "zenml-spark is ROLLBACK_COMPLETE: a deploy cannot update it; 'npm run cdk -- destroy' it first",
    ]);
  });
});

describe('credentials and region', () => {
  test('no credentials: one blocking line, the AWS checks skipped', () => {
    const env = isolatedEnv(moto, { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const r = runCli('operate/preflight.ts', [], env);
    expect(r.status).toBe(1);
    expect(row(r.stdout, 'credentials')).toEqual([
      'FAIL',
      'GetCallerIdentity: no AWS credentials found; configure them (aws configure / aws sso login / AWS_PROFILE) and retry',
    ]);
    expect(row(r.stdout, 'cdk bootstrap')).toEqual(['skip', 'needs working credentials']);
  });

  test('a region that does not exist: refused as a usage error before any check, naming the flag', () => {
    const r = runCli('operate/preflight.ts', ['--region', 'eu-wset-1'], isolatedEnv(moto));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: --region 'eu-wset-1': a region .* eu-west-1, /);
    expect(row(r.stdout, 'credentials')).toBeUndefined();
  });

  test('credentials the endpoint rejects (moto with authentication on): one blocking line', async () => {
    // moto checks access keys against its IAM once authentication is switched on.
    await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    try {
      const r = runCli('operate/preflight.ts', [], isolatedEnv(moto));
      expect(r.status).toBe(1);
      expect(row(r.stdout, 'credentials')).toEqual([
        'FAIL',
        `GetCallerIdentity: AWS rejected the credentials (InvalidClientTokenId); they are wrong, or region ${REGION} is not enabled for the account`,
      ]);
    } finally {
      await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: 'inf' });
    }
  });
});
