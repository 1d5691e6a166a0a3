/**
 * The ZenML server's rendered configuration, met by a real ZenML 0.98.0 server on MariaDB with TLS,
 * with moto as Secrets Manager and a stand-in Pod Identity agent (scripts/verify/test-zenml-server.sh).
 * The server is started through the real launcher with exactly what k8s/zenml-server-env.ts renders
 * for local inputs (LOCAL_SUBSTITUTIONS) plus what EKS would inject (LOCAL_ADDITIONS).
 */

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  envObject,
  LOCAL_ADDITIONS,
  SUBSTITUTED_VARIABLES,
  zenmlServerEnv,
} from '../../k8s/zenml-server-env';
import { loginWithNewApiKey } from '../../scripts/operate/zenml-session';
import {
  createSecret,
  createStackSecrets,
  dbFingerprint,
  freePort,
  localInput,
  mysqlDump,
  type StackSecrets,
  type Suite,
  secretNames,
  secretValue,
  sql,
  startServer,
  stop,
  stopAll,
  suite,
  zenmlCli,
} from './zenml-server-fixtures';

let s: Suite;
let secrets: StackSecrets;
let dir: string;

beforeAll(async () => {
  s = suite();
  dir = fs.mkdtempSync(path.join(s.state, 'server-'));
  secrets = await createStackSecrets(s, `suite-${randomBytes(3).toString('hex')}`);
});

afterAll(stopAll);

describe('one source of truth', () => {
  test('the local run differs from the pod only in the documented inputs, and carries no secret', () => {
    const pod = envObject(
      zenmlServerEnv({
        databaseAuth: 'password',
        region: 'eu-west-1',
        databaseHost: 'db.abc.eu-west-1.rds.amazonaws.com',
        databasePort: '3306',
        databaseName: 'zenml',
        adminSecretId:
          'arn:aws:secretsmanager:eu-west-1:111122223333:secret:zenml-spark/zenml-server-admin-a',
        jwtSecretId: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:zenml-spark/zenml-server-jwt-b',
        databaseSecretId:
          'arn:aws:secretsmanager:eu-west-1:111122223333:secret:zenml-spark/rds_authentication-c',
      }),
    );
    const local = envObject(zenmlServerEnv(localInput(s, secrets, dir)));
    expect(Object.keys(local).sort()).toEqual(Object.keys(pod).sort());
    const differing = Object.keys(pod).filter((k) => pod[k] !== local[k]);
    expect(differing.filter((k) => !(SUBSTITUTED_VARIABLES as readonly string[]).includes(k))).toEqual([]);
    for (const name of [
      'ZENML_STORE_PASSWORD',
      'ZENML_SERVER_JWT_SECRET_KEY',
      'ZENML_DEFAULT_USER_PASSWORD',
    ]) {
      expect(Object.keys(pod)).not.toContain(name);
    }
    expect(LOCAL_ADDITIONS.filter((k) => k in pod)).toEqual([]);
  });
});

