/**
 * The cost model's rules, one per kind of resource, on small hand-written templates and a price
 * table of round figures: every expected figure below is worked out from the rule the source
 * documents (quantity x units per month x unit price), not read back from the model. No synth, so
 * the branches the app's own template never takes (Multi-AZ, gp2/io1 storage, interface endpoints,
 * launch templates, SPOT, several instance types) are reached, and quickly.
 */
import { POOL_LABEL } from '../../../lib/settings/scheduling';
import type { CfnTemplate } from '../../../scripts/estimate/cloud-assembly';
import {
  type CostEstimate,
  estimateCost,
  type LineItem,
  priceState,
  type UsageAssumptions,
} from '../../../scripts/estimate/cost-model';
import { type PriceEntry, type PriceTable, unitUsd, usd } from '../../../scripts/estimate/price-table';

const REGION = 'xx-test-1';
const H = 730;
const p = (usdValue: number, status: PriceEntry['status'] = 'confirmed'): PriceEntry => ({
  usd: usdValue,
  src: 'test',
  status,
});

/** Round figures (binary fractions where it matters) so the expected sums are exact. */
const PRICES: PriceTable = {
  currency: 'USD',
  retrieved: '2026-01-01',
  hoursPerMonth: H,
  defaultRegion: REGION,
  sources: { test: { url: 'https://example.test' } },
  regions: {
    [REGION]: {
      eksClusterHour: p(0.1),
      ec2InstanceHour: { 'm.one': p(0.25), 'm.two': p(0.5, 'unconfirmed') },
      ebsGp3GbMonth: p(0.125),
      natGatewayHour: p(0.05),
      natGatewayGb: p(0.5),
      publicIpv4Hour: p(0.005),
      interfaceEndpointAzHour: p(0.01),
      rdsInstanceHour: { 'db.one': p(0.02) },
      rdsGp3GbMonth: p(0.25),
      rdsGp2GbMonth: p(0.125),
      secretMonth: p(0.4),
      kmsKeyMonth: p(1),
      logsIngestGb: p(0.5),
      logsStoreGbMonth: p(0.03),
      s3StandardGbMonth: p(0.025),
      ecrGbMonth: p(0.1),
    },
    // A region with a figure the table does not know (null, with why) and a key missing.
    'xx-part-1': {
      eksClusterHour: { usd: null, src: 'test', note: 'not sold here' },
      secretMonth: p(0.4),
    },
  },
};

type Resources = CfnTemplate['Resources'];

function estimate(resources: Resources, usage?: Partial<UsageAssumptions>, region = REGION): CostEstimate {
  return estimateCost({ templates: [{ Resources: resources }], region, prices: PRICES, usage });
}

function only(e: CostEstimate, group: string): LineItem[] {
  return e.lines.filter((l) => l.group === group);
}

const nodegroup = (props: Record<string, unknown>) => ({ Type: 'AWS::EKS::Nodegroup', Properties: props });

