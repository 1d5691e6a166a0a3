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
import type { CfnTemplate } from './cloud-assembly';
import {
  addClusterLines,
  addDatabaseLines,
  addLogGroupLines,
  addNetworkLines,
  addSecretAndKeyLines,
  addStorageLines,
  groupBy,
  type LineFn,
  type PriceFn,
  type Pricing,
  type Resource,
  round,
  sum,
} from './cost-lines';
import type { PriceEntry, PriceStatus, PriceTable } from './price-table';

/** Usage the template cannot tell: what a small team's dev environment moves and stores per month. */
export interface UsageAssumptions {
  /** GB through the NAT gateways (image pulls from ECR, package installs; S3 goes through the free gateway endpoint). */
  readonly natGbPerMonth: number;
  /** GB stored in the artifact bucket(s). */
  readonly artifactStoreGb: number;
  /** GB stored in S3 access-log buckets. */
  readonly accessLogGb: number;
  /**
   * GB of Spark event logs under the event-log prefix. Measured: about 0.56 MB per pipeline run of
   * the five steps on the sample data (the history suite prints it); the history server's cleaner
   * keeps 7 days and the bucket's lifecycle rule 30, so 1 GB holds hundreds of much larger runs.
   */
  readonly eventLogGb: number;
  /** GB of images in each ECR repository (the lifecycle rule bounds it). */
  readonly ecrGbPerRepository: number;
  /** GB/month ingested per log group, by what writes to it. */
  readonly logGbPerMonth: Readonly<Record<LogKind, number>>;
  /**
   * Spark nodes one pipeline run keeps busy: the steps run one after another and each fits on one
   * Spark node (lib/settings/sizing.ts), so one. The "running" state prices the Spark pool there.
   */
  readonly sparkNodesPerRun: number;
}

export type LogKind = 'eks-control-plane' | 'vpc-flow-logs' | 'rds' | 'lambda' | 'other';

export const DEFAULT_USAGE: UsageAssumptions = {
  natGbPerMonth: 50,
  artifactStoreGb: 50,
  accessLogGb: 1,
  eventLogGb: 1,
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
  sparkNodesPerRun: 1,
};

export interface LineItem {
  /** The resource type (or service) the line is about; the output groups by it. */
  readonly group: string;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  /** Units billed per month: quantity, times the hours of a month for an hourly unit (730 cluster-hours). */
  readonly unitsPerMonth: number;
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
  /**
   * A fixed line that stops with the thing it names: 'database' (instance hours of a stopped DB
   * are not billed), 'nodes' (traffic made by nodes, none when every pool is at 0).
   */
  readonly onlyWhile?: 'database' | 'nodes';
  readonly note?: string;
  /** Logical ids of the resources the line counts. */
  readonly resources: readonly string[];
}

export interface NodeScenario {
  /** Nodes in all pools together. */
  readonly nodes: number;
  /** Nodes per pool ('system', 'spark'; a node group without a pool label under its logical id). */
  readonly byPool: Readonly<Record<string, number>>;
  readonly databaseRunning: boolean;
  /** Monthly total in this state; a lower bound when anything is unpriced. */
  readonly monthly: number;
}

/** A node group as the estimate saw it in the template. */
export interface EstimatedNodeGroup {
  readonly id: string;
  readonly pool?: string;
  readonly min: number;
  readonly desired: number;
  readonly max: number;
}

/** Where a cluster can be: how many nodes each node group runs and whether the database runs. */
export interface ClusterState {
  readonly nodes: (g: EstimatedNodeGroup) => number;
  readonly databaseRunning: boolean;
}

