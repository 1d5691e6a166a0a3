/**
 * End to end, for real: stack outputs in moto -> the command builder -> the real zenml CLI
 * (requirements/zenml.txt) with a local store in a temp dir, and the real AWS CLI for kubeconfig
 * and secrets. Asserts with `zenml stack describe` / `zenml <component> describe` that the stack
 * has its five components with the configured values and is active.
 *
 * Two ways in: `outputs --run --with-secret-values` (a stack with the S3 access-key secret), and
 * the printed script run by bash exactly as a user would paste it (a keyless stack).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { type MotoServer, startMotoServer } from '../../../scripts/verify/moto/moto-server';
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

jest.setTimeout(20 * 60_000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const venv = (name: string) =>
  execFileSync('bash', ['scripts/verify/venv.sh', name, `requirements/${name}.txt`], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 15 * 60_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();

const stepImageTag = execFileSync(
  'bash',
  ['scripts/operate/build-spark-image.sh', '--print-tag', '--target', 'zenml-step'],
  { cwd: ROOT, encoding: 'utf8' },
).trim();

let moto: MotoServer;
let binPath: string;
let work: string;
beforeAll(async () => {
  binPath = [path.join(venv('zenml'), 'bin'), path.join(venv('awscli'), 'bin'), process.env.PATH].join(
    path.delimiter,
  );
  moto = await startMotoServer();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'zenml-e2e-'));
});
afterAll(async () => {
  await moto?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** A user's shell: moto as AWS, zenml and aws on PATH, a fresh ZenML config and kubeconfig. */
