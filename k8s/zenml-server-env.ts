/**
 * The one source of the ZenML server's configuration: the container environment of the server
 * Deployment and of the database bootstrap Job. k8s/zenml-server-chart.ts renders it into the
 * manifest, and the zenml-server suite (test/zenml-server/*.zenml-server.test.ts) starts a real
 * ZenML 0.98.0 server, through the real launcher, with what this function returns for local
 * endpoints and paths. Only the inputs listed in LOCAL_SUBSTITUTIONS may differ between the two;
 * a test holds the rendered names and values to that.
 *
 * Every value here is a name, an address, a path or a switch: the secrets are read by the
 * launcher at run time (zenml-server/launcher.py), never written into an environment variable here.
 */
import type { ZenmlDatabaseAuth } from '../lib/settings/config';
import { ZENML_DB_IAM_USER, ZENML_SERVER_IN_CLUSTER_URL, ZENML_SERVER_PORT } from '../lib/settings/zenml';

export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

/** Where the chart mounts things in the pod (the image's user can write only to the emptyDirs). */
export const POD_PATHS = {
  /** ConfigMap: launcher.py, db_bootstrap.py and the RDS roots. */
  filesDir: '/opt/zenml-server',
  /** emptyDir: ZenML writes local_stores/ here (the image pre-creates it; read-only root). */
  configPath: '/zenml/.zenconfig',
  /** emptyDir: the CA bundle the launcher builds. */
  tmpDir: '/tmp',
  /** Debian's system store in python:3.11-slim-bookworm, the image's base. */
  systemCaFile: '/etc/ssl/certs/ca-certificates.crt',
} as const;

export const LAUNCHER_FILE = 'launcher.py';
export const BOOTSTRAP_FILE = 'db_bootstrap.py';
export const RDS_CA_FILE = 'rds-ca-rsa2048-g1.pem';

/** What the environment is made from. */
export interface ZenmlServerEnvInput {
  readonly databaseAuth: ZenmlDatabaseAuth;
  readonly region: string;
  readonly databaseHost: string;
  readonly databasePort: string;
  readonly databaseName: string;
  /** Secrets Manager ids (ARNs in the stack) the launcher reads: bootstrap admin, JWT key. */
  readonly adminSecretId: string;
  readonly jwtSecretId: string;
  /** The RDS master secret (`<prefix>/rds_authentication`): password mode's server, iam mode's bootstrap Job. */
  readonly databaseSecretId: string;
  /** Paths in the container. @default the pod's (POD_PATHS) */
  readonly paths?: Partial<ZenmlServerPaths>;
  /** Address uvicorn listens on. @default 0.0.0.0:8080 */
  readonly listen?: { readonly host: string; readonly port: string };
  /** @default RDS_IAM_MAX_WAIT_SECONDS */
  readonly iamMaxWaitSeconds?: number;
}

export interface ZenmlServerPaths {
  readonly rdsCaFile: string;
  readonly systemCaFile: string;
  readonly caBundleFile: string;
  readonly configPath: string;
  readonly launcherFile: string;
  readonly bootstrapFile: string;
}

export const POD_SERVER_PATHS: ZenmlServerPaths = {
  rdsCaFile: `${POD_PATHS.filesDir}/${RDS_CA_FILE}`,
  systemCaFile: POD_PATHS.systemCaFile,
  caBundleFile: `${POD_PATHS.tmpDir}/ca-bundle-with-rds.pem`,
  configPath: POD_PATHS.configPath,
  launcherFile: `${POD_PATHS.filesDir}/${LAUNCHER_FILE}`,
  bootstrapFile: `${POD_PATHS.filesDir}/${BOOTSTRAP_FILE}`,
};

/**
 * The inputs a local run may give other values than the pod's, and why. Everything else (auth
 * mode, TLS switches, secrets-store type and auth, URLs, token lifetime, logging) is identical.
 * The variables they show up in are listed too, for the test that compares the two renderings.
 */
