/**
 * The monthly price of what a synthesized template would create, counted from the template itself
 * (NAT gateways, Elastic IPs, node group scaling and instance types, DB class and storage, secrets,
 * keys, log groups, buckets...) and priced from the offline table pricing/aws-prices.json.
 *
 * Pure: templates + settings-derived region + price table + usage assumptions in, line items out.
 * A price the table does not have is an explicit `unpriced` line (monthly = null), never a zero,
 * and a resource type this model does not know is listed as `not modelled`, so that a new
 * billable resource added to lib/ shows up here instead of silently costing nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CfnTemplate } from './cloud-assembly';

export type PriceStatus = 'confirmed' | 'unconfirmed';

export interface PriceEntry {
  /** null: not known for this region. */
  readonly usd: number | null;
  readonly src: string;
  readonly status?: PriceStatus;
  readonly note?: string;
}

export type RegionPrices = Readonly<Record<string, PriceEntry | Readonly<Record<string, PriceEntry>>>>;

export interface PriceTable {
  readonly currency: string;
  readonly retrieved: string;
  readonly hoursPerMonth: number;
  readonly defaultRegion: string;
  readonly sources: Readonly<Record<string, { readonly url: string; readonly corroboration?: string }>>;
  readonly regions: Readonly<Record<string, RegionPrices>>;
}

export const PRICE_TABLE_FILE = path.resolve(__dirname, '..', '..', 'pricing', 'aws-prices.json');

export function loadPriceTable(file = PRICE_TABLE_FILE): PriceTable {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as PriceTable;
}

/** Usage the template cannot tell: what a small team's dev environment moves and stores per month. */
export interface UsageAssumptions {
  /** GB through the NAT gateways (image pulls from ECR, package installs; S3 goes through the free gateway endpoint). */
  readonly natGbPerMonth: number;
  /** GB stored in the artifact bucket(s). */
  readonly artifactStoreGb: number;
  /** GB stored in S3 access-log buckets. */
  readonly accessLogGb: number;
  /** GB of images in each ECR repository (the lifecycle rule bounds it). */
  readonly ecrGbPerRepository: number;
  /** GB/month ingested per log group, by what writes to it. */
  readonly logGbPerMonth: Readonly<Record<LogKind, number>>;
}

export type LogKind = 'eks-control-plane' | 'vpc-flow-logs' | 'rds' | 'lambda' | 'other';

export const DEFAULT_USAGE: UsageAssumptions = {
  natGbPerMonth: 50,
  artifactStoreGb: 50,
  accessLogGb: 1,
  ecrGbPerRepository: 5,
  logGbPerMonth: {
    // All five control-plane log types; the audit log dominates and grows with API traffic.
    'eks-control-plane': 5,
    // REJECT-only flow logs of a quiet VPC.
    'vpc-flow-logs': 1,
    rds: 0.1,
    // Custom-resource handlers run only during deploy and destroy.
    lambda: 0.01,
    other: 0.1,
  },
};

export interface LineItem {
  /** The resource type (or service) the line is about; the output groups by it. */
  readonly group: string;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  /** USD per unit; null when the table has no price (the line is unpriced). */
  readonly unitPrice: number | null;
  /** USD per month; null when unpriced or not modelled. */
  readonly monthly: number | null;
  /** Where the unit price came from (source key of the price table) and how sure it is. */
  readonly priceStatus?: PriceStatus;
  /** Lines that scale with the node count are priced at the desired size; this is one node's share. */
  readonly perNodeMonthly?: number | null;
  /** Units of this line one node brings (1 instance, DiskSize GB); set on per-node lines only. */
  readonly perNodeUnits?: number;
  readonly note?: string;
  /** Logical ids of the resources the line counts. */
  readonly resources: readonly string[];
}

export interface NodeScenario {
  readonly nodes: number;
  /** Monthly total with the node group(s) at this size; a lower bound when anything is unpriced. */
  readonly monthly: number;
}

