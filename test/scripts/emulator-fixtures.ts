/**
 * Shared fixtures of the emulator tests: a moto server per test file, and "deployed" stacks made
 * the way a deploy makes them, through the CloudFormation API, with the app's real output keys
 * (lib/settings/outputs.ts) and resources moto can create (S3 bucket, ECR repository, IAM role). Secrets
 * are created with the Secrets Manager API. Nothing here answers for AWS: moto does.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { OUTPUT_KEYS, type OutputName } from '../../lib/settings/outputs';
import type { MotoServer } from '../../scripts/verify/moto/moto-server';

export const REGION = 'eu-west-1';
export const ROOT = path.resolve(__dirname, '..', '..');

/** Keys moto accepts (it checks none); "no credentials" means these are absent. */
export const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAMOTOTESTKEY00001',
  AWS_SECRET_ACCESS_KEY: 'moto-test-secret',
};

/** An environment with nothing from the caller's AWS setup: no profile, files or instance metadata. */
export function isolatedEnv(
  moto: MotoServer,
  extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: REGION,
    ...FAKE_CREDENTIALS,
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

export function clients(moto: MotoServer, region = REGION) {
  const cfg = {
    region,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'AKIAFIXTURE', secretAccessKey: 'x' },
  };
  return { cfn: new CloudFormationClient(cfg), sm: new SecretsManagerClient(cfg) };
}

/** The RDS-generated credential JSON (numeric port, as RDS writes it). */
export function rdsSecretValue(host: string) {
  return {
    username: 'zenml',
    password: 'Fixture-pw with "quotes" and $dollars',
    engine: 'mysql',
    host,
    port: 3306,
    dbname: 'zenml',
    dbInstanceIdentifier: 'zenml-spark-metadata',
  };
}

export async function createSecret(moto: MotoServer, name: string, value: object): Promise<string> {
  const res = await clients(moto).sm.send(
    new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }),
  );
  return res.ARN as string;
}

export interface FixtureStackOptions {
  readonly stackName?: string;
  readonly rdsSecretArn: string;
  readonly s3SecretArn?: string;
  /** The in-cluster server's admin secret; none means zenmlServer=false (ZenmlServerUrl is then the user's). */
  readonly zenmlAdminSecretArn?: string;
  readonly clusterName?: string;
  readonly clusterEndpoint?: string;
  /** Outputs to leave out, as a stack of another version (or emulator=true) would. */
  readonly omit?: readonly OutputName[];
  /** ECR repository name; two stacks in one moto need different ones. */
  readonly repositoryName?: string;
}

export const DB_HOST = 'zenml-spark-metadata.abcdefghijkl.eu-west-1.rds.amazonaws.com';

/** A CloudFormation template whose outputs carry the app's output keys, values computed by moto. */
export function fixtureTemplate(o: FixtureStackOptions): string {
  const clusterName = o.clusterName ?? 'zenml-spark';
  const endpoint =
    o.clusterEndpoint ?? 'https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com';
  const values: Record<OutputName, unknown> = {
    region: { Ref: 'AWS::Region' },
    artifactBucketName: { Ref: 'ArtifactBucket' },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not JS
    artifactStorePath: { 'Fn::Sub': 's3://${ArtifactBucket}' },
    ecrRepositoryUri: { 'Fn::GetAtt': ['Repository', 'RepositoryUri'] },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not JS
    containerRegistryUri: { 'Fn::Sub': '${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}' },
    clusterName,
    clusterEndpoint: endpoint,
    sparkMasterUrl: `k8s://${endpoint}`,
    sparkNamespace: 'spark-namespace',
    sparkServiceAccount: 'spark-service-account',
    sparkRoleArn: { 'Fn::GetAtt': ['SparkRole', 'Arn'] },
    databaseEndpoint: DB_HOST,
    databasePort: '3306',
    rdsSecretArn: o.rdsSecretArn,
    s3SecretArn: o.s3SecretArn,
    zenmlServerUrl: 'http://zenml-server.zenml.svc:8080',
    zenmlServerNamespace: 'zenml',
    zenmlAdminSecretArn: o.zenmlAdminSecretArn,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not JS
    sparkEventLogDir: { 'Fn::Sub': 's3a://${ArtifactBucket}/spark-events/' },
    sparkHistoryNamespace: 'spark-history',
    updateKubeconfigCommand: {
      'Fn::Sub': `aws eks update-kubeconfig --name ${clusterName} --region \${AWS::Region}`,
    },
  };
  const outputs: Record<string, { Value: unknown }> = {};
  for (const [name, key] of Object.entries(OUTPUT_KEYS) as [OutputName, string][]) {
    if (values[name] !== undefined && !o.omit?.includes(name)) outputs[key] = { Value: values[name] };
  }
  return JSON.stringify({
    Resources: {
      ArtifactBucket: { Type: 'AWS::S3::Bucket' },
      Repository: {
        Type: 'AWS::ECR::Repository',
        Properties: { RepositoryName: o.repositoryName ?? 'zenml' },
      },
      SparkRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'pods.eks.amazonaws.com' },
                Action: ['sts:AssumeRole', 'sts:TagSession'],
              },
            ],
          },
        },
      },
    },
    Outputs: outputs,
  });
}

export async function createFixtureStack(moto: MotoServer, o: FixtureStackOptions): Promise<void> {
  await clients(moto).cfn.send(
    new CreateStackCommand({ StackName: o.stackName ?? 'zenml-spark', TemplateBody: fixtureTemplate(o) }),
  );
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one of the scripts/<wing>/*.ts CLIs (e.g. 'operate/outputs.ts') as a user would (npx tsx), bounded in time. */
export function runCli(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): CliResult {
  const res = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    [path.join(ROOT, 'scripts', script), ...args],
    {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    },
  );
  return { status: res.status, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
}