export const LOCAL_SUBSTITUTIONS = {
  databaseHost: 'the local MariaDB instead of the RDS endpoint (ZENML_STORE_URL)',
  databasePort: 'its random port (ZENML_STORE_URL)',
  adminSecretId: "the moto secret's ARN (ZENML_LAUNCHER_ADMIN_SECRET_ID)",
  jwtSecretId: "the moto secret's ARN (ZENML_LAUNCHER_JWT_SECRET_ID)",
  databaseSecretId: "the moto secret's ARN (ZENML_LAUNCHER_DB_SECRET_ID)",
  region:
    "moto's region (AWS_REGION, AWS_DEFAULT_REGION, ZENML_STORE_AWS_REGION, ZENML_SECRETS_STORE_AUTH_CONFIG)",
  paths:
    'files in a temp dir instead of the pod mounts (ZENML_LAUNCHER_*_FILE, ZENML_STORE_SSL_CA, ZENML_CONFIG_PATH)',
  listen: '127.0.0.1 and a random port (ZENML_LAUNCHER_HOST, ZENML_LAUNCHER_PORT)',
  iamMaxWaitSeconds:
    'a short IAM retry bound, so the denial MariaDB (which has no IAM plugin) must give ends a test in seconds (ZENML_STORE_AWS_RDS_IAM_MAX_WAIT_SECONDS)',
} as const satisfies Partial<Record<keyof ZenmlServerEnvInput, string>>;

/** The variables LOCAL_SUBSTITUTIONS may change; the suite asserts no other one differs. */
export const SUBSTITUTED_VARIABLES = [
  'ZENML_STORE_URL',
  'ZENML_LAUNCHER_ADMIN_SECRET_ID',
  'ZENML_LAUNCHER_JWT_SECRET_ID',
  'ZENML_LAUNCHER_DB_SECRET_ID',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'ZENML_STORE_AWS_REGION',
  'ZENML_SECRETS_STORE_AUTH_CONFIG',
  'ZENML_LAUNCHER_RDS_CA_FILE',
  'ZENML_LAUNCHER_SYSTEM_CA_FILE',
  'ZENML_LAUNCHER_CA_BUNDLE_FILE',
  'ZENML_STORE_SSL_CA',
  'ZENML_CONFIG_PATH',
  'ZENML_LAUNCHER_HOST',
  'ZENML_LAUNCHER_PORT',
  'ZENML_STORE_AWS_RDS_IAM_MAX_WAIT_SECONDS',
] as const;

/**
 * What a local run adds that EKS injects into the pod, or that stands in for AWS: Pod Identity's
 * two variables (a stand-in agent on 127.0.0.1), the moto endpoint, and a PATH and HOME.
 */
export const LOCAL_ADDITIONS = [
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_ENDPOINT_URL',
  'PATH',
  'HOME',
] as const;

/** Minutes a login token lives; ZenML's default is never to expire. API-key logins renew by themselves. */
export const JWT_TOKEN_EXPIRE_MINUTES = 60;
/**
 * How long the server's first connections retry an IAM login that MySQL refuses: long enough to
 * ride out the bootstrap Job creating the user and IAM propagating the role (ZenML's default: 30 s).
 */
export const RDS_IAM_MAX_WAIT_SECONDS = 180;

function paths(input: ZenmlServerEnvInput): ZenmlServerPaths {
  return { ...POD_SERVER_PATHS, ...input.paths };
}

function regionEnv(region: string): EnvVar[] {
  // botocore 1.44 ignored AWS_REGION alone in one code path (NoRegionError): set both.
  return [
    { name: 'AWS_REGION', value: region },
    { name: 'AWS_DEFAULT_REGION', value: region },
  ];
}

