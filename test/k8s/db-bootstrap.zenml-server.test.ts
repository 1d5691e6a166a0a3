/**
 * The bootstrap Job's script (zenml-server/db_bootstrap.py) with the environment the chart renders
 * for it (dbBootstrapEnv), against MariaDB: it reads the master credentials from Secrets Manager
 * (moto) through the Pod Identity stand-in, connects over verified TLS and gets as far as MariaDB
 * allows: CREATE USER ... IDENTIFIED WITH AWSAuthenticationPlugin needs RDS's plugin, which only
 * RDS has. What this cannot prove: that RDS accepts the statement and then a token for the user.
 */

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createStackSecrets,
  localInput,
  runBootstrap,
  type StackSecrets,
  type Suite,
  sql,
  stopAll,
  suite,
} from './zenml-server-fixtures';

let s: Suite;
let secrets: StackSecrets;
let dir: string;

beforeAll(async () => {
  s = suite();
  dir = fs.mkdtempSync(path.join(s.state, 'bootstrap-'));
  secrets = await createStackSecrets(s, `boot-${randomBytes(3).toString('hex')}`);
});
afterAll(stopAll);

const users = () => sql(s, "SELECT CONCAT(user, '@', host, ' ', plugin) FROM mysql.user ORDER BY 1");

describe('the database bootstrap Job script', () => {
  test('connects as the master over verified TLS and reaches CREATE USER, which needs RDS', async () => {
    const before = users();
    const r = await runBootstrap(s, localInput(s, secrets, dir, { databaseAuth: 'iam' }), dir, 'bootstrap');
    const log = r.output();
    expect(log).toMatch(
      /zenml-db-bootstrap: master credentials of 'zenml' read from arn:aws:secretsmanager:/,
    );
    expect(log).toMatch(/connected to 127\.0\.0\.1:\d+ as 'zenml' over TLSv1\.[23], certificate verified/);
    expect(log).toMatch(
      /IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL' failed: .*AWSAuthenticationPlugin/,
    );
    expect(r.exitCode).toBe(2);
    expect(log).not.toContain(s.masterPassword);
    expect(users()).toBe(before);
  });

  test('a wrong CA: refused before any credential is sent', async () => {
    const paths = { ...localInput(s, secrets, dir).paths, rdsCaFile: s.wrongCa };
    const r = await runBootstrap(s, localInput(s, secrets, dir, { paths }), dir, 'bootstrap-wrong-ca');
    expect(r.exitCode).toBe(2);
    expect(r.output()).toMatch(/cannot connect to 127\.0\.0\.1:\d+ as 'zenml': .*CERTIFICATE_VERIFY_FAILED/);
  });

  test('a database without TLS: the master password is never sent', async () => {
    const r = await runBootstrap(
      s,
      localInput(s, secrets, dir, { databasePort: s.noTlsPort }),
      dir,
      'bootstrap-no-tls',
    );
    expect(r.exitCode).toBe(2);
    expect(r.output()).toMatch(/offered no TLS; refusing to send the master password in plain text/);
  });

  test('a user of that name with another plugin is left alone (exit 3)', async () => {
    sql(s, "CREATE USER 'zenml_server'@'%' IDENTIFIED BY 'x-not-iam'");
    try {
      const r = await runBootstrap(s, localInput(s, secrets, dir), dir, 'bootstrap-existing');
      expect(r.exitCode).toBe(3);
      expect(r.output()).toMatch(
        /user 'zenml_server'@'%' exists with plugin mysql_native_password, not AWSAuthenticationPlugin; left unchanged/,
      );
    } finally {
      sql(s, "DROP USER 'zenml_server'@'%'");
    }
  });
});
