/**
 * Issue 14, kinds 2 and 3: values valid alone but impossible together or in the world, and every
 * setting that can open something to the internet behind the same guard. Each problem names every
 * setting involved.
 */
import { ConfigError, resolveConfig, SETTINGS } from '../../../lib/settings/config';
import { EXPOSURE_GUARDS } from '../../../lib/settings/cross-checks';
import { readRawSettings } from '../../../lib/settings/read-settings';

const resolve = (settings: Record<string, unknown>) => resolveConfig(readRawSettings(settings, {}));

function problems(settings: Record<string, unknown>): string {
  try {
    resolve(settings);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(settings)} to be rejected`);
}

describe('kind 2: impossible together', () => {
  test('[example] zones of two regions with no region set: rejected, naming availabilityZones and region', () => {
    expect(problems({ availabilityZones: ['us-east-1a', 'eu-west-1b'] })).toMatch(
      /availabilityZones=\["us-east-1a","eu-west-1b"\] .*zones of one region; these are in us-east-1 and eu-west-1, and region is unset/,
    );
    expect(resolve({ availabilityZones: ['eu-west-1a', 'eu-west-1c'] }).availabilityZones).toHaveLength(2);
  });

  test('mysqlAllowedCidrs inside vpcCidr: rejected, naming both', () => {
    expect(problems({ vpcCidr: '10.40.0.0/16', mysqlAllowedCidrs: ['10.40.8.0/24'] })).toMatch(
      /mysqlAllowedCidrs=.*'10\.40\.8\.0\/24' lies inside vpcCidr 10\.40\.0\.0\/16/,
    );
    // A VPN's summary route around the VPC is an organisation's range, not a mistake.
    expect(resolve({ mysqlAllowedCidrs: ['10.0.0.0/8'] }).mysqlAllowedCidrs).toEqual(['10.0.0.0/8']);
  });

  test.each([
    ['10.0.0.0/8', 'private \\(RFC 1918\\)'],
    ['192.168.1.0/24', 'private \\(RFC 1918\\)'],
    ['172.20.0.0/16', 'private \\(RFC 1918\\)'],
    ['127.0.0.1/32', 'loopback'],
    ['100.64.0.0/10', 'carrier-grade NAT'],
    ['169.254.169.254/32', 'link-local'],
  ])('clusterEndpointPublicCidrs=%s: a range the public endpoint never sees', (cidr, what) => {
    expect(problems({ clusterEndpointPublicCidrs: [cidr] })).toMatch(
      new RegExp(`clusterEndpointPublicCidrs=.*'${cidr.replace(/[./]/g, '\\$&')}' is in .*${what}`),
    );
  });

  test.each(['mysqlAllowedCidrs', 'clusterEndpointPublicCidrs'])(
    '%s: a CIDR listed twice, or inside another entry, is rejected',
    (key) => {
      expect(problems({ [key]: ['203.0.113.0/24', '203.0.113.0/24'] })).toMatch(
        new RegExp(`${key}=.*'203\\.0\\.113\\.0/24' is listed twice`),
      );
      expect(problems({ [key]: ['203.0.113.0/24', '203.0.113.7/32'] })).toMatch(
        new RegExp(`${key}=.*'203\\.0\\.113\\.7/32' lies inside '203\\.0\\.113\\.0/24', also listed`),
      );
    },
  );

  test('vpcCidr too small for the subnets of its AZs: rejected, naming vpcCidr and availabilityZones', () => {
    expect(problems({ vpcCidr: '10.40.0.0/18' })).toMatch(
      /vpcCidr='10\.40\.0\.0\/18' .*in each of the 2 AZs \(availabilityZones unset: the region's first 2\): \/17 or larger/,
    );
    expect(
      problems({
        vpcCidr: '10.40.0.0/17',
        region: 'eu-west-1',
        availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c',
      }),
    ).toMatch(/vpcCidr='10\.40\.0\.0\/17' .*each of the 3 AZs \(availabilityZones\): \/16 or larger/);
    expect(resolve({ vpcCidr: '10.40.0.0/17' }).vpcCidr).toBe('10.40.0.0/17');
  });

  test('s3AccessKey with emulator=true: rejected, naming both', () => {
    expect(problems({ emulator: true, s3AccessKey: true })).toMatch(
      /s3AccessKey=true .*false with emulator=true/,
    );
  });

  test('a cluster admin listed twice: rejected (one EKS access entry per principal)', () => {
    const arn = 'arn:aws:iam::123456789012:role/Admin';
    expect(problems({ clusterAdminPrincipalArns: [arn, arn] })).toMatch(
      /clusterAdminPrincipalArns=.*arn:aws:iam::123456789012:role\/Admin is listed twice/,
    );
  });

  test('dbInstanceClass outside what RDS for MySQL 8.4 offers: rejected with the allowed list', () => {
    expect(problems({ dbInstanceClass: 'db.t2.micro' })).toMatch(
      /dbInstanceClass='db\.t2\.micro' .*a class RDS for MySQL 8\.4 offers \(db\.<family>\.<size>\): db\.t3\.\(micro\|small\|medium\|large\|xlarge\|2xlarge\), db\.t4g\./,
    );
    expect(problems({ dbInstanceClass: 'db.t4g.smal' })).toMatch(/did you mean db\.t4g\.small\?/);
    expect(resolve({ dbInstanceClass: 'db.r7g.large' }).dbInstanceClass).toBe('db.r7g.large');
  });
});

describe('kind 3: exposure without the guard', () => {
  test('[example] clusterEndpointPublicCidrs=0.0.0.0/0 needs allowClusterEndpointFromAnywhere=true', () => {
    expect(problems({ clusterEndpointPublicCidrs: '0.0.0.0/0' })).toBe(
      "Invalid setting: clusterEndpointPublicCidrs='0.0.0.0/0' (from context (cdk.json or -c)): 0.0.0.0/0 opens " +
        'the Kubernetes API endpoint to the internet; set allowClusterEndpointFromAnywhere=true to mean it',
    );
    expect(
      resolve({ clusterEndpointPublicCidrs: '0.0.0.0/0', allowClusterEndpointFromAnywhere: true })
        .clusterEndpointPublicCidrs,
    ).toEqual(['0.0.0.0/0']);
  });

  test.each(EXPOSURE_GUARDS.map((g) => [g.key, g.override]))(
    '%s: the 0.0.0.0/1 + 128.0.0.0/1 pair is the internet too (needs %s)',
    (key, override) => {
      expect(problems({ [key]: ['0.0.0.0/1', '128.0.0.0/1'] })).toMatch(
        new RegExp(
          `${key}=.*0\\.0\\.0\\.0/1, 128\\.0\\.0\\.0/1 opens .* to the internet; set ${override}=true`,
        ),
      );
      expect(problems({ [key]: ['64.0.0.0/2'] })).toMatch(new RegExp(`set ${override}=true`));
    },
  );

  test('the same guard and the same error shape for every setting that can open something', () => {
    for (const { key, override } of EXPOSURE_GUARDS) {
      expect(problems({ [key]: '0.0.0.0/0' })).toMatch(
        new RegExp(
          `^Invalid setting: ${key}='0\\.0\\.0\\.0/0' \\(from .*\\): 0\\.0\\.0\\.0/0 opens .* to the internet; set ${override}=true to mean it$`,
        ),
      );
      expect(SETTINGS[override]).toMatchObject({ kind: 'boolean', default: false });
    }
    // Every CIDR list a user can set is one of them.
    const cidrLists = Object.entries(SETTINGS)
      .filter(([, spec]) => spec.kind === 'cidrList')
      .map(([key]) => key);
    expect(EXPOSURE_GUARDS.map((g) => g.key).sort()).toEqual(cidrLists.sort());
  });

  test('a /8 and narrower public range is an organisation, not the internet: no override needed', () => {
    expect(resolve({ clusterEndpointPublicCidrs: ['3.0.0.0/8', '203.0.113.7/32'] })).toBeDefined();
  });
});

describe('each cross-check exactly, and only when its own condition holds', () => {
  const ADMIN = 'arn:aws:iam::123456789012:role/Admin';
  const OTHER = 'arn:aws:iam::123456789012:role/Other';

  test('a principal listed twice is named once, however often it repeats; distinct principals pass', () => {
    expect(resolve({ clusterAdminPrincipalArns: [ADMIN, OTHER] }).clusterAdminPrincipalArns).toEqual([
      ADMIN,
      OTHER,
    ]);
    const message = problems({ clusterAdminPrincipalArns: [ADMIN, OTHER, ADMIN, ADMIN] });
    expect(message).toMatch(
      /: each principal once; arn:aws:iam::123456789012:role\/Admin is listed twice \(EKS allows one access entry per principal\)$/,
    );
    expect(message.split('\n')).toHaveLength(1);
  });

  test('a CIDR listed twice is one problem; one inside another is another; neighbours pass', () => {
    expect(
      resolve({ mysqlAllowedCidrs: ['203.0.113.0/25', '203.0.113.128/25'] }).mysqlAllowedCidrs,
    ).toHaveLength(2);
    expect(problems({ mysqlAllowedCidrs: ['203.0.113.0/24', '203.0.113.0/24'] })).toMatch(
      /each CIDR once; '203\.0\.113\.0\/24' is listed twice$/,
    );
    expect(problems({ mysqlAllowedCidrs: ['203.0.113.0/24', '203.0.113.8/29'] })).toMatch(
      /CIDRs that do not overlap; '203\.0\.113\.8\/29' lies inside '203\.0\.113\.0\/24', also listed$/,
    );
  });

  test('a VPC too wide, or too many zones, is its own problem only: no second "too small for the subnets"', () => {
    for (const message of [
      problems({ vpcCidr: '10.0.0.0/15' }),
      problems({
        region: 'eu-west-1',
        availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c,eu-west-1d',
        vpcCidr: '10.0.0.0/17',
      }),
    ]) {
      expect(message).not.toMatch(/a VPC that holds/);
      expect(message.split('\n')).toHaveLength(1);
    }
  });

  test('the emulator build refuses s3AccessKey; either alone is fine', () => {
    expect(resolve({ emulator: true }).emulator).toBe(true);
    expect(resolve({ s3AccessKey: true }).s3AccessKey).toBe(true);
    expect(problems({ emulator: true, s3AccessKey: true })).toMatch(
      /^Invalid setting: s3AccessKey=true .*: false with emulator=true: the emulator skips AWS::SecretsManager::Secret/,
    );
  });

  test('the public endpoint: a private range is named with its range; a public one passes', () => {
    expect(
      resolve({ clusterEndpointPublicCidrs: ['203.0.113.7/32'] }).clusterEndpointPublicCidrs,
    ).toHaveLength(1);
    expect(problems({ clusterEndpointPublicCidrs: ['192.168.1.0/24'] })).toMatch(
      /public source addresses; '192\.168\.1\.0\/24' is in 192\.168\.0\.0\/16, private \(RFC 1918\), which the public endpoint never sees/,
    );
  });
});