describe('node groups', () => {
  test('GIVEN no ScalingConfig THEN min 1, desired = min, max = desired; DiskSize defaults to 20 GiB', () => {
    const e = estimate({ Ng: nodegroup({ InstanceTypes: ['m.one'] }) });
    expect(e.nodeGroups).toEqual([{ id: 'Ng', pool: undefined, min: 1, desired: 1, max: 1 }]);
    const [nodes, disks] = only(e, 'AWS::EKS::Nodegroup');
    expect(nodes).toMatchObject({
      item: 'EC2 m.one nodes',
      quantity: 1,
      unit: 'instance-hour',
      unitsPerMonth: H,
      unitPrice: 0.25,
      monthly: 182.5,
      perNodeUnits: 1,
      perNodeMonthly: 182.5,
      note: 'min 1 / desired 1 / max 1',
      resources: ['Ng'],
    });
    expect(disks).toMatchObject({
      item: 'node root volumes (20 GiB gp3 each)',
      quantity: 20,
      unitsPerMonth: 20,
      monthly: 2.5,
      perNodeUnits: 20,
      perNodeMonthly: 2.5,
    });
  });

  test('GIVEN only MinSize, or MinSize and MaxSize THEN desired falls back to min and max to desired', () => {
    const e = estimate({
      A: nodegroup({ InstanceTypes: ['m.one'], ScalingConfig: { MinSize: 2 } }),
      B: nodegroup({ InstanceTypes: ['m.one'], ScalingConfig: { MinSize: 0, MaxSize: 3 } }),
    });
    expect(e.nodeGroups.map((g) => [g.id, g.min, g.desired, g.max])).toEqual([
      ['A', 2, 2, 2],
      ['B', 0, 0, 3],
    ]);
  });

  test('GIVEN a pool label, several instance types and SPOT THEN priced at the first type, on demand, and the note says so', () => {
    const e = estimate({
      Spark: nodegroup({
        InstanceTypes: ['m.two', 'm.one'],
        CapacityType: 'SPOT',
        DiskSize: 50,
        Labels: { [POOL_LABEL]: 'spark' },
        ScalingConfig: { MinSize: 0, DesiredSize: 2, MaxSize: 4 },
      }),
    });
    const [nodes, disks] = only(e, 'AWS::EKS::Nodegroup');
    expect(nodes).toMatchObject({
      item: 'EC2 m.two nodes (spark pool)',
      quantity: 2,
      unitPrice: 0.5,
      monthly: 730,
      perNodeMonthly: 365,
      priceStatus: 'unconfirmed',
      note: 'spark pool, min 0 / desired 2 / max 4; priced as m.two, the first of m.two, m.one; SPOT capacity priced at on-demand (an upper bound)',
    });
    expect(disks).toMatchObject({
      item: 'node root volumes (50 GiB gp3 each, spark pool)',
      quantity: 100,
      monthly: 12.5,
      perNodeMonthly: 6.25,
    });
    expect(e.unconfirmedPrices).toBe(1);
    expect(e.nodeGroups[0].pool).toBe('spark');
  });

  test('GIVEN no InstanceTypes (a launch template) THEN an unpriced node line that says why', () => {
    const e = estimate({ Lt: nodegroup({ ScalingConfig: { MinSize: 1, DesiredSize: 1, MaxSize: 1 } }) });
    const [nodes] = only(e, 'AWS::EKS::Nodegroup');
    expect(nodes).toMatchObject({
      item: 'EC2 (instance type from a launch template) nodes',
      unitPrice: null,
      monthly: null,
      perNodeMonthly: null,
      note: 'UNPRICED: instance type not in the template (launch template)',
    });
    expect(nodes.priceStatus).toBeUndefined();
    expect(e.unpriced).toEqual([nodes]);
  });

  test('the EKS control plane: one hourly charge per cluster', () => {
    const e = estimate({ A: { Type: 'AWS::EKS::Cluster' }, B: { Type: 'AWS::EKS::Cluster' } });
    expect(only(e, 'AWS::EKS::Cluster')).toEqual([
      expect.objectContaining({
        quantity: 2,
        unit: 'cluster-hour',
        unitsPerMonth: 2 * H,
        monthly: 146,
        note: `${H} h/month; a version in extended support costs 6x`,
        resources: ['A', 'B'],
      }),
    ]);
  });
});

describe('network', () => {
  test('NAT gateways: hours for each, data at the usage assumption (only while nodes run), and their Elastic IPs', () => {
    const e = estimate(
      {
        N1: { Type: 'AWS::EC2::NatGateway' },
        N2: { Type: 'AWS::EC2::NatGateway' },
        Ip: { Type: 'AWS::EC2::EIP' },
      },
      { natGbPerMonth: 10 },
    );
    const [hours, data] = only(e, 'AWS::EC2::NatGateway');
    expect(hours).toMatchObject({ quantity: 2, unitsPerMonth: 2 * H, monthly: 73, resources: ['N1', 'N2'] });
    expect(hours.onlyWhile).toBeUndefined();
    expect(data).toMatchObject({
      quantity: 10,
      unit: 'GB',
      unitsPerMonth: 10,
      monthly: 5,
      onlyWhile: 'nodes',
    });
    expect(only(e, 'AWS::EC2::EIP')).toEqual([
      expect.objectContaining({ quantity: 1, unitsPerMonth: H, monthly: 3.65, resources: ['Ip'] }),
    ]);
  });

  test('VPC endpoints: an interface endpoint per AZ-hour; a gateway endpoint, or one of no stated type, is free and not "not modelled"', () => {
    const e = estimate({
      Ecr: {
        Type: 'AWS::EC2::VPCEndpoint',
        Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b', 'c'] },
      },
      Sts: {
        Type: 'AWS::EC2::VPCEndpoint',
        Properties: { VpcEndpointType: 'Interface', SubnetIds: { Ref: 'X' } },
      },
      S3: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway' } },
      Dyn: { Type: 'AWS::EC2::VPCEndpoint' },
    });
    expect(
      only(e, 'AWS::EC2::VPCEndpoint').map((l) => [l.resources, l.quantity, l.unitsPerMonth, l.monthly]),
    ).toEqual([
      [['Ecr'], 3, 3 * H, 21.9],
      [['Sts'], 1, H, 7.3],
    ]);
    expect(e.lines.filter((l) => l.item === 'not modelled')).toEqual([]);
  });
});