describe('password mode on MariaDB with verified TLS', () => {
  test('migrates, serves, refuses a second activation; logs no secret', async () => {
    const input = localInput(s, secrets, dir);
    const { env, started } = await startServer(s, input, dir, 'first-start');
    try {
      expect([started.exitCode, started.output().slice(-1500)]).toEqual([undefined, expect.any(String)]);
      const tables = Number(
        sql(s, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='zenml'"),
      );
      const log = started.output();
      const migration = /Creating database tables|Migrating the ZenML global configuration|alembic/i.test(
        log,
      );
      console.log(
        `zenml-server: empty database -> /health 200 in ${(started.ms / 1000).toFixed(1)} s, ${tables} tables (migration logged: ${migration})`,
      );
      expect(tables).toBeGreaterThanOrEqual(50);
      // The exact env the process got: the rendered one plus the local additions, nothing else.
      expect(Object.keys(env).sort()).toEqual(
        [...Object.keys(envObject(zenmlServerEnv(input))), ...LOCAL_ADDITIONS].sort(),
      );
      const info = (await (await fetch(`${started.url}/api/v1/info`)).json()) as Record<string, unknown>;
      expect(info).toEqual(
        expect.objectContaining({ database_type: 'mysql', secrets_store_type: 'aws', active: true }),
      );
      const activate = await fetch(`${started.url}/api/v1/activate`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ admin_username: 'mallory', admin_password: 'x'.repeat(12) }),
      });
      expect(activate.status).toBe(403);
      expect(log).toMatch(/zenml-server-launcher: bootstrap admin 'admin' from arn:aws:secretsmanager:/);
      expect(log).toMatch(/zenml-server-launcher: database user 'zenml' and its password from/);
      for (const value of [
        secrets.adminPassword,
        s.masterPassword,
        (await secretValue(s, secrets.jwtArn)) ?? '',
      ]) {
        expect(log).not.toContain(value);
      }
      // Credentials came from the Pod Identity stand-in, as they would from EKS.
      expect(fs.readFileSync(s.agentLog, 'utf8')).toMatch(/GET \/v1\/credentials auth_ok=True/);

      // A client logs in as zenml-login does: an API key made by the admin, handed over on stdin.
      const client = path.join(dir, 'client');
      fs.mkdirSync(client);
      const clientEnv = {
        PATH: `${s.venv}/bin:/usr/bin:/bin`,
        HOME: client,
        ZENML_CONFIG_PATH: client,
        ZENML_LOGGING_COLORS_DISABLED: 'true',
      };
      const login = await loginWithNewApiKey({
        zenml: path.join(s.venv, 'bin', 'zenml'),
        url: started.url,
        admin: { username: 'admin', password: secrets.adminPassword },
        env: clientEnv,
      });
      expect(login.createdServiceAccount).toBe(true);
      // A second run makes a new key for the same service account.
      expect(
        (
          await loginWithNewApiKey({
            zenml: path.join(s.venv, 'bin', 'zenml'),
            url: started.url,
            admin: { username: 'admin', password: secrets.adminPassword },
            env: clientEnv,
          })
        ).createdServiceAccount,
      ).toBe(false);

      // A secret created through the server lands in Secrets Manager (moto), not in the database.
      const value = `suite-${randomBytes(12).toString('hex')}`;
      zenmlCli(s, client, ['secret', 'create', 'suite_secret', `--token=${value}`]);
      const stored = (await secretNames(s)).filter((n) => n.startsWith('zenml/'));
      expect(stored).toHaveLength(1);
      expect(JSON.parse((await secretValue(s, stored[0])) ?? '{}')).toEqual({ token: value });
      const dump = mysqlDump(s);
      expect(dump).not.toContain(value);
      expect(dump).not.toContain(Buffer.from(value).toString('base64'));

      // A stack component registered through it can be read back.
      zenmlCli(s, client, [
        'container-registry',
        'register',
        'suite_registry',
        '--flavor=default',
        '--uri=123456789012.dkr.ecr.us-east-1.amazonaws.com/zenml',
      ]);
      expect(zenmlCli(s, client, ['container-registry', 'describe', 'suite_registry'])).toContain(
        '123456789012.dkr.ecr.us-east-1.amazonaws.com/zenml',
      );
    } finally {
      await stop(started.child);
    }

    // A restart on the migrated database, for the start-up figure.
    const again = await startServer(s, localInput(s, secrets, dir), dir, 'second-start');
    console.log(
      `zenml-server: migrated database -> /health 200 in ${(again.started.ms / 1000).toFixed(1)} s`,
    );
    expect(again.started.exitCode).toBeUndefined();
    await stop(again.started.child);
  });

  const failures: Array<[string, () => Promise<Parameters<typeof localInput>[3]>, RegExp]> = [
    [
      'a wrong CA',
      async () => ({ paths: { ...localInput(s, secrets, dir).paths, rdsCaFile: s.wrongCa } }),
      /CERTIFICATE_VERIFY_FAILED/,
    ],
    [
      'a wrong database password',
      async () => ({
        databaseSecretId: await createSecret(
          s,
          `suite-wrong-${randomBytes(3).toString('hex')}/rds_authentication`,
          JSON.stringify({ username: 'zenml', password: 'not-the-password' }),
        ),
      }),
      /Access denied for user 'zenml'/,
    ],
    [
      'an unreachable database',
      async () => ({ databasePort: freePort() }),
      /Can't connect to MySQL server on '127\.0\.0\.1' \(\[Errno 111\] Connection refused\)/,
    ],
  ];
  test.each(failures)(
    '%s: the server exits with the cause in its log; the database is untouched',
    async (name, overrides, cause) => {
      const before = dbFingerprint(s);
      expect(
        Number(sql(s, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='zenml'")),
      ).toBeGreaterThan(0);
      const input = localInput(s, secrets, dir, await overrides());
      const { started } = await startServer(s, input, dir, `fail-${name.replace(/\W+/g, '-')}`);
      expect(started.exitCode).not.toBe(0);
      expect(started.exitCode).not.toBeUndefined();
      expect(started.output()).toMatch(cause);
      expect(started.output()).toMatch(/Application startup failed|Failed to connect to mysql database/);
      console.log(
        `zenml-server: ${name} -> exit ${started.exitCode} after ${(started.ms / 1000).toFixed(1)} s`,
      );
      expect(dbFingerprint(s)).toBe(before);
    },
  );
});

describe('IAM mode against MariaDB (no IAM plugin): as far as it can go', () => {
  const iam = (overrides: Parameters<typeof localInput>[3] = {}) =>
    localInput(s, secrets, dir, { databaseAuth: 'iam', iamMaxWaitSeconds: 0, ...overrides });

  test('verifies TLS through SSL_CERT_FILE, presents a token, and is denied by MariaDB', async () => {
    const { env, started } = await startServer(s, iam(), dir, 'iam-denied');
    expect(env.ZENML_STORE_SSL_CA).toBeUndefined();
    expect(env.ZENML_STORE_AUTH_MODE).toBe('aws_rds_iam');
    expect(started.exitCode).not.toBeUndefined();
    // TLS was negotiated and verified (the connection class refuses otherwise), a token was sent.
    expect(started.output()).toMatch(
      /Access denied for user 'zenml_server'@'127\.0\.0\.1' \(using password: YES\)/,
    );
    expect(started.output()).toMatch(/SSL_CERT_FILE=.*: system CAs \+ 1 RDS root/);
  });

  test('a trust store without the database CA: certificate verify failed', async () => {
    const paths = { ...iam().paths, rdsCaFile: s.wrongCa };
    const { started } = await startServer(s, iam({ paths }), dir, 'iam-wrong-ca');
    expect(started.output()).toMatch(/CERTIFICATE_VERIFY_FAILED/);
  });

  test('a database without TLS: the token is never sent', async () => {
    const { started } = await startServer(s, iam({ databasePort: s.noTlsPort }), dir, 'iam-no-tls');
    expect(started.output()).toMatch(
      /AWS RDS IAM authentication requires TLS\. Refusing to send the authentication token over an unencrypted connection/,
    );
  });
});