export interface CostEstimate {
  readonly region: string;
  /** Why this region: the setting, a flag, or the stated default. */
  readonly regionSource: string;
  readonly currency: string;
  readonly pricesRetrieved: string;
  readonly hoursPerMonth: number;
  readonly lines: readonly LineItem[];
  /** Node groups at min (idle), desired and max size. */
  readonly scenarios: {
    readonly idle: NodeScenario;
    readonly desired: NodeScenario;
    readonly max: NodeScenario;
  };
  /** Lines with no price (unknown region, instance type or resource type). */
  readonly unpriced: readonly LineItem[];
  readonly unconfirmedPrices: number;
  readonly assumptions: readonly string[];
}

export interface CostInput {
  readonly templates: readonly CfnTemplate[];
  /** The region setting; undefined prices at the table's default region (and says so). */
  readonly region?: string;
  readonly regionSource?: string;
  readonly prices: PriceTable;
  readonly usage?: Partial<UsageAssumptions>;
}

/** Resource types that cost nothing by themselves (or whose cost is counted on another line). */
const FREE_TYPES = new Set([
  'AWS::CDK::Metadata',
  'AWS::EC2::VPC',
  'AWS::EC2::Subnet',
  'AWS::EC2::RouteTable',
  'AWS::EC2::Route',
  'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::InternetGateway',
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress',
  'AWS::EC2::FlowLog',
  'AWS::EKS::Addon',
  'AWS::EKS::AccessEntry',
  'AWS::EKS::PodIdentityAssociation',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::User',
  'AWS::IAM::AccessKey',
  'AWS::IAM::InstanceProfile',
  'AWS::RDS::DBSubnetGroup',
  'AWS::S3::BucketPolicy',
  'AWS::SSM::Parameter',
  'AWS::SecretsManager::SecretTargetAttachment',
  'AWS::KMS::Alias',
  'AWS::Lambda::LayerVersion',
  'AWS::Lambda::Permission',
]);

interface Resource {
  readonly id: string;
  readonly type: string;
  readonly props: Record<string, unknown>;
}