describe('database', () => {
  test('Multi-AZ bills two instances and twice the storage; gp2 is the default storage type; storage is 20 GB unless set', () => {
    for (const multi of [true, 'true']) {
      const e = estimate({
        Db: {
          Type: 'AWS::RDS::DBInstance',
          Properties: { Engine: 'mysql', DBInstanceClass: 'db.one', MultiAZ: multi },
        },
      });
      const [hours, storage] = only(e, 'AWS::RDS::DBInstance');
      expect(hours).toMatchObject({
        item: 'RDS mysql db.one Multi-AZ',
        quantity: 2,
        unitsPerMonth: 2 * H,
        monthly: 29.2,
        onlyWhile: 'database',
      });
      expect(hours.note).toBeUndefined();
      expect(storage).toMatchObject({ item: 'RDS gp2 storage', quantity: 40, unitsPerMonth: 40, monthly: 5 });
      expect(storage.onlyWhile).toBeUndefined();
    }
  });

  test('single-AZ gp3; another engine is priced at the MySQL rate and says so', () => {
    const e = estimate({
      Db: {
        Type: 'AWS::RDS::DBInstance',
        Properties: {
          Engine: 'postgres',
          DBInstanceClass: 'db.one',
          MultiAZ: false,
          StorageType: 'gp3',
          AllocatedStorage: 30,
        },
      },
    });
    const [hours, storage] = only(e, 'AWS::RDS::DBInstance');
    expect(hours).toMatchObject({
      item: 'RDS postgres db.one single-AZ',
      quantity: 1,
      monthly: 14.6,
      note: 'priced with the MySQL rate',
    });
    expect(storage).toMatchObject({ item: 'RDS gp3 storage', quantity: 30, monthly: 7.5 });
  });

  test('a class or a storage type the table lacks is unpriced, with the reason', () => {
    const e = estimate({
      Db: {
        Type: 'AWS::RDS::DBInstance',
        Properties: { Engine: 'mysql', DBInstanceClass: 'db.zz', StorageType: 'io1' },
      },
    });
    expect(only(e, 'AWS::RDS::DBInstance').map((l) => [l.monthly, l.note])).toEqual([
      [null, `UNPRICED: no on-demand price for db.zz in ${REGION}`],
      [null, 'UNPRICED: storage type io1 not in the table'],
    ]);
  });
});

