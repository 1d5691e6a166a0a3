import { NODE_SHAPES } from '../../../lib/settings/node-shapes';
import { fitOnOneNode, largestStep, systemPoolFit } from '../../../lib/settings/sizing';
import type { CfnTemplate } from '../../../scripts/estimate/cloud-assembly';
import {
  type CostEstimate,
  estimateCost,
  type LineItem,
  priceState,
} from '../../../scripts/estimate/cost-model';
import { loadPriceTable } from '../../../scripts/estimate/price-table';
import { synth } from '../../lib/fixtures';

const PRICES = loadPriceTable();
const HOURS = PRICES.hoursPerMonth;

function templateOf(settings: Record<string, unknown> = {}): CfnTemplate {
  return synth(settings).template.toJSON() as CfnTemplate;
}

/** The estimate the tools make: templates synthesized for the settings, region from the settings. */
function estimate(settings: Record<string, unknown> = {}, region?: string): CostEstimate {
  return estimateCost({
    templates: [templateOf(settings)],
    region: region ?? synth(settings).config.region,
    prices: PRICES,
  });
}

function lineOf(e: CostEstimate, group: string, itemStart = ''): LineItem {
  const l = e.lines.find((x) => x.group === group && x.item.startsWith(itemStart));
  if (!l)
    throw new Error(`no ${group} line starting '${itemStart}' in ${e.lines.map((x) => x.item).join(', ')}`);
  return l;
}

function ec2Price(region: string, type: string): number {
  return ((PRICES.regions[region].ec2InstanceHour as Record<string, { usd: number }>)[type] ?? { usd: NaN })
    .usd;
}