export function estimateCost(input: CostInput): CostEstimate {
  const prices = input.prices;
  const region = input.region ?? prices.defaultRegion;
  const regionSource =
    input.regionSource ??
    (input.region ? 'setting region' : `no region set: priced at the default ${prices.defaultRegion}`);
  const usage: UsageAssumptions = { ...DEFAULT_USAGE, ...input.usage };
  const hours = prices.hoursPerMonth;
  const table = prices.regions[region];
  const lines: LineItem[] = [];

  const resources: Resource[] = input.templates.flatMap((t) =>
    Object.entries(t.Resources).map(([id, r]) => ({ id, type: r.Type, props: r.Properties ?? {} })),
  );
  const ofType = (type: string) => resources.filter((r) => r.type === type);

  /** A flat price of the region, or a keyed one (instance type); undefined when unknown. */
  const price = (key: string, sub?: string): PriceEntry | undefined => {
    if (!table) return undefined;
    const entry = table[key] as PriceEntry | Record<string, PriceEntry> | undefined;
    if (!entry) return undefined;
    if (sub === undefined) return 'usd' in entry ? (entry as PriceEntry) : undefined;
    return (entry as Record<string, PriceEntry>)[sub];
  };
  const line = (
    base: Omit<LineItem, 'unitPrice' | 'monthly' | 'priceStatus' | 'perNodeMonthly'>,
    entry: PriceEntry | undefined,
    unitsPerMonthEach = 1,
    missingWhy = '',
  ): void => {
    const unitPrice = entry?.usd ?? null;
    const why = !table
      ? `no prices for region ${region} in pricing/aws-prices.json`
      : (entry?.note ?? (missingWhy || 'no price in pricing/aws-prices.json'));
    lines.push({
      ...base,
      unitPrice,
      monthly: unitPrice === null ? null : round(unitPrice * base.quantity * unitsPerMonthEach),
      perNodeMonthly:
        base.perNodeUnits === undefined
          ? undefined
          : unitPrice === null
            ? null
            : unitPrice * base.perNodeUnits * unitsPerMonthEach,
      priceStatus: unitPrice === null ? undefined : entry?.status,
      note: unitPrice === null ? `UNPRICED: ${why}` : base.note,
    });
  };

  // EKS control plane: one hourly charge per cluster.
  const clusters = ofType('AWS::EKS::Cluster');
  if (clusters.length > 0) {
    line(
      {
        group: 'AWS::EKS::Cluster',
        item: 'EKS control plane (standard support)',
        quantity: clusters.length,
        unit: 'cluster-hour',
        note: `${hours} h/month; a version in extended support costs 6x`,
        resources: clusters.map((c) => c.id),
      },
      price('eksClusterHour'),
      hours,
    );
  }

  // Managed node groups: instances and their root volumes, at the desired size here, min/max below.
  const nodeGroups = ofType('AWS::EKS::Nodegroup').map((ng) => {
    const scaling = (ng.props.ScalingConfig ?? {}) as {
      MinSize?: number;
      DesiredSize?: number;
      MaxSize?: number;
    };
    const min = Number(scaling.MinSize ?? 1);
    const desired = Number(scaling.DesiredSize ?? min);
    const max = Number(scaling.MaxSize ?? desired);
    return { ng, min, desired, max };
  });
  for (const { ng, min, desired, max } of nodeGroups) {
    const types = (ng.props.InstanceTypes as string[] | undefined) ?? [];
    const instanceType = types[0];
    const spot = ng.props.CapacityType === 'SPOT';
    const notes = [`min ${min} / desired ${desired} / max ${max}`];
    if (types.length > 1) notes.push(`priced as ${instanceType}, the first of ${types.join(', ')}`);
    if (spot) notes.push('SPOT capacity priced at on-demand (an upper bound)');
    line(
      {
        group: 'AWS::EKS::Nodegroup',
        item: `EC2 ${instanceType ?? '(instance type from a launch template)'} nodes`,
        quantity: desired,
        unit: 'instance-hour',
        perNodeUnits: 1,
        note: notes.join('; '),
        resources: [ng.id],
      },
      instanceType ? price('ec2InstanceHour', instanceType) : undefined,
      hours,
      instanceType
        ? `no on-demand price for ${instanceType} in ${region}`
        : 'instance type not in the template (launch template)',
    );
    // EKS's default launch template gives each node one root volume of DiskSize GiB (20 if unset).
    const disk = Number(ng.props.DiskSize ?? 20);
    line(
      {
        group: 'AWS::EKS::Nodegroup',
        item: `node root volumes (${disk} GiB gp3 each)`,
        quantity: desired * disk,
        unit: 'GB-month',
        perNodeUnits: disk,
        note: 'volume type assumed gp3; gp2 costs ~25% more',
        resources: [ng.id],
      },
      price('ebsGp3GbMonth'),
    );
  }

  // NAT gateways: hourly, plus data processed at the usage assumption.
  const nats = ofType('AWS::EC2::NatGateway');
  if (nats.length > 0) {
    line(
      {
        group: 'AWS::EC2::NatGateway',
        item: 'NAT gateway hours',
        quantity: nats.length,
        unit: 'gateway-hour',
        note: `${hours} h/month each, whether or not traffic flows`,
        resources: nats.map((n) => n.id),
      },
      price('natGatewayHour'),
      hours,
    );
    line(
      {
        group: 'AWS::EC2::NatGateway',
        item: 'NAT data processing (assumed)',
        quantity: usage.natGbPerMonth,
        unit: 'GB',
        note: 'usage assumption: image pulls and installs; S3 bypasses NAT through the gateway endpoint',
        resources: nats.map((n) => n.id),
      },
      price('natGatewayGb'),
    );
  }

  // Public IPv4: every Elastic IP is billed hourly, attached or not.
  const eips = ofType('AWS::EC2::EIP');
  if (eips.length > 0) {
    line(
      {
        group: 'AWS::EC2::EIP',
        item: 'public IPv4 addresses (Elastic IPs)',
        quantity: eips.length,
        unit: 'address-hour',
        note: 'charged since 2024-02 whether attached or idle',
        resources: eips.map((e) => e.id),
      },
      price('publicIpv4Hour'),
      hours,
    );
  }

  // Interface endpoints are billed per AZ-hour; gateway endpoints (S3, DynamoDB) are free.
  for (const ep of ofType('AWS::EC2::VPCEndpoint')) {
    if ((ep.props.VpcEndpointType ?? 'Gateway') !== 'Interface') continue;
    const azs = Array.isArray(ep.props.SubnetIds) ? ep.props.SubnetIds.length : 1;
    line(
      {
        group: 'AWS::EC2::VPCEndpoint',
        item: 'interface endpoint',
        quantity: azs,
        unit: 'endpoint-AZ-hour',
        note: 'data processed not counted',
        resources: [ep.id],
      },
      price('interfaceEndpointAzHour'),
      hours,
    );
  }

  // RDS: instance hours by class (twice for Multi-AZ) and provisioned storage.
  for (const db of ofType('AWS::RDS::DBInstance')) {
    const cls = String(db.props.DBInstanceClass ?? '');
    const multiAz = db.props.MultiAZ === true || db.props.MultiAZ === 'true';
    const copies = multiAz ? 2 : 1;
    line(
      {
        group: 'AWS::RDS::DBInstance',
        item: `RDS ${String(db.props.Engine ?? '')} ${cls}${multiAz ? ' Multi-AZ' : ' single-AZ'}`,
        quantity: copies,
        unit: 'instance-hour',
        note: db.props.Engine === 'mysql' ? undefined : 'priced with the MySQL rate',
        resources: [db.id],
      },
      price('rdsInstanceHour', cls),
      hours,
      `no on-demand price for ${cls} in ${region}`,
    );
    const storageType = String(db.props.StorageType ?? 'gp2');
    const gb = Number(db.props.AllocatedStorage ?? 20);
    line(
      {
        group: 'AWS::RDS::DBInstance',
        item: `RDS ${storageType} storage`,
        quantity: gb * copies,
        unit: 'GB-month',
        note: 'automated backups free up to the provisioned size',
        resources: [db.id],
      },
      storageType === 'gp3'
        ? price('rdsGp3GbMonth')
        : storageType === 'gp2'
          ? price('rdsGp2GbMonth')
          : undefined,
      1,
      `storage type ${storageType} not in the table`,
    );
  }

  const secrets = ofType('AWS::SecretsManager::Secret');
  if (secrets.length > 0) {
    line(
      {
        group: 'AWS::SecretsManager::Secret',
        item: 'Secrets Manager secrets',
        quantity: secrets.length,
        unit: 'secret-month',
        note: 'API calls ($0.05 per 10,000) not counted',
        resources: secrets.map((s) => s.id),
      },
      price('secretMonth'),
    );
  }

  const keys = ofType('AWS::KMS::Key');
  if (keys.length > 0) {
    const rotating = keys.filter((k) => k.props.EnableKeyRotation === true).length;
    line(
      {
        group: 'AWS::KMS::Key',
        item: 'KMS customer managed keys',
        quantity: keys.length,
        unit: 'key-month',
        note:
          rotating > 0
            ? `${rotating} with rotation: each of the first two yearly rotations adds one key-month`
            : '',
        resources: keys.map((k) => k.id),
      },
      price('kmsKeyMonth'),
    );
  }

  addLogGroupLines(resources, usage, price, line);
  addStorageLines(resources, usage, price, line);

  const lambdas = ofType('AWS::Lambda::Function');
  if (lambdas.length > 0) {
    lines.push({
      group: 'AWS::Lambda::Function',
      item: 'custom-resource handlers',
      quantity: lambdas.length,
      unit: 'function',
      unitPrice: 0,
      monthly: 0,
      note: 'invoked only during deploy/destroy: free tier or cents',
      resources: lambdas.map((l) => l.id),
    });
  }

  // Everything else: free by nature, or unknown to this model (listed, never silently zero).
  const modelled = new Set(lines.flatMap((l) => l.resources));
  const unknown = resources.filter(
    (r) =>
      !modelled.has(r.id) &&
      !FREE_TYPES.has(r.type) &&
      !r.type.startsWith('Custom::') &&
      r.type !== 'AWS::CloudFormation::CustomResource' &&
      r.type !== 'AWS::Logs::LogGroup' &&
      r.type !== 'AWS::EC2::VPCEndpoint',
  );
  for (const [type, rs] of groupBy(unknown, (r) => r.type)) {
    lines.push({
      group: type,
      item: 'not modelled',
      quantity: rs.length,
      unit: 'resource',
      unitPrice: null,
      monthly: null,
      note: 'UNPRICED: this resource type is not in the cost model (scripts/estimate/cost-model.ts)',
      resources: rs.map((r) => r.id),
    });
  }

  const fixed = sum(lines.filter((l) => l.perNodeUnits === undefined).map((l) => l.monthly ?? 0));
  const scenario = (size: (g: (typeof nodeGroups)[number]) => number): NodeScenario => ({
    nodes: sum(nodeGroups.map(size)),
    monthly: round(
      fixed +
        sum(
          nodeGroups.map((g) =>
            sum(
              lines
                .filter((l) => l.perNodeUnits !== undefined && l.resources.includes(g.ng.id))
                .map((l) => (l.perNodeMonthly ?? 0) * size(g)),
            ),
          ),
        ),
    ),
  });

  return {
    region,
    regionSource,
    currency: prices.currency,
    pricesRetrieved: prices.retrieved,
    hoursPerMonth: hours,
    lines,
    scenarios: {
      idle: scenario((g) => g.min),
      desired: scenario((g) => g.desired),
      max: scenario((g) => g.max),
    },
    unpriced: lines.filter((l) => l.monthly === null),
    unconfirmedPrices: lines.filter((l) => l.priceStatus === 'unconfirmed').length,
    assumptions: [
      `${hours} hours per month; on-demand list prices, no free tier, no taxes`,
      `NAT data ${usage.natGbPerMonth} GB/month; artifact store ${usage.artifactStoreGb} GB; access logs ${usage.accessLogGb} GB; ECR ${usage.ecrGbPerRepository} GB per repository`,
      `log ingestion per log group per month: ${Object.entries(usage.logGbPerMonth)
        .map(([k, v]) => `${k} ${v} GB`)
        .join(', ')}; stored = ingestion x retention`,
      'data transfer out of AWS, CloudWatch metrics and API calls are not counted',
    ],
  };
}

