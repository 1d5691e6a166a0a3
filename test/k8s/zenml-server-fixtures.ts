/**
 * What the *.zenml-server.test.ts files share: the throwaway MariaDB, moto and Pod Identity stand-in
 * that scripts/verify/test-zenml-server.sh starts (read from its ZENML_SERVER_SUITE_* variables),
 * secrets in moto shaped like the stack's, and a ZenML server (or the bootstrap script) started
 * through the real launcher with the environment k8s/zenml-server-env.ts renders for local inputs.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  dbBootstrapEnv,
  envObject,
  type ZenmlServerEnvInput,
  zenmlServerEnv,
} from '../../k8s/zenml-server-env';

const REPO = path.resolve(__dirname, '..', '..');
export const REGION = 'us-east-1';

export interface Suite {
  readonly state: string;
  readonly dbPort: string;
  readonly noTlsPort: string;
  readonly masterPassword: string;
  readonly ca: string;
  readonly wrongCa: string;
  readonly motoUrl: string;
  readonly podIdentityUri: string;
  readonly podIdentityTokenFile: string;
  readonly agentLog: string;
  readonly venv: string;
}

export function suite(env = process.env): Suite {
  const v = (name: string) => {
    const value = env[`ZENML_SERVER_SUITE_${name}`];
    if (!value) throw new Error('run this through `bash scripts/verify/test-zenml-server.sh`');
    return value;
  };
  return {
    state: v('STATE'),
    dbPort: v('DB_PORT'),
    noTlsPort: v('NOTLS_PORT'),
    masterPassword: v('MASTER_PASSWORD'),
    ca: v('CA'),
    wrongCa: v('WRONG_CA'),
    motoUrl: v('MOTO_URL'),
    podIdentityUri: v('POD_IDENTITY_URI'),
    podIdentityTokenFile: v('POD_IDENTITY_TOKEN_FILE'),
    agentLog: v('AGENT_LOG'),
    venv: env.ZENML_SERVER_VENV ?? '',
  };
}

export function secretsManager(s: Suite): SecretsManagerClient {
  return new SecretsManagerClient({
    region: REGION,
    endpoint: s.motoUrl,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

export async function createSecret(s: Suite, name: string, value: string): Promise<string> {
  const r = await secretsManager(s).send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return r.ARN as string;
}

export async function secretValue(s: Suite, id: string): Promise<string | undefined> {
  return (await secretsManager(s).send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
}

export async function secretNames(s: Suite): Promise<string[]> {
  return ((await secretsManager(s).send(new ListSecretsCommand({}))).SecretList ?? []).map(
    (x) => x.Name ?? '',
  );
}

export interface StackSecrets {
  readonly adminArn: string;
  readonly jwtArn: string;
  readonly dbArn: string;
  readonly adminPassword: string;
}

/** The three secrets the stack makes (names as physicalNames gives them, under a per-run prefix). */
export async function createStackSecrets(s: Suite, prefix: string): Promise<StackSecrets> {
  const adminPassword = randomBytes(16).toString('hex');
  const adminArn = await createSecret(
    s,
    `${prefix}/zenml-server-admin`,
    JSON.stringify({ username: 'admin', password: adminPassword }),
  );
  const jwtArn = await createSecret(s, `${prefix}/zenml-server-jwt`, randomBytes(32).toString('hex'));
  // Shaped like CDK's rds.DatabaseSecret: what rds_authentication holds.
  const dbArn = await createSecret(
    s,
    `${prefix}/rds_authentication`,
    JSON.stringify({
      username: 'zenml',
      password: s.masterPassword,
      host: '127.0.0.1',
      port: Number(s.dbPort),
      dbname: 'zenml',
      engine: 'mysql',
    }),
  );
  return { adminArn, jwtArn, dbArn, adminPassword };
}

export function freePort(): string {
  return execFileSync('python3', [
    '-c',
    'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])',
  ])
    .toString()
    .trim();
}

/** The local inputs: only what LOCAL_SUBSTITUTIONS lists differs from the stack's. */
export function localInput(
  s: Suite,
  secrets: StackSecrets,
  dir: string,
  overrides: Partial<ZenmlServerEnvInput> = {},
): ZenmlServerEnvInput {
  return {
    databaseAuth: 'password',
    region: REGION,
    databaseHost: '127.0.0.1',
    databasePort: s.dbPort,
    databaseName: 'zenml',
    adminSecretId: secrets.adminArn,
    jwtSecretId: secrets.jwtArn,
    databaseSecretId: secrets.dbArn,
    paths: {
      rdsCaFile: s.ca,
      caBundleFile: path.join(dir, 'ca-bundle.pem'),
      configPath: path.join(dir, 'zenconfig'),
      launcherFile: path.join(REPO, 'zenml-server', 'launcher.py'),
      bootstrapFile: path.join(REPO, 'zenml-server', 'db_bootstrap.py'),
    },
    listen: { host: '127.0.0.1', port: freePort() },
    ...overrides,
  };
}

