/**
 * The ZenML server's environment, asserted variable by variable in the unit suite. The
 * zenml-server suite starts a real server with it (outside CI's unit run); here each value is the
 * one the module's contract states: TLS with verification, IAM or password auth to the database,
 * secrets in AWS Secrets Manager with Pod Identity credentials, and the launcher's files at the
 * pod's mounts.
 */
import {
  dbBootstrapEnv,
  envObject,
  LOCAL_ADDITIONS,
  LOCAL_SUBSTITUTIONS,
  SUBSTITUTED_VARIABLES,
  type ZenmlServerEnvInput,
  zenmlServerEnv,
} from '../../k8s/zenml-server-env';

const POD: ZenmlServerEnvInput = {
  databaseAuth: 'iam',
  region: 'eu-west-1',
  databaseHost: 'db.abc.eu-west-1.rds.amazonaws.com',
  databasePort: '3306',
  databaseName: 'zenml',
  adminSecretId: 'arn:admin',
  jwtSecretId: 'arn:jwt',
  databaseSecretId: 'arn:rds',
};

/** What both modes share. */
const COMMON = {
  ZENML_STORE_TYPE: 'sql',
  ZENML_STORE_URL: 'mysql://db.abc.eu-west-1.rds.amazonaws.com:3306/zenml',
  ZENML_STORE_SSL: 'true',
  ZENML_STORE_SSL_VERIFY_SERVER_CERT: 'true',
  ZENML_STORE_BACKUP_STRATEGY: 'in-memory',
  ZENML_SECRETS_STORE_TYPE: 'aws',
  ZENML_SECRETS_STORE_AUTH_METHOD: 'implicit',
  ZENML_SECRETS_STORE_AUTH_CONFIG: '{"region":"eu-west-1"}',
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  ZENML_SERVER_DEPLOYMENT_TYPE: 'kubernetes',
  ZENML_SERVER_AUTH_SCHEME: 'OAUTH2_PASSWORD_BEARER',
  ZENML_SERVER_SERVER_URL: 'http://zenml-server.zenml.svc:8080',
  ZENML_SERVER_CORS_ALLOW_ORIGINS: 'http://zenml-server.zenml.svc:8080',
  ZENML_SERVER_JWT_TOKEN_EXPIRE_MINUTES: '60',
  ZENML_ANALYTICS_OPT_IN: 'false',
  ZENML_DEBUG: 'false',
  ZENML_LOGGING_VERBOSITY: 'INFO',
  ZENML_LOGGING_COLORS_DISABLED: 'true',
  ZENML_CONFIG_PATH: '/zenml/.zenconfig',
  PYTHONUNBUFFERED: '1',
  ZENML_LAUNCHER_ADMIN_SECRET_ID: 'arn:admin',
  ZENML_LAUNCHER_JWT_SECRET_ID: 'arn:jwt',
  ZENML_LAUNCHER_RDS_CA_FILE: '/opt/zenml-server/rds-ca-rsa2048-g1.pem',
  ZENML_LAUNCHER_SYSTEM_CA_FILE: '/etc/ssl/certs/ca-certificates.crt',
  ZENML_LAUNCHER_CA_BUNDLE_FILE: '/tmp/ca-bundle-with-rds.pem',
  ZENML_LAUNCHER_HOST: '0.0.0.0',
  ZENML_LAUNCHER_PORT: '8080',
};

const names = (env: { name: string }[]) => env.map((e) => e.name);

describe('zenmlServerEnv', () => {
  test('iam: a 15-minute token as zenml_server, retried for 180 s; no CA file for ZenML (it refuses one with IAM) and no database secret', () => {
    const env = zenmlServerEnv(POD);
    expect(envObject(env)).toEqual({
      ...COMMON,
      ZENML_STORE_AUTH_MODE: 'aws_rds_iam',
      ZENML_STORE_USERNAME: 'zenml_server',
      ZENML_STORE_AWS_REGION: 'eu-west-1',
      ZENML_STORE_AWS_RDS_IAM_MAX_WAIT_SECONDS: '180',
    });
    expect(new Set(names(env)).size).toBe(env.length);
  });

  test('password: the launcher reads the RDS master secret; ZenML trusts the RDS root it is given', () => {
    const env = zenmlServerEnv({ ...POD, databaseAuth: 'password' });
    expect(envObject(env)).toEqual({
      ...COMMON,
      ZENML_STORE_SSL_CA: '/opt/zenml-server/rds-ca-rsa2048-g1.pem',
      ZENML_LAUNCHER_DB_SECRET_ID: 'arn:rds',
    });
    expect(new Set(names(env)).size).toBe(env.length);
  });

  test('paths, listen address and IAM wait can be given (a local run); each lands in its variables only', () => {
    const env = envObject(
      zenmlServerEnv({
        ...POD,
        paths: { rdsCaFile: '/t/rds.pem', caBundleFile: '/t/bundle.pem', configPath: '/t/cfg' },
        listen: { host: '127.0.0.1', port: '40123' },
        iamMaxWaitSeconds: 5,
      }),
    );
    expect(env).toMatchObject({
      ZENML_LAUNCHER_RDS_CA_FILE: '/t/rds.pem',
      ZENML_LAUNCHER_CA_BUNDLE_FILE: '/t/bundle.pem',
      ZENML_CONFIG_PATH: '/t/cfg',
      // Not given: the pod's.
      ZENML_LAUNCHER_SYSTEM_CA_FILE: '/etc/ssl/certs/ca-certificates.crt',
      ZENML_LAUNCHER_HOST: '127.0.0.1',
      ZENML_LAUNCHER_PORT: '40123',
      ZENML_STORE_AWS_RDS_IAM_MAX_WAIT_SECONDS: '5',
    });
  });
});