type PriceFn = (key: string, sub?: string) => PriceEntry | undefined;
type LineFn = (
  base: Omit<LineItem, 'unitPrice' | 'monthly' | 'priceStatus' | 'perNodeMonthly'>,
  entry: PriceEntry | undefined,
  unitsPerMonthEach?: number,
  missingWhy?: string,
) => void;

/** Log groups: ingestion by what writes to each (read from the template), storage by its retention. */
function addLogGroupLines(
  resources: readonly Resource[],
  usage: UsageAssumptions,
  price: PriceFn,
  line: LineFn,
) {
  const flowLogGroups = new Set(
    resources
      .filter((r) => r.type === 'AWS::EC2::FlowLog')
      .map((r) => refOf(r.props.LogGroupName))
      .filter((x) => x !== undefined),
  );
  const lambdaLogGroups = new Set(
    resources
      .filter((r) => r.type === 'AWS::Lambda::Function')
      .map((r) => refOf((r.props.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup))
      .filter((x) => x !== undefined),
  );
  const kindOf = (r: Resource): LogKind => {
    if (flowLogGroups.has(r.id)) return 'vpc-flow-logs';
    if (lambdaLogGroups.has(r.id)) return 'lambda';
    const name = JSON.stringify(r.props.LogGroupName ?? '');
    if (name.includes('/aws/eks/')) return 'eks-control-plane';
    if (name.includes('/aws/rds/')) return 'rds';
    if (name.includes('/aws/lambda/')) return 'lambda';
    return 'other';
  };
  const groups = resources.filter((r) => r.type === 'AWS::Logs::LogGroup');
  for (const [kind, rs] of groupBy(groups, kindOf)) {
    const ingest = usage.logGbPerMonth[kind] * rs.length;
    // Retained volume in steady state: a month's ingestion per 30 days kept (never-expire: a year).
    const stored = sum(
      rs.map((r) => usage.logGbPerMonth[kind] * (Number(r.props.RetentionInDays ?? 365) / 30)),
    );
    line(
      {
        group: 'AWS::Logs::LogGroup',
        item: `${kind} log ingestion (${rs.length} group${rs.length > 1 ? 's' : ''}, assumed)`,
        quantity: round(ingest),
        unit: 'GB',
        resources: rs.map((r) => r.id),
      },
      price('logsIngestGb'),
    );
    line(
      {
        group: 'AWS::Logs::LogGroup',
        item: `${kind} log storage at retention`,
        quantity: round(stored),
        unit: 'GB-month',
        resources: rs.map((r) => r.id),
      },
      price('logsStoreGbMonth'),
    );
  }
}

/** Buckets (artifact vs access-log, from LoggingConfiguration) and ECR repositories at the usage assumption. */
function addStorageLines(
  resources: readonly Resource[],
  usage: UsageAssumptions,
  price: PriceFn,
  line: LineFn,
) {
  const buckets = resources.filter((r) => r.type === 'AWS::S3::Bucket');
  const logTargets = new Set(
    buckets
      .map((b) =>
        refOf(
          (b.props.LoggingConfiguration as { DestinationBucketName?: unknown } | undefined)
            ?.DestinationBucketName,
        ),
      )
      .filter((x) => x !== undefined),
  );
  const logBuckets = buckets.filter((b) => logTargets.has(b.id));
  const dataBuckets = buckets.filter((b) => !logTargets.has(b.id));
  if (dataBuckets.length > 0) {
    line(
      {
        group: 'AWS::S3::Bucket',
        item: `artifact store (${dataBuckets.length} bucket${dataBuckets.length > 1 ? 's' : ''}, S3 Standard, assumed)`,
        quantity: usage.artifactStoreGb,
        unit: 'GB-month',
        note: 'requests not counted',
        resources: dataBuckets.map((b) => b.id),
      },
      price('s3StandardGbMonth'),
    );
  }
  if (logBuckets.length > 0) {
    line(
      {
        group: 'AWS::S3::Bucket',
        item: 'access-log bucket (assumed)',
        quantity: usage.accessLogGb,
        unit: 'GB-month',
        resources: logBuckets.map((b) => b.id),
      },
      price('s3StandardGbMonth'),
    );
  }
  const repos = resources.filter((r) => r.type === 'AWS::ECR::Repository');
  if (repos.length > 0) {
    line(
      {
        group: 'AWS::ECR::Repository',
        item: `ECR image storage (${repos.length} repositor${repos.length > 1 ? 'ies' : 'y'}, assumed)`,
        quantity: usage.ecrGbPerRepository * repos.length,
        unit: 'GB-month',
        note: 'pulls inside the region are free',
        resources: repos.map((r) => r.id),
      },
      price('ecrGbMonth'),
    );
  }
}

function refOf(value: unknown): string | undefined {
  if (value && typeof value === 'object' && typeof (value as { Ref?: unknown }).Ref === 'string') {
    return (value as { Ref: string }).Ref;
  }
  return undefined;
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** `$1,234.56`, or `unpriced`. */
export function usd(x: number | null): string {
  if (x === null) return 'unpriced';
  return `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit price with enough digits for per-hour rates (`$0.1504`). */
export function unitUsd(x: number | null): string {
  if (x === null) return 'unpriced';
  return `$${x < 1 ? x.toFixed(4).replace(/0{1,2}$/, '') : x.toFixed(2)}`;
}
