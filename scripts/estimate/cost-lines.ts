/**
 * The line items of the cost estimate, one function per kind of resource, each reading the
 * template's resources and pricing them through the context estimateCost (cost-model.ts) builds.
 */
import { POOL_LABEL } from '../../lib/settings/scheduling';
import type { LineItem, LogKind, UsageAssumptions } from './cost-model';
import type { PriceEntry } from './price-table';

/** One resource of the template(s). */
export interface Resource {
  readonly id: string;
  readonly type: string;
  readonly props: Record<string, unknown>;
}

/** A flat price of the region, or a keyed one (instance type); undefined when unknown. */
export type PriceFn = (key: string, sub?: string) => PriceEntry | undefined;
/** Adds a line priced from `entry` (unpriced, with why, when there is none). */
export type LineFn = (
  base: Omit<LineItem, 'unitPrice' | 'monthly' | 'priceStatus' | 'perNodeMonthly' | 'unitsPerMonth'>,
  entry: PriceEntry | undefined,
  unitsPerMonthEach?: number,
  missingWhy?: string,
) => void;

/** What every line builder reads: the resources, the usage assumptions, the prices of the region. */
export interface Pricing {
  readonly resources: readonly Resource[];
  readonly usage: UsageAssumptions;
  readonly hours: number;
  readonly region: string;
  readonly ofType: (type: string) => Resource[];
  readonly price: PriceFn;
  readonly line: LineFn;
}

/** A node group and its scaling sizes. */
export interface NodeGroupSize {
  readonly ng: Resource;
  /** Its pool (the `zenml-spark-eks/pool` label): 'system', 'spark', or undefined for another node group. */
  readonly pool?: string;
  readonly min: number;
  readonly desired: number;
  readonly max: number;
}

/** EKS control plane and managed node groups; returns the node groups with their sizes, for the scenarios. */
export function addClusterLines(p: Pricing): NodeGroupSize[] {
  const { ofType, line, price, hours, region } = p;
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
    const pool = (ng.props.Labels as Record<string, string> | undefined)?.[POOL_LABEL];
    return { ng, pool, min, desired, max };
  });
  for (const { ng, pool, min, desired, max } of nodeGroups) {
    const types = (ng.props.InstanceTypes as string[] | undefined) ?? [];
    const instanceType = types[0];
    const spot = ng.props.CapacityType === 'SPOT';
    const notes = [`${pool ? `${pool} pool, ` : ''}min ${min} / desired ${desired} / max ${max}`];
    if (types.length > 1) notes.push(`priced as ${instanceType}, the first of ${types.join(', ')}`);
    if (spot) notes.push('SPOT capacity priced at on-demand (an upper bound)');
    line(
      {
        group: 'AWS::EKS::Nodegroup',
        item: `EC2 ${instanceType ?? '(instance type from a launch template)'} nodes${pool ? ` (${pool} pool)` : ''}`,
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
        item: `node root volumes (${disk} GiB gp3 each${pool ? `, ${pool} pool` : ''})`,
        quantity: desired * disk,
        unit: 'GB-month',
        perNodeUnits: disk,
        note: 'volume type assumed gp3; gp2 costs ~25% more',
        resources: [ng.id],
      },
      price('ebsGp3GbMonth'),
    );
  }
  return nodeGroups;
}

/** NAT gateways, public IPv4 addresses and interface endpoints. */
export function addNetworkLines(p: Pricing): void {
  const { ofType, line, price, hours, usage } = p;
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
        // With no node running nothing in the VPC sends traffic through NAT (paused).
        onlyWhile: 'nodes',
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
}

/** RDS: instance hours by class (twice for Multi-AZ) and provisioned storage. */
export function addDatabaseLines(p: Pricing): void {
  const { ofType, line, price, hours, region } = p;
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
        // A stopped instance bills its storage only (paused).
        onlyWhile: 'database',
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
}

/** Secrets Manager secrets and KMS keys. */
export function addSecretAndKeyLines(p: Pricing): void {
  const { ofType, line, price } = p;
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
}

/** Log groups: ingestion by what writes to each (read from the template), storage by its retention. */
export function addLogGroupLines(p: Pricing): void {
  const { resources, usage, price, line } = p;
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
export function addStorageLines(p: Pricing): void {
  const { resources, usage, price, line } = p;
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
  // The event-log prefix carries its own lifecycle rule (lib/artifact-store.ts): priced on its own,
  // so the history server's storage is visible. The server's pod is on the system node (no line:
  // lib/settings/sizing.ts budgets it there) and its S3 requests, like the steps', are not counted.
  const withEventLogs = dataBuckets.filter((b) =>
    ((b.props.LifecycleConfiguration as { Rules?: Array<{ Id?: string }> } | undefined)?.Rules ?? []).some(
      (r) => r.Id === 'ExpireSparkEventLogs',
    ),
  );
  if (withEventLogs.length > 0) {
    line(
      {
        group: 'AWS::S3::Bucket',
        item: 'Spark event logs (history server cleaner 7 days, lifecycle 30 days; assumed)',
        quantity: usage.eventLogGb,
        unit: 'GB-month',
        note: 'measured ~0.56 MB per run on the sample data; history server polling ~86k LIST/month not counted',
        resources: withEventLogs.map((b) => b.id),
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

export function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

export function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

export function round(x: number): number {
  return Math.round(x * 100) / 100;
}