export interface CostEstimate {
  readonly region: string;
  /** Whether the price table has prices for the region at all. */
  readonly regionPriced: boolean;
  /** When it has not: why, and which regions it has. */
  readonly unpricedRegionReason?: string;
  /** Why this region: the setting, a flag, or the stated default. */
  readonly regionSource: string;
  readonly currency: string;
  readonly pricesRetrieved: string;
  readonly hoursPerMonth: number;
  readonly lines: readonly LineItem[];
  readonly nodeGroups: readonly EstimatedNodeGroup[];
  /**
   * The states the environment spends a month in: idle (no pipeline: every pool at its minimum),
   * running (one pipeline's Spark nodes), max (every pool at its maximum), paused (`npm run pause`:
   * every pool at 0, the database stopped).
   */
  readonly scenarios: {
    readonly idle: NodeScenario;
    readonly running: NodeScenario;
    readonly max: NodeScenario;
    readonly paused: NodeScenario;
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

  const price: PriceFn = (key, sub) => {
    if (!table) return undefined;
    const entry = table[key] as PriceEntry | Record<string, PriceEntry> | undefined;
    if (!entry) return undefined;
    if (sub === undefined) return 'usd' in entry ? (entry as PriceEntry) : undefined;
    return (entry as Record<string, PriceEntry>)[sub];
  };
  const line: LineFn = (base, entry, unitsPerMonthEach = 1, missingWhy = '') => {
    const unitPrice = entry?.usd ?? null;
    const why = !table
      ? `no prices for region ${region} in pricing/aws-prices.json`
      : (entry?.note ?? (missingWhy || 'no price in pricing/aws-prices.json'));
    lines.push({
      ...base,
      unitsPerMonth: round(base.quantity * unitsPerMonthEach),
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

  const pricing: Pricing = { resources, usage, hours, region, ofType, price, line };

  // The order of the calls is the order of the lines in the output.
  const nodeGroups = addClusterLines(pricing);
  addNetworkLines(pricing);
  addDatabaseLines(pricing);
  addSecretAndKeyLines(pricing);
  addLogGroupLines(pricing);
  addStorageLines(pricing);

  const lambdas = ofType('AWS::Lambda::Function');
  if (lambdas.length > 0) {
    lines.push({
      group: 'AWS::Lambda::Function',
      item: 'custom-resource handlers',
      quantity: lambdas.length,
      unit: 'function',
      unitsPerMonth: lambdas.length,
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
      unitsPerMonth: rs.length,
      unitPrice: null,
      monthly: null,
      note: 'UNPRICED: this resource type is not in the cost model (add it in scripts/estimate/cost-lines.ts)',
      resources: rs.map((r) => r.id),
    });
  }

  const groups: EstimatedNodeGroup[] = nodeGroups.map((g) => ({
    id: g.ng.id,
    pool: g.pool,
    min: g.min,
    desired: g.desired,
    max: g.max,
  }));
  const partial = { lines, nodeGroups: groups };
  const running = (g: EstimatedNodeGroup) =>
    g.pool === 'spark'
      ? Math.min(g.max, Math.max(g.min, usage.sparkNodesPerRun))
      : g.pool === 'system'
        ? g.min
        : g.desired;

  const priced = Object.keys(prices.regions);
  return {
    region,
    regionPriced: table !== undefined,
    unpricedRegionReason:
      table === undefined
        ? `pricing/aws-prices.json has no prices for ${region}; it has ${priced.join(', ')} (add the region's figures, with their sources, to price it)`
        : undefined,
    regionSource,
    currency: prices.currency,
    pricesRetrieved: prices.retrieved,
    hoursPerMonth: hours,
    lines,
    nodeGroups: groups,
    scenarios: {
      idle: priceState(partial, { nodes: (g) => g.min, databaseRunning: true }),
      running: priceState(partial, { nodes: running, databaseRunning: true }),
      max: priceState(partial, { nodes: (g) => g.max, databaseRunning: true }),
      paused: priceState(partial, { nodes: () => 0, databaseRunning: false }),
    },
    unpriced: lines.filter((l) => l.monthly === null),
    unconfirmedPrices: lines.filter((l) => l.priceStatus === 'unconfirmed').length,
    assumptions: [
      `${hours} hours per month; on-demand list prices, no free tier, no taxes`,
      `NAT data ${usage.natGbPerMonth} GB/month; artifact store ${usage.artifactStoreGb} GB; access logs ${usage.accessLogGb} GB; Spark event logs ${usage.eventLogGb} GB; ECR ${usage.ecrGbPerRepository} GB per repository`,
      `log ingestion per log group per month: ${Object.entries(usage.logGbPerMonth)
        .map(([k, v]) => `${k} ${v} GB`)
        .join(', ')}; stored = ingestion x retention`,
      'data transfer out of AWS, CloudWatch metrics and API calls are not counted',
      `running = one pipeline's Spark nodes (${usage.sparkNodesPerRun}: the steps run one after another, each on one node); paused = every pool at 0 and the database stopped (its storage still billed; NAT data none)`,
    ],
  };
}

/**
 * The monthly price of one state of the cluster, from the estimate's lines: every fixed line
 * (less the ones that stop with the database or with the last node), plus each node group's
 * per-node lines times its nodes. pause/resume price the states they leave and reach with it.
 */
export function priceState(e: Pick<CostEstimate, 'lines' | 'nodeGroups'>, state: ClusterState): NodeScenario {
  const byGroup = e.nodeGroups.map((g) => ({ g, n: state.nodes(g) }));
  const nodes = sum(byGroup.map((x) => x.n));
  const counts = (l: LineItem) =>
    !(l.onlyWhile === 'database' && !state.databaseRunning) && !(l.onlyWhile === 'nodes' && nodes === 0);
  const fixed = sum(
    e.lines.filter((l) => l.perNodeUnits === undefined && counts(l)).map((l) => l.monthly ?? 0),
  );
  const perNode = sum(
    byGroup.map(({ g, n }) =>
      sum(
        e.lines
          .filter((l) => l.perNodeUnits !== undefined && l.resources.includes(g.id))
          .map((l) => (l.perNodeMonthly ?? 0) * n),
      ),
    ),
  );
  const byPool: Record<string, number> = {};
  for (const { g, n } of byGroup) byPool[g.pool ?? g.id] = (byPool[g.pool ?? g.id] ?? 0) + n;
  return { nodes, byPool, databaseRunning: state.databaseRunning, monthly: round(fixed + perNode) };
}