/** The server container's environment (the launcher adds the secrets at run time). */
export function zenmlServerEnv(input: ZenmlServerEnvInput): EnvVar[] {
  const p = paths(input);
  const listen = input.listen ?? { host: '0.0.0.0', port: String(ZENML_SERVER_PORT) };
  const iam = input.databaseAuth === 'iam';
  const env: EnvVar[] = [
    // The database: no credentials in the URL; TLS with chain and host-name verification.
    { name: 'ZENML_STORE_TYPE', value: 'sql' },
    {
      name: 'ZENML_STORE_URL',
      value: `mysql://${input.databaseHost}:${input.databasePort}/${input.databaseName}`,
    },
    { name: 'ZENML_STORE_SSL', value: 'true' },
    { name: 'ZENML_STORE_SSL_VERIFY_SERVER_CERT', value: 'true' },
    ...(iam
      ? [
          // IAM: a 15-minute token per connection; ZenML refuses to send it without TLS and takes
          // the trust store from SSL_CERT_FILE (the launcher's bundle); ZENML_STORE_SSL_CA is rejected.
          { name: 'ZENML_STORE_AUTH_MODE', value: 'aws_rds_iam' },
          { name: 'ZENML_STORE_USERNAME', value: ZENML_DB_IAM_USER },
          { name: 'ZENML_STORE_AWS_REGION', value: input.region },
          {
            name: 'ZENML_STORE_AWS_RDS_IAM_MAX_WAIT_SECONDS',
            value: String(input.iamMaxWaitSeconds ?? RDS_IAM_MAX_WAIT_SECONDS),
          },
        ]
      : [
          // Password: the launcher reads user and password from the RDS master secret.
          { name: 'ZENML_STORE_SSL_CA', value: p.rdsCaFile },
          { name: 'ZENML_LAUNCHER_DB_SECRET_ID', value: input.databaseSecretId },
        ]),
    // The whole database is held in memory before a migration (size the memory limit for it).
    { name: 'ZENML_STORE_BACKUP_STRATEGY', value: 'in-memory' },
    // Secrets: AWS Secrets Manager (zenml/<uuid>), credentials from Pod Identity, never the SQL store.
    { name: 'ZENML_SECRETS_STORE_TYPE', value: 'aws' },
    { name: 'ZENML_SECRETS_STORE_AUTH_METHOD', value: 'implicit' },
    { name: 'ZENML_SECRETS_STORE_AUTH_CONFIG', value: JSON.stringify({ region: input.region }) },
    ...regionEnv(input.region),
    // The server.
    { name: 'ZENML_SERVER_DEPLOYMENT_TYPE', value: 'kubernetes' },
    { name: 'ZENML_SERVER_AUTH_SCHEME', value: 'OAUTH2_PASSWORD_BEARER' },
    { name: 'ZENML_SERVER_SERVER_URL', value: ZENML_SERVER_IN_CLUSTER_URL },
    { name: 'ZENML_SERVER_CORS_ALLOW_ORIGINS', value: ZENML_SERVER_IN_CLUSTER_URL },
    { name: 'ZENML_SERVER_JWT_TOKEN_EXPIRE_MINUTES', value: String(JWT_TOKEN_EXPIRE_MINUTES) },
    { name: 'ZENML_ANALYTICS_OPT_IN', value: 'false' },
    { name: 'ZENML_DEBUG', value: 'false' },
    { name: 'ZENML_LOGGING_VERBOSITY', value: 'INFO' },
    { name: 'ZENML_LOGGING_COLORS_DISABLED', value: 'true' },
    { name: 'ZENML_CONFIG_PATH', value: p.configPath },
    { name: 'PYTHONUNBUFFERED', value: '1' },
    // The launcher: which secrets to read, which trust store to build, where to listen.
    { name: 'ZENML_LAUNCHER_ADMIN_SECRET_ID', value: input.adminSecretId },
    { name: 'ZENML_LAUNCHER_JWT_SECRET_ID', value: input.jwtSecretId },
    { name: 'ZENML_LAUNCHER_RDS_CA_FILE', value: p.rdsCaFile },
    { name: 'ZENML_LAUNCHER_SYSTEM_CA_FILE', value: p.systemCaFile },
    { name: 'ZENML_LAUNCHER_CA_BUNDLE_FILE', value: p.caBundleFile },
    { name: 'ZENML_LAUNCHER_HOST', value: listen.host },
    { name: 'ZENML_LAUNCHER_PORT', value: listen.port },
  ];
  return env;
}

/** The bootstrap Job's environment (zenmlDatabaseAuth=iam): who to create, where, trusting what. */
export function dbBootstrapEnv(input: ZenmlServerEnvInput): EnvVar[] {
  const p = paths(input);
  return [
    { name: 'ZENML_BOOTSTRAP_DB_SECRET_ID', value: input.databaseSecretId },
    { name: 'ZENML_BOOTSTRAP_DB_HOST', value: input.databaseHost },
    { name: 'ZENML_BOOTSTRAP_DB_PORT', value: input.databasePort },
    { name: 'ZENML_BOOTSTRAP_DB_NAME', value: input.databaseName },
    { name: 'ZENML_BOOTSTRAP_DB_USER', value: ZENML_DB_IAM_USER },
    { name: 'ZENML_BOOTSTRAP_CA_FILE', value: p.rdsCaFile },
    ...regionEnv(input.region),
    { name: 'PYTHONUNBUFFERED', value: '1' },
  ];
}

/** The environment as a plain object (what a test hands to a child process). */
export function envObject(env: readonly EnvVar[]): Record<string, string> {
  return Object.fromEntries(env.map((e) => [e.name, e.value]));
}