describe('cost model: counted from the synthesized template', () => {
  test('GIVEN the defaults WHEN estimated without a region THEN it prices us-east-1 and says so', () => {
    const e = estimate();
    expect(e.region).toBe('us-east-1');
    expect(e.regionSource).toMatch(/no region set.*us-east-1/);
    expect(e.unpriced).toEqual([]);
    // One cluster, one NAT gateway with its Elastic IP, one DB, one secret, one key: from the template.
    expect(lineOf(e, 'AWS::EKS::Cluster').quantity).toBe(1);
    expect(lineOf(e, 'AWS::EC2::NatGateway', 'NAT gateway hours').quantity).toBe(1);
    expect(lineOf(e, 'AWS::EC2::EIP').quantity).toBe(1);
    expect(lineOf(e, 'AWS::RDS::DBInstance', 'RDS mysql db.t4g.micro').monthly).toBeCloseTo(0.016 * HOURS, 2);
    expect(lineOf(e, 'AWS::RDS::DBInstance', 'RDS gp3 storage').quantity).toBe(20);
    // rds_authentication, and the ZenML server's admin and JWT key.
    expect(lineOf(e, 'AWS::SecretsManager::Secret').quantity).toBe(3);
    expect(lineOf(e, 'AWS::KMS::Key').quantity).toBe(1);
  });

  const perNode = (type: string, diskGiB: number) => ec2Price('us-east-1', type) * HOURS + diskGiB * 0.08;

  test('GIVEN the defaults THEN the states: idle (system node only), running (+1 Spark node), max (+4), paused', () => {
    const e = estimate();
    expect(e.nodeGroups.map((g) => [g.pool, g.min, g.desired, g.max])).toEqual([
      ['system', 1, 1, 1],
      ['spark', 0, 0, 4],
    ]);
    const { idle, running, max, paused } = e.scenarios;
    expect([idle.byPool, running.byPool, max.byPool, paused.byPool]).toEqual([
      { system: 1, spark: 0 },
      { system: 1, spark: 1 },
      { system: 1, spark: 4 },
      { system: 0, spark: 0 },
    ]);
    expect(running.monthly - idle.monthly).toBeCloseTo(perNode('t3a.xlarge', 50), 1);
    expect(max.monthly - idle.monthly).toBeCloseTo(4 * perNode('t3a.xlarge', 50), 1);
    // Paused: no node, the DB instance stopped (storage still billed), no NAT traffic.
    const dbHours = lineOf(e, 'AWS::RDS::DBInstance', 'RDS mysql').monthly as number;
    const natData = lineOf(e, 'AWS::EC2::NatGateway', 'NAT data').monthly as number;
    expect(idle.monthly - paused.monthly).toBeCloseTo(perNode('t3a.medium', 20) + dbHours + natData, 1);
    expect([idle.databaseRunning, paused.databaseRunning]).toEqual([true, false]);
  });

  test('GIVEN the defaults in us-east-1 THEN the figures the docs quote', () => {
    const { idle, running, max, paused } = estimate().scenarios;
    expect([idle.monthly, running.monthly, max.monthly, paused.monthly]).toEqual([
      161.98, 275.77, 617.15, 119.0,
    ]);
    // The targets, the in-cluster ZenML server included (before two pools: $257.58 idle).
    expect(idle.monthly).toBeLessThanOrEqual(170);
    expect(paused.monthly).toBeLessThanOrEqual(120);
  });

  test('WHEN the pool sizes change THEN the states follow the template ScalingConfig', () => {
    const base = estimate();
    const e = estimate({ nodeMinSize: 2, nodeMaxSize: 5, systemNodeCount: 2 });
    const { idle, running, max, paused } = e.scenarios;
    expect([idle.byPool, running.byPool, max.byPool, paused.nodes]).toEqual([
      { system: 2, spark: 2 },
      // Warm nodes already hold one pipeline.
      { system: 2, spark: 2 },
      { system: 2, spark: 5 },
      0,
    ]);
    expect(idle.monthly - base.scenarios.idle.monthly).toBeCloseTo(
      perNode('t3a.medium', 20) + 2 * perNode('t3a.xlarge', 50),
      1,
    );
    expect(paused.monthly).toBeCloseTo(base.scenarios.paused.monthly, 2);
    expect(lineOf(e, 'AWS::EKS::Nodegroup', 'EC2 t3a.xlarge').quantity).toBe(2);
  });

  test('priceState: any mix of pool sizes and database state, as pause/resume price them', () => {
    const e = estimate();
    expect(priceState(e, { nodes: (g) => g.min, databaseRunning: true })).toEqual(e.scenarios.idle);
    const twoSpark = priceState(e, { nodes: (g) => (g.pool === 'spark' ? 2 : 1), databaseRunning: true });
    expect(twoSpark.monthly - e.scenarios.idle.monthly).toBeCloseTo(2 * perNode('t3a.xlarge', 50), 1);
    // Nodes at 0 but the database running (e.g. paused, then restarted by AWS after 7 days).
    const dbOnly = priceState(e, { nodes: () => 0, databaseRunning: true });
    expect(dbOnly.monthly - e.scenarios.paused.monthly).toBeCloseTo(0.016 * HOURS, 1);
  });

  test('WHEN the instance types change THEN the node lines use their prices', () => {
    const base = estimate();
    const e = estimate({ nodeInstanceType: 'm5.xlarge', systemNodeInstanceType: 't3.medium' });
    expect(lineOf(e, 'AWS::EKS::Nodegroup', 'EC2 m5.xlarge').unitPrice).toBe(
      ec2Price('us-east-1', 'm5.xlarge'),
    );
    expect(lineOf(e, 'AWS::EKS::Nodegroup', 'EC2 t3.medium').unitPrice).toBe(
      ec2Price('us-east-1', 't3.medium'),
    );
    const delta = HOURS * (ec2Price('us-east-1', 'm5.xlarge') - ec2Price('us-east-1', 't3a.xlarge'));
    expect(e.scenarios.running.monthly - base.scenarios.running.monthly).toBeCloseTo(
      delta + HOURS * (ec2Price('us-east-1', 't3.medium') - ec2Price('us-east-1', 't3a.medium')),
      1,
    );
  });

  test('WHEN the instance type has no price in the region THEN an explicit unpriced line, never a zero', () => {
    // Every type the settings accept is priced in every region of the table: a template's own type.
    const template = structuredClone(templateOf({ region: 'eu-west-1' }));
    const ng = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::EKS::Nodegroup' && JSON.stringify(r.Properties).includes('"spark"'),
    );
    (ng?.Properties as Record<string, unknown>).InstanceTypes = ['x9.huge'];
    const e = estimateCost({ templates: [template], region: 'eu-west-1', prices: PRICES });
    const nodes = lineOf(e, 'AWS::EKS::Nodegroup', 'EC2 x9.huge');
    expect(nodes.monthly).toBeNull();
    expect(nodes.note).toMatch(/UNPRICED: no on-demand price for x9.huge in eu-west-1/);
    expect(e.unpriced).toContain(nodes);
  });

  test.each(Object.keys(PRICES.regions))(
    'every node instance type the settings accept has a price in %s',
    (region) => {
      const unpriced = Object.keys(NODE_SHAPES).filter((type) => !(ec2Price(region, type) > 0));
      expect(unpriced).toEqual([]);
    },
  );

  test.each(Object.keys(PRICES.regions))('%s: the defaults are fully priced', (region) => {
    expect(estimate({ region }).unpriced).toEqual([]);
  });

  test('every node instance type the settings accept for either pool has a price in the default region', () => {
    const accepted = Object.keys(NODE_SHAPES).filter(
      (type) => fitOnOneNode(largestStep().resources, type).fits || systemPoolFit(type).fits,
    );
    expect(accepted).toEqual(expect.arrayContaining(['t3a.medium', 't3a.xlarge']));
    expect(accepted.filter((type) => !(ec2Price('us-east-1', type) > 0))).toEqual([]);
  });

  test('WHEN the NAT gateway count changes THEN gateway hours and public IPv4 follow', () => {
    const base = estimate();
    const e = estimate({ natGateways: 2 });
    expect(lineOf(e, 'AWS::EC2::NatGateway', 'NAT gateway hours').quantity).toBe(2);
    expect(lineOf(e, 'AWS::EC2::EIP').quantity).toBe(2);
    expect(e.scenarios.idle.monthly - base.scenarios.idle.monthly).toBeCloseTo(HOURS * (0.045 + 0.005), 1);
  });

  test('WHEN the region changes THEN that region prices apply and missing ones are unpriced', () => {
    const e = estimate({ region: 'eu-west-1', dbInstanceClass: 'db.r7g.large' });
    expect(e.region).toBe('eu-west-1');
    expect(e.regionSource).toBe('setting region');
    expect(lineOf(e, 'AWS::EKS::Nodegroup', 'EC2 t3a.xlarge').unitPrice).toBe(
      ec2Price('eu-west-1', 't3a.xlarge'),
    );
    expect(lineOf(e, 'AWS::EC2::NatGateway', 'NAT gateway hours').unitPrice).toBe(0.048);
    // The table has no db.r7g.large price: shown, not guessed.
    expect(lineOf(e, 'AWS::RDS::DBInstance', 'RDS mysql').monthly).toBeNull();
    expect(e.unpriced.map((l) => l.group)).toEqual(['AWS::RDS::DBInstance']);
  });

  test('WHEN the region is not in the table THEN every priced line says so, and the estimate says why', () => {
    const e = estimate({}, 'ap-south-1');
    expect(e.regionPriced).toBe(false);
    expect(e.unpricedRegionReason).toMatch(/has no prices for ap-south-1; it has us-east-1, .*us-east-2/);
    expect(lineOf(e, 'AWS::EKS::Cluster').monthly).toBeNull();
    expect(lineOf(e, 'AWS::EKS::Cluster').note).toMatch(/no prices for region ap-south-1/);
    expect(e.scenarios.idle.monthly).toBe(0);
    expect(e.unpriced.length).toBeGreaterThan(5);
  });

  test('WHEN the stack gains the S3 access-key secret THEN the secret count follows the template', () => {
    expect(lineOf(estimate({ s3AccessKey: true }), 'AWS::SecretsManager::Secret').quantity).toBe(4);
  });

  test('WHEN the template holds a billable type the model does not know THEN it is listed as not modelled', () => {
    const t = templateOf();
    const withLb: CfnTemplate = {
      ...t,
      Resources: {
        ...t.Resources,
        Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: {} },
      },
    };
    const e = estimateCost({ templates: [withLb], prices: PRICES });
    const lb = lineOf(e, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(lb.item).toBe('not modelled');
    expect(lb.monthly).toBeNull();
  });
});