describe('secrets, keys, logs, storage, handlers', () => {
  test('KMS: the note counts the keys with rotation; none, no note', () => {
    const rotating = estimate({
      K1: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
      K2: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: false } },
      K3: { Type: 'AWS::KMS::Key' },
      K4: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
    });
    expect(only(rotating, 'AWS::KMS::Key')).toEqual([
      expect.objectContaining({
        quantity: 4,
        monthly: 4,
        note: '2 with rotation: each of the first two yearly rotations adds one key-month',
      }),
    ]);
    expect(only(estimate({ K: { Type: 'AWS::KMS::Key' } }), 'AWS::KMS::Key')[0].note).toBe('');
  });

  test('secrets: one line, a month each', () => {
    const e = estimate({
      S1: { Type: 'AWS::SecretsManager::Secret' },
      S2: { Type: 'AWS::SecretsManager::Secret' },
    });
    expect(only(e, 'AWS::SecretsManager::Secret')).toEqual([
      expect.objectContaining({ quantity: 2, unit: 'secret-month', monthly: 0.8, resources: ['S1', 'S2'] }),
    ]);
  });

  test('log groups: the kind from what writes to them (flow log, Lambda LoggingConfig) or their name; storage = ingestion x retention / 30 days, a year when unset', () => {
    const usage = {
      logGbPerMonth: { 'eks-control-plane': 6, 'vpc-flow-logs': 3, rds: 1, lambda: 0.5, other: 2 },
    };
    const e = estimate(
      {
        Flow: { Type: 'AWS::EC2::FlowLog', Properties: { LogGroupName: { Ref: 'FlowLogs' } } },
        FlowLogs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { LoggingConfig: { LogGroup: { Ref: 'FnLogs' } } } },
        FnLogs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 60 } },
        Eks: {
          Type: 'AWS::Logs::LogGroup',
          Properties: { LogGroupName: '/aws/eks/c/cluster', RetentionInDays: 90 },
        },
        Rds: {
          Type: 'AWS::Logs::LogGroup',
          Properties: { LogGroupName: { 'Fn::Join': ['', ['/aws/rds/instance/', { Ref: 'Db' }]] } },
        },
        Named: {
          Type: 'AWS::Logs::LogGroup',
          Properties: { LogGroupName: '/aws/lambda/other', RetentionInDays: 15 },
        },
        Other1: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
        Other2: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 45 } },
      },
      usage,
    );
    const rows = only(e, 'AWS::Logs::LogGroup').map((l) => [l.item, l.quantity, l.monthly, l.resources]);
    expect(rows).toEqual([
      ['vpc-flow-logs log ingestion (1 group, assumed)', 3, 1.5, ['FlowLogs']],
      ['vpc-flow-logs log storage at retention', 3, 0.09, ['FlowLogs']],
      ['lambda log ingestion (2 groups, assumed)', 1, 0.5, ['FnLogs', 'Named']],
      // 0.5 x 60/30 + 0.5 x 15/30
      ['lambda log storage at retention', 1.25, 0.04, ['FnLogs', 'Named']],
      ['eks-control-plane log ingestion (1 group, assumed)', 6, 3, ['Eks']],
      ['eks-control-plane log storage at retention', 18, 0.54, ['Eks']],
      ['rds log ingestion (1 group, assumed)', 1, 0.5, ['Rds']],
      // never expires: a year
      ['rds log storage at retention', 12.17, 0.37, ['Rds']],
      ['other log ingestion (2 groups, assumed)', 4, 2, ['Other1', 'Other2']],
      ['other log storage at retention', 5, 0.15, ['Other1', 'Other2']],
    ]);
  });

  test('buckets: a bucket another one logs to is an access-log bucket; the rest are the artifact store', () => {
    const e = estimate(
      {
        Data: {
          Type: 'AWS::S3::Bucket',
          Properties: { LoggingConfiguration: { DestinationBucketName: { Ref: 'Logs' } } },
        },
        Data2: { Type: 'AWS::S3::Bucket' },
        Logs: { Type: 'AWS::S3::Bucket' },
      },
      { artifactStoreGb: 40, accessLogGb: 8 },
    );
    expect(only(e, 'AWS::S3::Bucket').map((l) => [l.item, l.quantity, l.monthly, l.resources])).toEqual([
      ['artifact store (2 buckets, S3 Standard, assumed)', 40, 1, ['Data', 'Data2']],
      ['access-log bucket (assumed)', 8, 0.2, ['Logs']],
    ]);
    const one = estimate({ D: { Type: 'AWS::S3::Bucket' } });
    expect(only(one, 'AWS::S3::Bucket').map((l) => l.item)).toEqual([
      'artifact store (1 bucket, S3 Standard, assumed)',
    ]);
  });

  test('ECR: the assumed GB per repository, times the repositories', () => {
    const two = estimate(
      { R1: { Type: 'AWS::ECR::Repository' }, R2: { Type: 'AWS::ECR::Repository' } },
      { ecrGbPerRepository: 5 },
    );
    expect(only(two, 'AWS::ECR::Repository').map((l) => [l.item, l.quantity, l.monthly])).toEqual([
      ['ECR image storage (2 repositories, assumed)', 10, 1],
    ]);
    expect(only(estimate({ R: { Type: 'AWS::ECR::Repository' } }), 'AWS::ECR::Repository')[0].item).toBe(
      'ECR image storage (1 repository, assumed)',
    );
  });

  test('custom-resource handlers cost nothing; custom resources and free types are not "not modelled"; unknown types are, grouped by type', () => {
    const e = estimate({
      Fn: { Type: 'AWS::Lambda::Function' },
      Cr: { Type: 'Custom::Thing' },
      Cfn: { Type: 'AWS::CloudFormation::CustomResource' },
      Vpc: { Type: 'AWS::EC2::VPC' },
      Role: { Type: 'AWS::IAM::Role' },
      Lb1: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer' },
      Lb2: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer' },
      Q: { Type: 'AWS::SQS::Queue' },
    });
    expect(e.lines.map((l) => [l.group, l.item, l.quantity, l.monthly, l.resources])).toEqual([
      ['AWS::Lambda::Function', 'custom-resource handlers', 1, 0, ['Fn']],
      ['AWS::ElasticLoadBalancingV2::LoadBalancer', 'not modelled', 2, null, ['Lb1', 'Lb2']],
      ['AWS::SQS::Queue', 'not modelled', 1, null, ['Q']],
    ]);
    expect(e.unpriced.map((l) => l.group)).toEqual([
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
      'AWS::SQS::Queue',
    ]);
  });
});