describe('dbBootstrapEnv', () => {
  test('who to create (zenml_server), in which database, with the master secret, trusting the RDS root', () => {
    expect(dbBootstrapEnv(POD)).toEqual([
      { name: 'ZENML_BOOTSTRAP_DB_SECRET_ID', value: 'arn:rds' },
      { name: 'ZENML_BOOTSTRAP_DB_HOST', value: 'db.abc.eu-west-1.rds.amazonaws.com' },
      { name: 'ZENML_BOOTSTRAP_DB_PORT', value: '3306' },
      { name: 'ZENML_BOOTSTRAP_DB_NAME', value: 'zenml' },
      { name: 'ZENML_BOOTSTRAP_DB_USER', value: 'zenml_server' },
      { name: 'ZENML_BOOTSTRAP_CA_FILE', value: '/opt/zenml-server/rds-ca-rsa2048-g1.pem' },
      { name: 'AWS_REGION', value: 'eu-west-1' },
      { name: 'AWS_DEFAULT_REGION', value: 'eu-west-1' },
      { name: 'PYTHONUNBUFFERED', value: '1' },
    ]);
  });
});

describe('what a local run may change', () => {
  /** Every input LOCAL_SUBSTITUTIONS lists, changed. */
  const local = (databaseAuth: ZenmlServerEnvInput['databaseAuth']): ZenmlServerEnvInput => ({
    ...POD,
    databaseAuth,
    databaseHost: '127.0.0.1',
    databasePort: '43306',
    adminSecretId: 'arn:moto:admin',
    jwtSecretId: 'arn:moto:jwt',
    databaseSecretId: 'arn:moto:rds',
    region: 'us-east-1',
    paths: {
      rdsCaFile: '/t/a',
      systemCaFile: '/t/b',
      caBundleFile: '/t/c',
      configPath: '/t/d',
      launcherFile: '/t/e',
      bootstrapFile: '/t/f',
    },
    listen: { host: '127.0.0.1', port: '1' },
    iamMaxWaitSeconds: 3,
  });

  test('changing every listed input changes exactly SUBSTITUTED_VARIABLES (over both auth modes)', () => {
    expect(Object.keys(LOCAL_SUBSTITUTIONS).sort()).toEqual(
      [
        'adminSecretId',
        'databaseHost',
        'databasePort',
        'databaseSecretId',
        'iamMaxWaitSeconds',
        'jwtSecretId',
        'listen',
        'paths',
        'region',
      ].sort(),
    );
    const differing = new Set<string>();
    for (const mode of ['iam', 'password'] as const) {
      const pod = envObject(zenmlServerEnv({ ...POD, databaseAuth: mode }));
      const mine = envObject(zenmlServerEnv(local(mode)));
      expect(Object.keys(mine).sort()).toEqual(Object.keys(pod).sort());
      for (const k of Object.keys(pod)) if (pod[k] !== mine[k]) differing.add(k);
    }
    expect([...differing].sort()).toEqual([...SUBSTITUTED_VARIABLES].sort());
  });

  test('what EKS injects (Pod Identity) and the stand-ins a local run adds are never in the pod environment', () => {
    expect([...LOCAL_ADDITIONS]).toEqual([
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
      'AWS_ENDPOINT_URL',
      'PATH',
      'HOME',
    ]);
    for (const mode of ['iam', 'password'] as const) {
      const env = envObject(zenmlServerEnv({ ...POD, databaseAuth: mode }));
      expect(LOCAL_ADDITIONS.filter((k) => k in env)).toEqual([]);
    }
  });
});