function userEnv(name: string): NodeJS.ProcessEnv {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  return isolatedEnv(moto, {
    PATH: binPath,
    ZENML_CONFIG_PATH: path.join(dir, 'zenml'),
    ZENML_ANALYTICS_OPT_IN: 'false',
    ZENML_LOGGING_COLORS_DISABLED: 'true',
    NO_COLOR: '1',
    COLUMNS: '250',
    KUBECONFIG: path.join(dir, 'kubeconfig'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
}

function zenml(env: NodeJS.ProcessEnv, args: string[]): string {
  const res = spawnSync('zenml', args, { env, encoding: 'utf8', timeout: 180_000 });
  if (res.status !== 0) throw new Error(`zenml ${args.join(' ')} failed: ${res.stdout}\n${res.stderr}`);
  return `${res.stdout}\n${res.stderr}`;
}

/** The KEY -> VALUE rows of a rich table printed by `zenml ... describe`. */
function tableRows(out: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^\s*│\s*([A-Z_]+)\s*│\s*(.*?)\s*│\s*$/.exec(line);
    if (m && m[1] !== 'COMPONENT_TYPE' && m[1] !== 'COMPONENT_PROPERTY') rows[m[1]] = m[2];
  }
  return rows;
}

/** Creates the moto side: an EKS cluster (for update-kubeconfig), the secrets, the stack. */
async function deployed(withS3Secret: boolean) {
  await moto.reset();
  const cluster = await new EKSClient({
    region: REGION,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'AKIAFIXTURE', secretAccessKey: 'x' },
  }).send(
    new CreateClusterCommand({
      name: 'zenml-spark',
      roleArn: `arn:aws:iam::${moto.accountId}:role/cluster`,
      resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
    }),
  );
  const endpoint = cluster.cluster?.endpoint as string;
  const rds = await createSecret(moto, 'zenml-spark/rds_authentication', rdsSecretValue(DB_HOST));
  const s3 = withS3Secret
    ? await createSecret(moto, 'zenml-spark/s3_authentication', {
        aws_access_key_id: 'AKIAS3FIXTURE0000000',
        aws_secret_access_key: 's3-fixture/secret+key',
      })
    : undefined;
  await createFixtureStack(moto, { rdsSecretArn: rds, s3SecretArn: s3, clusterEndpoint: endpoint });
  const json = JSON.parse(runCli('operate/outputs.ts', ['--json'], isolatedEnv(moto)).stdout);
  return { endpoint, outputs: json.outputs as Record<string, string> };
}

function assertRegistered(
  env: NodeJS.ProcessEnv,
  outputs: Record<string, string>,
  authenticationSecret?: string,
) {
  const stackOut = zenml(env, ['stack', 'describe', 'spark_stack']);
  expect(stackOut).toContain("'spark_stack' stack (ACTIVE)");
  expect(tableRows(stackOut)).toEqual({
    ARTIFACT_STORE: 'spark_artifact_store',
    CONTAINER_REGISTRY: 'spark_container_registry',
    ORCHESTRATOR: 'default',
    STEP_OPERATOR: 'spark_step_operator',
  });
  expect(tableRows(zenml(env, ['artifact-store', 'describe', 'spark_artifact_store']))).toEqual({
    PATH: outputs.artifactStorePath,
    ...(authenticationSecret ? { AUTHENTICATION_SECRET: authenticationSecret } : {}),
  });
  expect(tableRows(zenml(env, ['container-registry', 'describe', 'spark_container_registry']))).toEqual({
    URI: outputs.containerRegistryUri,
  });
  const operator = zenml(env, ['step-operator', 'describe', 'spark_step_operator']);
  expect(operator).toMatch(/Step_Operator 'spark_step_operator' of flavor 'spark-eks'/);
  expect(tableRows(operator)).toMatchObject({
    KUBERNETES_NAMESPACE: 'spark-namespace',
    SERVICE_ACCOUNT_NAME: 'spark-service-account',
    KUBERNETES_CONTEXT: `arn:aws:eks:${REGION}:${outputs.containerRegistryUri.split('.')[0]}:cluster/zenml-spark`,
    REGION,
    NODE_INSTANCE_TYPE: 't3a.xlarge',
    IMAGE: `${outputs.ecrRepositoryUri}:${stepImageTag}`,
    SERVER_URL: outputs.zenmlServerUrl,
  });
  // The flavor is this repo's, registered as a custom flavor the real CLI can load.
  expect(zenml(env, ['step-operator', 'flavor', 'list'])).toMatch(/spark-eks/);
}

test('outputs --run --with-secret-values registers the stack, its secrets and kubeconfig', async () => {
  // GIVEN a stack with the S3 access-key secret
  const { endpoint, outputs } = await deployed(true);
  const env = userEnv('run');

  // WHEN
  const r = runCli('operate/outputs.ts', ['--run', '--with-secret-values'], env, 15 * 60_000);

  // THEN every command ran, and none printed a secret value
  expect(r.stderr).not.toMatch(/FAIL|skip/);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/ 7\/7 commands in /);
  expect(`${r.stdout}${r.stderr}`).not.toContain('s3-fixture/secret+key');
  expect(fs.readFileSync(env.KUBECONFIG as string, 'utf8')).toContain(`server: ${endpoint}`);
  assertRegistered(env, outputs, 's3_authentication');
  // The RDS master credentials are not copied into ZenML (every ZenML user could read them there).
  expect(() => zenml(env, ['secret', 'get', 'rds_authentication'])).toThrow();
  const s3Secret = zenml(env, ['secret', 'get', 's3_authentication']);
  expect(s3Secret).toMatch(/aws_secret_access_key\s+s3-fixture\/secret\+key/);
});

test('the printed script, pasted into bash, registers the same stack (keyless artifact store)', async () => {
  // GIVEN a keyless stack and the script `npm run outputs` prints
  const { outputs } = await deployed(false);
  const env = userEnv('paste');
  const printed = runCli('operate/outputs.ts', [], env);
  expect(printed.status).toBe(0);
  const script = path.join(work, 'paste', 'setup.sh');
  fs.writeFileSync(script, printed.stdout);

  // WHEN the user runs it
  const res = spawnSync('bash', ['-euo', 'pipefail', script], {
    env,
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });

  // THEN
  expect(res.stderr).not.toMatch(/^Error/m);
  expect(res.status).toBe(0);
  assertRegistered(env, outputs);
});