describe('the estimate as a whole', () => {
  const TEMPLATE: Resources = {
    Cluster: { Type: 'AWS::EKS::Cluster' },
    System: nodegroup({
      InstanceTypes: ['m.one'],
      Labels: { [POOL_LABEL]: 'system' },
      ScalingConfig: { MinSize: 1, DesiredSize: 2, MaxSize: 3 },
    }),
    Spark: nodegroup({
      InstanceTypes: ['m.two'],
      Labels: { [POOL_LABEL]: 'spark' },
      ScalingConfig: { MinSize: 0, DesiredSize: 0, MaxSize: 4 },
    }),
    Other: nodegroup({ InstanceTypes: ['m.one'], ScalingConfig: { MinSize: 0, DesiredSize: 1, MaxSize: 2 } }),
    Nat: { Type: 'AWS::EC2::NatGateway' },
    Db: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'mysql', DBInstanceClass: 'db.one' } },
  };
  // Per node and month: m.one 0.25 x 730 + 20 GiB x 0.125 = 185; m.two 0.5 x 730 + 2.5 = 367.5.
  const FIXED = 73 + 36.5; // cluster, NAT hours
  const NAT_DATA = 25; // 50 GB (the default) x 0.5
  const DB = 14.6 + 2.5; // instance hours, 20 GB gp2

  test('the states: idle = every pool at its minimum; running = system at min, spark at the nodes one run needs, others at desired; max; paused', () => {
    const { idle, running, max, paused } = estimate(TEMPLATE).scenarios;
    expect(idle).toEqual({
      nodes: 1,
      byPool: { system: 1, spark: 0, Other: 0 },
      databaseRunning: true,
      monthly: expect.closeTo(FIXED + NAT_DATA + DB + 185, 2),
    });
    expect(running).toEqual({
      nodes: 3,
      byPool: { system: 1, spark: 1, Other: 1 },
      databaseRunning: true,
      monthly: expect.closeTo(FIXED + NAT_DATA + DB + 185 + 367.5 + 185, 2),
    });
    expect(max).toEqual({
      nodes: 9,
      byPool: { system: 3, spark: 4, Other: 2 },
      databaseRunning: true,
      monthly: expect.closeTo(FIXED + NAT_DATA + DB + 5 * 185 + 4 * 367.5, 2),
    });
    // No node: no NAT data; the database stopped: its storage only.
    expect(paused).toEqual({
      nodes: 0,
      byPool: { system: 0, spark: 0, Other: 0 },
      databaseRunning: false,
      monthly: expect.closeTo(FIXED + 2.5, 2),
    });
  });

  test('running: the Spark pool runs max(min, nodes per run), never above its max', () => {
    const sparkIn = (usage: Partial<UsageAssumptions>, scaling: Record<string, number>) =>
      estimate(
        {
          Spark: nodegroup({
            InstanceTypes: ['m.two'],
            Labels: { [POOL_LABEL]: 'spark' },
            ScalingConfig: scaling,
          }),
        },
        usage,
      ).scenarios.running.byPool.spark;
    expect(sparkIn({ sparkNodesPerRun: 3 }, { MinSize: 0, DesiredSize: 0, MaxSize: 2 })).toBe(2);
    expect(sparkIn({ sparkNodesPerRun: 3 }, { MinSize: 0, DesiredSize: 0, MaxSize: 4 })).toBe(3);
    expect(sparkIn({ sparkNodesPerRun: 1 }, { MinSize: 2, DesiredSize: 2, MaxSize: 4 })).toBe(2);
    // Only the Spark pool: the system pool stays at its minimum, another group at its desired size.
    const running = estimate(
      {
        System: nodegroup({
          InstanceTypes: ['m.one'],
          Labels: { [POOL_LABEL]: 'system' },
          ScalingConfig: { MinSize: 1, DesiredSize: 1, MaxSize: 3 },
        }),
        Other: nodegroup({
          InstanceTypes: ['m.one'],
          ScalingConfig: { MinSize: 0, DesiredSize: 1, MaxSize: 4 },
        }),
      },
      { sparkNodesPerRun: 3 },
    ).scenarios.running;
    expect(running.byPool).toEqual({ system: 1, Other: 1 });
  });

  test('two node groups of one pool add up in it', () => {
    const spark = (desired: number) =>
      nodegroup({
        InstanceTypes: ['m.two'],
        Labels: { [POOL_LABEL]: 'spark' },
        ScalingConfig: { MinSize: desired, DesiredSize: desired, MaxSize: 5 },
      });
    const { idle, max } = estimate({ SparkA: spark(1), SparkB: spark(2) }).scenarios;
    expect([idle.byPool, max.byPool, idle.nodes]).toEqual([{ spark: 3 }, { spark: 10 }, 3]);
  });

  test('priceState: the database line stops with the database, NAT data only with the last node', () => {
    const e = estimate(TEMPLATE);
    expect(priceState(e, { nodes: () => 0, databaseRunning: true }).monthly).toBeCloseTo(FIXED + DB, 2);
    expect(priceState(e, { nodes: (g) => (g.id === 'Other' ? 1 : 0), databaseRunning: false })).toEqual({
      nodes: 1,
      byPool: { system: 0, spark: 0, Other: 1 },
      databaseRunning: false,
      monthly: expect.closeTo(FIXED + NAT_DATA + 2.5 + 185, 2),
    });
  });

  test('the region: from the input, with its source; a region the table lacks makes every line unpriced and says why', () => {
    const set = estimateCost({ templates: [{ Resources: TEMPLATE }], region: REGION, prices: PRICES });
    expect([set.region, set.regionSource, set.regionPriced, set.unpricedRegionReason]).toEqual([
      REGION,
      'setting region',
      true,
      undefined,
    ]);
    const flagged = estimateCost({
      templates: [{ Resources: TEMPLATE }],
      regionSource: 'flag --region',
      prices: PRICES,
    });
    expect([flagged.region, flagged.regionSource]).toEqual([REGION, 'flag --region']);
    expect(estimateCost({ templates: [{ Resources: TEMPLATE }], prices: PRICES }).regionSource).toBe(
      `no region set: priced at the default ${REGION}`,
    );

    const e = estimate(TEMPLATE, {}, 'yy-none-1');
    expect(e.regionPriced).toBe(false);
    expect(e.unpricedRegionReason).toBe(
      `pricing/aws-prices.json has no prices for yy-none-1; it has ${REGION}, xx-part-1 (add the region's figures, with their sources, to price it)`,
    );
    expect(e.unpriced).toEqual(e.lines);
    expect(new Set(e.lines.map((l) => l.note))).toEqual(
      new Set(['UNPRICED: no prices for region yy-none-1 in pricing/aws-prices.json']),
    );
    expect(e.scenarios.max.monthly).toBe(0);
  });

  test('the assumptions state the usage figures used', () => {
    const e = estimate(TEMPLATE, {
      natGbPerMonth: 7,
      artifactStoreGb: 9,
      accessLogGb: 2,
      ecrGbPerRepository: 3,
      sparkNodesPerRun: 2,
    });
    expect(e.assumptions).toEqual([
      `${H} hours per month; on-demand list prices, no free tier, no taxes`,
      'NAT data 7 GB/month; artifact store 9 GB; access logs 2 GB; Spark event logs 1 GB; ECR 3 GB per repository',
      'log ingestion per log group per month: eks-control-plane 5 GB, vpc-flow-logs 1 GB, rds 0.1 GB, lambda 0.01 GB, other 0.1 GB; stored = ingestion x retention',
      'data transfer out of AWS, CloudWatch metrics and API calls are not counted',
      "running = one pipeline's Spark nodes (2: the steps run one after another, each on one node); paused = every pool at 0 and the database stopped (its storage still billed; NAT data none)",
    ]);
    expect([e.currency, e.pricesRetrieved, e.hoursPerMonth]).toEqual(['USD', '2026-01-01', H]);
  });
});