/** What EKS would inject (Pod Identity), the moto endpoint, PATH and HOME: LOCAL_ADDITIONS. */
export function localAdditions(s: Suite, home: string): Record<string, string> {
  return {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: s.podIdentityUri,
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: s.podIdentityTokenFile,
    AWS_ENDPOINT_URL: s.motoUrl,
    PATH: `${s.venv}/bin:/usr/sbin:/usr/bin:/bin`,
    HOME: home,
  };
}

export interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly log: string;
  /** Milliseconds from spawn to /health 200, or to the exit. */
  readonly ms: number;
  /** The exit code when the process ended instead of serving. */
  readonly exitCode?: number | null;
  readonly output: () => string;
}

const children = new Set<ChildProcess>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `python <script>` (the launcher, or the bootstrap script) with exactly `env`, and waits,
 * bounded, for /health or for the process to exit.
 */
export async function startProcess(
  script: string,
  env: Record<string, string>,
  log: string,
  options: { url?: string; timeoutMs?: number } = {},
): Promise<Started> {
  const out = fs.openSync(log, 'w');
  const started = Date.now();
  const python = path.join(env.PATH.split(':')[0], 'python');
  const child = spawn(python, [script], { env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  children.add(child);
  let exitCode: number | null | undefined;
  child.once('exit', (code) => {
    exitCode = code;
    children.delete(child);
  });
  const output = () => fs.readFileSync(log, 'utf8');
  const deadline = started + (options.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      return { child, url: options.url ?? '', log, ms: Date.now() - started, exitCode, output };
    if (options.url) {
      try {
        const r = await fetch(`${options.url}/health`, { signal: AbortSignal.timeout(2_000) });
        if (r.ok) return { child, url: options.url, log, ms: Date.now() - started, output };
      } catch {
        // not listening yet
      }
    }
    await sleep(250);
  }
  await stop(child);
  throw new Error(`${script} neither served nor exited in time; log:\n${output().slice(-2000)}`);
}

export async function startServer(s: Suite, input: ZenmlServerEnvInput, dir: string, name: string) {
  fs.mkdirSync(input.paths?.configPath ?? path.join(dir, 'zenconfig'), { recursive: true });
  const env = { ...envObject(zenmlServerEnv(input)), ...localAdditions(s, dir) };
  const url = `http://127.0.0.1:${input.listen?.port}`;
  return {
    env,
    started: await startProcess(input.paths?.launcherFile ?? '', env, path.join(dir, `${name}.log`), { url }),
  };
}

export async function runBootstrap(s: Suite, input: ZenmlServerEnvInput, dir: string, name: string) {
  const env = { ...envObject(dbBootstrapEnv(input)), ...localAdditions(s, dir) };
  return startProcess(input.paths?.bootstrapFile ?? '', env, path.join(dir, `${name}.log`), {
    timeoutMs: 60_000,
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  for (let i = 0; i < 100 && child.exitCode === null && child.signalCode === null; i++) await sleep(100);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stop));
}

/** SQL as MariaDB's root, over its socket. */
export function sql(s: Suite, query: string, instance: 'db' | 'notls' = 'db'): string {
  return execFileSync(
    'mariadb',
    ['--no-defaults', `--socket=${path.join(s.state, instance, 'sock')}`, '-uroot', '-N', '-B', '-e', query],
    { encoding: 'utf8', timeout: 30_000 },
  ).trim();
}

/** A fingerprint of everything in the zenml database and of the accounts (mysql.user). */
export function dbFingerprint(s: Suite): string {
  const dump = execFileSync(
    'mariadb-dump',
    [
      '--no-defaults',
      `--socket=${path.join(s.state, 'db', 'sock')}`,
      '-uroot',
      '--skip-dump-date',
      '--skip-comments',
      '--databases',
      'zenml',
    ],
    { timeout: 60_000, maxBuffer: 256 * 1024 * 1024 },
  );
  const users = sql(s, 'SELECT user, host, plugin FROM mysql.user ORDER BY user, host');
  return createHash('sha256').update(dump).update(users).digest('hex');
}

export function mysqlDump(s: Suite): string {
  return execFileSync(
    'mariadb-dump',
    [
      '--no-defaults',
      `--socket=${path.join(s.state, 'db', 'sock')}`,
      '-uroot',
      '--skip-extended-insert',
      'zenml',
    ],
    { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 },
  );
}

/** The zenml CLI of the suite's venv, with a client config of its own: its output (rich writes to stderr too). */
export function zenmlCli(s: Suite, configPath: string, args: readonly string[]): string {
  const r = spawnSync(path.join(s.venv, 'bin', 'zenml'), args, {
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      PATH: `${s.venv}/bin:/usr/bin:/bin`,
      HOME: configPath,
      ZENML_CONFIG_PATH: configPath,
      ZENML_ANALYTICS_OPT_IN: 'false',
      ZENML_LOGGING_COLORS_DISABLED: 'true',
      COLUMNS: '200',
    },
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0)
    throw new Error(`zenml ${args.join(' ')} failed (${r.status ?? r.signal}): ${output.slice(-1500)}`);
  return output;
}
