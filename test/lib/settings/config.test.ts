import {
  ConfigError,
  envVarName,
  KUBERNETES_VERSIONS,
  MYSQL_84_VERSIONS,
  resolveConfig,
  SETTING_NAMES,
  SETTINGS,
} from '../../../lib/settings/config';
import { physicalNames } from '../../../lib/settings/names';
import { readRawSettings } from '../../../lib/settings/read-settings';
import { parseIpv4Cidr } from '../../../lib/settings/values';
import { CDK_JSON_CONTEXT } from '../fixtures';

const fromContext = (settings: Record<string, unknown>) => resolveConfig(readRawSettings(settings, {}));

/** The one error message for a bad value; fails the test when there is no error. */
function errorFor(settings: Record<string, unknown>): string {
  try {
    fromContext(settings);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(settings)} to be rejected`);
}

describe('defaults', () => {
  test('synth needs no account or region: both are optional and unset by default', () => {
    const config = fromContext({});
    expect(config.account).toBeUndefined();
    expect(config.region).toBeUndefined();
  });

  test('documented defaults: t3a.xlarge nodes, newest supported Kubernetes, 8.4 MySQL, private by default', () => {
    const config = fromContext({});
    expect(config.nodeInstanceType).toBe('t3a.xlarge');
    // The Spark pool scales from 0 to 4; one small always-on system node.
    expect([config.nodeMinSize, config.nodeMaxSize]).toEqual([0, 4]);
    expect([config.systemNodeInstanceType, config.systemNodeCount]).toEqual(['t3a.medium', 1]);
    expect(config.kubernetesVersion).toBe(KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1]);
    expect(config.mysqlEngineVersion).toMatch(/^8\.4\./);
    expect(config.dbInstanceClass).toMatch(/^db\.t[34]g?\./);
    expect(config.mysqlAllowedCidrs).toEqual([]);
    expect(config.clusterEndpointPublicCidrs).toEqual([]);
    expect(config.removalMode).toBe('destroy');
    expect(config.deploymentId).toBe(config.namePrefix);
  });

  test('cdk.json context carries every setting with its documented default, and nothing else unprefixed', () => {
    const settingKeys = Object.keys(CDK_JSON_CONTEXT).filter((k) => !k.startsWith('@'));
    const expected = SETTING_NAMES.filter((k) => SETTINGS[k].default !== undefined);
    expect(settingKeys.sort()).toEqual([...expected].sort());
    for (const key of expected) expect([key, CDK_JSON_CONTEXT[key]]).toEqual([key, SETTINGS[key].default]);
  });

  test('the default MySQL version is one aws-cdk-lib knows', () => {
    expect(MYSQL_84_VERSIONS).toContain(SETTINGS.mysqlEngineVersion.default);
  });
});

describe('sources', () => {
  test('-c strings are coerced: integers, booleans, comma-separated and JSON lists', () => {
    const config = fromContext({
      nodeMinSize: '2',
      bucketVersioning: 'true',
      mysqlAllowedCidrs: '10.1.0.0/16, 192.168.0.0/24',
      clusterEndpointPublicCidrs: '["203.0.113.0/24"]',
    });
    expect(config.nodeMinSize).toBe(2);
    expect(config.bucketVersioning).toBe(true);
    expect(config.mysqlAllowedCidrs).toEqual(['10.1.0.0/16', '192.168.0.0/24']);
    expect(config.clusterEndpointPublicCidrs).toEqual(['203.0.113.0/24']);
  });

  test('environment variables override context and are named in errors', () => {
    expect(envVarName('nodeMinSize')).toBe('ZENML_SPARK_NODE_MIN_SIZE');
    const raw = readRawSettings({ nodeMinSize: 1 }, { ZENML_SPARK_NODE_MIN_SIZE: '2' });
    expect(resolveConfig(raw).nodeMinSize).toBe(2);
    expect(() => resolveConfig(readRawSettings({}, { ZENML_SPARK_NODE_MAX_SIZE: 'many' }))).toThrow(
      /nodeMaxSize='many' \(from environment ZENML_SPARK_NODE_MAX_SIZE\): a whole number/,
    );
  });

  test('an unknown ZENML_SPARK_* variable is rejected, not ignored', () => {
    expect(() => resolveConfig(readRawSettings({}, { ZENML_SPARK_NODE_TYPE: 'm5.large' }))).toThrow(
      /ZENML_SPARK_NODE_TYPE='m5.large'.*unknown setting/,
    );
  });

  test('several bad values are reported together, one line each', () => {
    const message = errorFor({ nodeMinSize: 'x', removalMode: 'keep' });
    expect(message.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(2);
  });
});

describe('rejects bad values with the key, the value and what is allowed', () => {
  test('malformed CIDR', () => {
    expect(errorFor({ mysqlAllowedCidrs: ['10.0.0.0/33'] })).toMatch(
      /mysqlAllowedCidrs=.*10\.0\.0\.0\/33.*IPv4 CIDR/,
    );
    expect(errorFor({ clusterEndpointPublicCidrs: 'my-laptop' })).toMatch(
      /clusterEndpointPublicCidrs=.*my-laptop/,
    );
    expect(errorFor({ mysqlAllowedCidrs: ['10.0.0.1/16'] })).toMatch(/zero host bits/);
  });

  test('0.0.0.0/0 for MySQL without the explicit override', () => {
    expect(errorFor({ mysqlAllowedCidrs: ['0.0.0.0/0'] })).toMatch(
      /mysqlAllowedCidrs=.*0\.0\.0\.0\/0.*allowMysqlFromAnywhere=true/,
    );
    expect(
      fromContext({ mysqlAllowedCidrs: ['0.0.0.0/0'], allowMysqlFromAnywhere: true }).mysqlAllowedCidrs,
    ).toEqual(['0.0.0.0/0']);
  });

  test('min > max (the pool rules: test/lib/settings/pool-rules.test.ts)', () => {
    expect(errorFor({ nodeMinSize: 5, nodeMaxSize: 3 })).toMatch(/nodeMinSize=5 .*at most nodeMaxSize \(3\)/);
  });

  test('nodeDesiredSize is gone: a leftover value names what replaced it, from context or the environment', () => {
    expect(errorFor({ nodeDesiredSize: 2 })).toBe(
      'Invalid setting: nodeDesiredSize=2 (from context (cdk.json or -c)): removed: the cluster autoscaler sizes the Spark pool between nodeMinSize and nodeMaxSize from pending Spark pods; set nodeMinSize to keep warm nodes',
    );
    expect(() => resolveConfig(readRawSettings({}, { ZENML_SPARK_NODE_DESIRED_SIZE: '3' }))).toThrow(
      /^Invalid setting: nodeDesiredSize='3' \(from environment ZENML_SPARK_NODE_DESIRED_SIZE\): removed: /,
    );
  });

  test('unknown instance type', () => {
    expect(errorFor({ nodeInstanceType: 't3a.xxlarge' })).toMatch(
      /nodeInstanceType='t3a.xxlarge'.*one of the x86_64 types/,
    );
    // Known to EC2 but not sized for Spark (and arm64, which the image is not built for).
    expect(errorFor({ nodeInstanceType: 'm7g.xlarge' })).toMatch(/nodeInstanceType='m7g.xlarge'.*t3a.xlarge/);
    expect(errorFor({ systemNodeInstanceType: 't4g.medium' })).toMatch(
      /systemNodeInstanceType='t4g.medium'.*one of the x86_64 types the sizing knows/,
    );
    expect(errorFor({ dbInstanceClass: 't4g.small' })).toMatch(
      /dbInstanceClass='t4g.small'.*did you mean db\.t4g\.small\? a class RDS for MySQL 8\.4 offers/,
    );
  });

  test('unknown engine version (8.0 is past standard support)', () => {
    expect(errorFor({ mysqlEngineVersion: '8.0.39' })).toMatch(/mysqlEngineVersion='8.0.39'.*one of 8\.4\./);
  });

  test('unsupported Kubernetes version', () => {
    expect(errorFor({ kubernetesVersion: '1.29' })).toMatch(
      /kubernetesVersion='1.29'.*one of 1\.34, 1\.35, 1\.36/,
    );
  });

  test.each([
    ['Upper', 'uppercase (S3 and ECR)'],
    ['zenml_spark', 'underscore (S3)'],
    ['-spark', 'leading hyphen'],
    ['spark-', 'trailing hyphen'],
    ['a--b', 'double hyphen (RDS identifiers)'],
    ['ab', 'too short'],
    ['a-very-long-prefix-name', 'too long for the derived RDS/IAM names'],
  ])('invalid name prefix %s (%s)', (prefix) => {
    expect(errorFor({ namePrefix: prefix })).toMatch(new RegExp(`namePrefix='${prefix}'.*3-20 characters`));
  });

  test('other enumerations and ranges', () => {
    expect(errorFor({ removalMode: 'keep' })).toMatch(/removalMode='keep'.*'destroy' or 'retain'/);
    expect(errorFor({ natGateways: 0 })).toMatch(/natGateways=0.*1 to the number of AZs \(2, /);
    expect(errorFor({ natGateways: 3 })).toMatch(/natGateways=3.*1 to the number of AZs \(2, /);
    expect(errorFor({ availabilityZones: ['eu-west-1a'] })).toMatch(/availabilityZones=.*2 or 3/);
    expect(errorFor({ region: 'eu-west-1', availabilityZones: 'eu-west-1a,us-east-1b' })).toMatch(
      /availabilityZones=.*'us-east-1b' is not one/,
    );
    // Several wrong zones: one problem naming them all, not one per zone.
    expect(errorFor({ region: 'eu-west-1', availabilityZones: 'us-east-1a,us-east-1b' })).toBe(
      "Invalid setting: availabilityZones='us-east-1a,us-east-1b' (from context (cdk.json or -c)): " +
        "zone names of eu-west-1, e.g. eu-west-1a; 'us-east-1a', 'us-east-1b' are not",
    );
    expect(errorFor({ account: '1234' })).toMatch(/account='1234'.*12-digit/);
    expect(errorFor({ region: 'europe' })).toMatch(/region='europe'/);
    expect(errorFor({ vpcCidr: '10.0.0.0/8' })).toMatch(/vpcCidr='10.0.0.0\/8'.*\/16 \(the largest VPC/);
    expect(errorFor({ clusterAdminPrincipalArns: ['alice'] })).toMatch(
      /clusterAdminPrincipalArns=.*'alice' is not one/,
    );
    expect(errorFor({ ecrRepositoryPrefix: 'Team' })).toMatch(/ecrRepositoryPrefix='Team'/);
    expect(errorFor({ bucketVersioning: 'yes' })).toMatch(/bucketVersioning='yes'.*true or false/);
    expect(errorFor({ dbAllocatedStorage: 5 })).toMatch(/dbAllocatedStorage=5.*20 to 1024/);
  });
});

describe('kind 4: an error in a derived value names the setting it came from', () => {
  test('[example] ZENML_SPARK_NAME_PREFIX= is one problem, with namePrefix; deploymentId, derived from it, is not blamed', () => {
    let message = '';
    try {
      resolveConfig(readRawSettings({}, { ZENML_SPARK_NAME_PREFIX: '' }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^Invalid setting: namePrefix='' \(from environment ZENML_SPARK_NAME_PREFIX\): 3-20 characters/,
    );
    expect(message).not.toMatch(/deploymentId/);
    // Set explicitly, deploymentId is checked as itself.
    expect(errorFor({ deploymentId: 'a'.repeat(129) })).toMatch(/^Invalid setting: deploymentId=/);
  });

  test('the repository name derived from ecrRepositoryPrefix: its length limit is blamed on ecrRepositoryPrefix', () => {
    const prefix = Array.from({ length: 26 }, () => 'segment00').join('/');
    expect(errorFor({ ecrRepositoryPrefix: prefix })).toMatch(
      /^Invalid setting: ecrRepositoryPrefix='segment00\/.*' \(from .*\): at most 250 characters: the repository <prefix>\/zenml is limited to 256$/,
    );
  });

  test('the subnets derived from vpcCidr and the AZ count: a VPC too small is blamed on vpcCidr, with the AZ count', () => {
    expect(errorFor({ vpcCidr: '10.40.0.0/20' })).toMatch(
      /^Invalid setting: vpcCidr='10\.40\.0\.0\/20' .*2 AZs/,
    );
  });

  test('the AZ count natGateways is checked against says where it came from', () => {
    expect(errorFor({ natGateways: 3 })).toMatch(/\(2, from availabilityZones unset\)/);
  });
});

describe('helpers', () => {
  test('parseIpv4Cidr', () => {
    expect(parseIpv4Cidr('10.40.0.0/16')).toEqual({ address: 10 * 2 ** 24 + 40 * 2 ** 16, prefix: 16 });
    expect(parseIpv4Cidr('256.0.0.0/8')).toBeNull();
    expect(parseIpv4Cidr('10.0.0.0')).toBeNull();
  });

  test('physical names follow the prefix; the repository is `zenml` unless a path prefix is set', () => {
    const names = physicalNames(fromContext({ namePrefix: 'team-a' }));
    expect(names).toMatchObject({
      stackName: 'team-a',
      clusterName: 'team-a',
      databaseIdentifier: 'team-a-metadata',
      ecrRepositoryName: 'zenml',
      rdsSecretName: 'team-a/rds_authentication',
      s3SecretName: 'team-a/s3_authentication',
    });
    expect(physicalNames(fromContext({ ecrRepositoryPrefix: 'team-a' })).ecrRepositoryName).toBe(
      'team-a/zenml',
    );
  });
});

/**
 * Every comparison rule of the settings at its boundary, on both sides: the last value accepted
 * and the first rejected (with the message naming the setting). A rule whose `<` became `<=`, or
 * that was dropped, fails one of these rows.
 */
describe('every range rule at its boundary: last accepted, first rejected', () => {
  const prefixOf = (length: number) => {
    // Valid ECR segments of 9 characters joined by '/', cut to the exact length (no trailing '/').
    const text = Array.from({ length: 40 }, () => 'segment00')
      .join('/')
      .slice(0, length);
    return text.endsWith('/') ? `${text.slice(0, -2)}aa` : text;
  };
  const rows: readonly [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
    [
      'dbAllocatedStorage lower',
      { dbAllocatedStorage: 20 },
      { dbAllocatedStorage: 19 },
      /^Invalid setting: dbAllocatedStorage=19 .*an integer from 20 to 1024/,
    ],
    [
      'dbAllocatedStorage upper',
      { dbAllocatedStorage: 1024 },
      { dbAllocatedStorage: 1025 },
      /^Invalid setting: dbAllocatedStorage=1025 .*an integer from 20 to 1024/,
    ],
    [
      'vpcCidr size',
      { vpcCidr: '10.0.0.0/16' },
      { vpcCidr: '10.0.0.0/15' },
      /^Invalid setting: vpcCidr='10.0.0.0\/15' .*\/16 \(the largest VPC AWS allows\) or narrower/,
    ],
    [
      'vpcCidr holds 2 AZs',
      { vpcCidr: '10.0.0.0/17' },
      { vpcCidr: '10.0.0.0/18' },
      /^Invalid setting: vpcCidr='10.0.0.0\/18' .*in each of the 2 AZs.*: \/17 or larger/,
    ],
    [
      'vpcCidr holds 3 AZs',
      { region: 'eu-west-1', availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c', vpcCidr: '10.0.0.0/16' },
      { region: 'eu-west-1', availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c', vpcCidr: '10.0.0.0/17' },
      /^Invalid setting: vpcCidr='10.0.0.0\/17' .*in each of the 3 AZs \(availabilityZones\): \/16 or larger/,
    ],
    [
      'availabilityZones at least 2',
      { region: 'eu-west-1', availabilityZones: 'eu-west-1a,eu-west-1b' },
      { region: 'eu-west-1', availabilityZones: 'eu-west-1a' },
      /^Invalid setting: availabilityZones=.*empty, or 2 or 3 availability zone names/,
    ],
    [
      'availabilityZones at most 3',
      { region: 'eu-west-1', availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c' },
      { region: 'eu-west-1', availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c,eu-west-1d' },
      /^Invalid setting: availabilityZones=.*empty, or 2 or 3 availability zone names/,
    ],
    [
      'natGateways at least 1',
      { natGateways: 1 },
      { natGateways: 0 },
      /^Invalid setting: natGateways=0 .*1 to the number of AZs \(2, from availabilityZones unset\)/,
    ],
    [
      'natGateways at most the AZs (2 by default)',
      { natGateways: 2 },
      { natGateways: 3 },
      /^Invalid setting: natGateways=3 /,
    ],
    [
      'natGateways at most the AZs (3 named)',
      { region: 'eu-west-1', availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c', natGateways: 3 },
      { region: 'eu-west-1', availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c', natGateways: 4 },
      /^Invalid setting: natGateways=4 .*1 to the number of AZs \(3, from availabilityZones\)/,
    ],
    [
      'ecrRepositoryPrefix length',
      { ecrRepositoryPrefix: prefixOf(250) },
      { ecrRepositoryPrefix: prefixOf(251) },
      /^Invalid setting: ecrRepositoryPrefix=.*at most 250 characters/,
    ],
    [
      'systemNodeCount lower',
      { systemNodeCount: 1 },
      { systemNodeCount: 0 },
      /^Invalid setting: systemNodeCount=0 .*an integer from 1 to 3/,
    ],
    [
      'systemNodeCount upper',
      { systemNodeCount: 3 },
      { systemNodeCount: 4 },
      /^Invalid setting: systemNodeCount=4 .*an integer from 1 to 3/,
    ],
    [
      'nodeMinSize lower',
      { nodeMinSize: 0 },
      { nodeMinSize: -1 },
      /^Invalid setting: nodeMinSize=-1 .*an integer from 0 to 100/,
    ],
    [
      'nodeMinSize up to nodeMaxSize',
      { nodeMinSize: 4, nodeMaxSize: 4 },
      { nodeMinSize: 5, nodeMaxSize: 4 },
      /^Invalid setting: nodeMinSize=5 .*at most nodeMaxSize \(4\)/,
    ],
    [
      'nodeMaxSize lower',
      { nodeMaxSize: 1 },
      { nodeMaxSize: 0 },
      /^Invalid setting: nodeMaxSize=0 .*an integer from 1 to 100: a Spark pool that can never hold a node/,
    ],
    [
      'nodeMaxSize upper',
      { nodeMaxSize: 100 },
      { nodeMaxSize: 101 },
      /^Invalid setting: nodeMaxSize=101 .*an integer from 1 to 100$/,
    ],
    [
      'deploymentId length',
      { deploymentId: 'a'.repeat(128) },
      { deploymentId: 'a'.repeat(129) },
      /^Invalid setting: deploymentId=/,
    ],
    [
      'mysqlAllowedCidrs: /8 is an organisation, /7 the internet',
      { mysqlAllowedCidrs: ['3.0.0.0/8'] },
      { mysqlAllowedCidrs: ['2.0.0.0/7'] },
      /^Invalid setting: mysqlAllowedCidrs=.*2\.0\.0\.0\/7 opens .* set allowMysqlFromAnywhere=true/,
    ],
    [
      'clusterEndpointPublicCidrs: /8 is an organisation, /7 the internet',
      { clusterEndpointPublicCidrs: ['3.0.0.0/8'] },
      { clusterEndpointPublicCidrs: ['2.0.0.0/7'] },
      /^Invalid setting: clusterEndpointPublicCidrs=.*2\.0\.0\.0\/7 opens .* set allowClusterEndpointFromAnywhere=true/,
    ],
  ];

  test.each(rows)('%s', (_name, accepted, rejected, message) => {
    expect(() => fromContext(accepted)).not.toThrow();
    const error = errorFor(rejected);
    expect(error).toMatch(message);
    expect(error.split('\n')).toHaveLength(1);
  });

  test('the rows are real boundaries: the lengths the ECR rows use are exact', () => {
    expect(prefixOf(250)).toHaveLength(250);
    expect(prefixOf(251)).toHaveLength(251);
  });
});