describe('price formatting', () => {
  test('usd: thousands separators and cents; null is "unpriced"', () => {
    expect([usd(1234.5), usd(0), usd(0.126), usd(null)]).toEqual(['$1,234.50', '$0.00', '$0.13', 'unpriced']);
  });

  test('unitUsd: four decimals under a dollar with up to two trailing zeros dropped, cents from a dollar up', () => {
    expect([
      unitUsd(0.1504),
      unitUsd(0.045),
      unitUsd(0.1),
      unitUsd(0.99999),
      unitUsd(1),
      unitUsd(12.5),
      unitUsd(12.3456),
      unitUsd(null),
    ]).toEqual(['$0.1504', '$0.045', '$0.10', '$1.00', '$1.00', '$12.50', '$12.35', 'unpriced']);
  });
});

describe('what the report prints of each line', () => {
  test('group, item, unit, note and the resources counted, for every kind of line', () => {
    const e = estimate({
      Cluster: { Type: 'AWS::EKS::Cluster' },
      Ng: nodegroup({ InstanceTypes: ['m.one'], ScalingConfig: { MinSize: 1, DesiredSize: 1, MaxSize: 1 } }),
      N1: { Type: 'AWS::EC2::NatGateway' },
      N2: { Type: 'AWS::EC2::NatGateway' },
      Ip: { Type: 'AWS::EC2::EIP' },
      Ep: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a'] } },
      Db: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'mysql', DBInstanceClass: 'db.one' } },
      Sec: { Type: 'AWS::SecretsManager::Secret' },
      Key: { Type: 'AWS::KMS::Key' },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
      Bucket: {
        Type: 'AWS::S3::Bucket',
        Properties: { LoggingConfiguration: { DestinationBucketName: { Ref: 'Access' } } },
      },
      Access: { Type: 'AWS::S3::Bucket' },
      Repo: { Type: 'AWS::ECR::Repository' },
      Fn: { Type: 'AWS::Lambda::Function' },
      Q: { Type: 'AWS::SQS::Queue' },
    });
    expect(e.lines.map((l) => [l.group, l.item, l.unit, l.note, l.resources])).toEqual([
      [
        'AWS::EKS::Cluster',
        'EKS control plane (standard support)',
        'cluster-hour',
        `${H} h/month; a version in extended support costs 6x`,
        ['Cluster'],
      ],
      ['AWS::EKS::Nodegroup', 'EC2 m.one nodes', 'instance-hour', 'min 1 / desired 1 / max 1', ['Ng']],
      [
        'AWS::EKS::Nodegroup',
        'node root volumes (20 GiB gp3 each)',
        'GB-month',
        'volume type assumed gp3; gp2 costs ~25% more',
        ['Ng'],
      ],
      [
        'AWS::EC2::NatGateway',
        'NAT gateway hours',
        'gateway-hour',
        `${H} h/month each, whether or not traffic flows`,
        ['N1', 'N2'],
      ],
      [
        'AWS::EC2::NatGateway',
        'NAT data processing (assumed)',
        'GB',
        'usage assumption: image pulls and installs; S3 bypasses NAT through the gateway endpoint',
        ['N1', 'N2'],
      ],
      [
        'AWS::EC2::EIP',
        'public IPv4 addresses (Elastic IPs)',
        'address-hour',
        'charged since 2024-02 whether attached or idle',
        ['Ip'],
      ],
      [
        'AWS::EC2::VPCEndpoint',
        'interface endpoint',
        'endpoint-AZ-hour',
        'data processed not counted',
        ['Ep'],
      ],
      ['AWS::RDS::DBInstance', 'RDS mysql db.one single-AZ', 'instance-hour', undefined, ['Db']],
      [
        'AWS::RDS::DBInstance',
        'RDS gp2 storage',
        'GB-month',
        'automated backups free up to the provisioned size',
        ['Db'],
      ],
      [
        'AWS::SecretsManager::Secret',
        'Secrets Manager secrets',
        'secret-month',
        'API calls ($0.05 per 10,000) not counted',
        ['Sec'],
      ],
      ['AWS::KMS::Key', 'KMS customer managed keys', 'key-month', '', ['Key']],
      ['AWS::Logs::LogGroup', 'other log ingestion (1 group, assumed)', 'GB', undefined, ['Logs']],
      ['AWS::Logs::LogGroup', 'other log storage at retention', 'GB-month', undefined, ['Logs']],
      [
        'AWS::S3::Bucket',
        'artifact store (1 bucket, S3 Standard, assumed)',
        'GB-month',
        'requests not counted',
        ['Bucket'],
      ],
      ['AWS::S3::Bucket', 'access-log bucket (assumed)', 'GB-month', undefined, ['Access']],
      [
        'AWS::ECR::Repository',
        'ECR image storage (1 repository, assumed)',
        'GB-month',
        'pulls inside the region are free',
        ['Repo'],
      ],
      [
        'AWS::Lambda::Function',
        'custom-resource handlers',
        'function',
        'invoked only during deploy/destroy: free tier or cents',
        ['Fn'],
      ],
      [
        'AWS::SQS::Queue',
        'not modelled',
        'resource',
        'UNPRICED: this resource type is not in the cost model (add it in scripts/estimate/cost-lines.ts)',
        ['Q'],
      ],
    ]);
    // Only the node lines have a per-node share; one unconfirmed price is none here.
    expect(e.lines.filter((l) => l.perNodeMonthly !== undefined).map((l) => l.item)).toEqual([
      'EC2 m.one nodes',
      'node root volumes (20 GiB gp3 each)',
    ]);
    expect(e.unconfirmedPrices).toBe(0);
    expect(e.lines[0]).toEqual({
      group: 'AWS::EKS::Cluster',
      item: 'EKS control plane (standard support)',
      quantity: 1,
      unit: 'cluster-hour',
      unitsPerMonth: H,
      unitPrice: 0.1,
      monthly: 73,
      priceStatus: 'confirmed',
      note: `${H} h/month; a version in extended support costs 6x`,
      resources: ['Cluster'],
    });
  });

  test('a figure the table marks unknown is unpriced with its note; a key it lacks, with the general reason', () => {
    const e = estimate(
      {
        Cluster: { Type: 'AWS::EKS::Cluster' },
        Key: { Type: 'AWS::KMS::Key' },
        Sec: { Type: 'AWS::SecretsManager::Secret' },
      },
      {},
      'xx-part-1',
    );
    expect(e.lines.map((l) => [l.group, l.monthly, l.note])).toEqual([
      ['AWS::EKS::Cluster', null, 'UNPRICED: not sold here'],
      ['AWS::SecretsManager::Secret', 0.4, 'API calls ($0.05 per 10,000) not counted'],
      ['AWS::KMS::Key', null, 'UNPRICED: no price in pricing/aws-prices.json'],
    ]);
    // A keyed price (instance types) the region lacks altogether.
    const ng = estimate({ Ng: nodegroup({ InstanceTypes: ['m.one'] }) }, {}, 'xx-part-1');
    expect(only(ng, 'AWS::EKS::Nodegroup')[0].note).toBe(
      'UNPRICED: no on-demand price for m.one in xx-part-1',
    );
  });

  test("log groups: only a flow log makes one a flow-log group, only a Lambda function's LoggingConfig a Lambda one", () => {
    const e = estimate({
      Filter: { Type: 'AWS::Logs::SubscriptionFilter', Properties: { LogGroupName: { Ref: 'AppLogs' } } },
      Other: { Type: 'AWS::Custom::Thing', Properties: { LoggingConfig: { LogGroup: { Ref: 'AppLogs' } } } },
      AppLogs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
    });
    expect(only(e, 'AWS::Logs::LogGroup').map((l) => l.item)).toEqual([
      'other log ingestion (1 group, assumed)',
      'other log storage at retention',
    ]);
  });
});
