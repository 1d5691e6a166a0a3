import { NODE_SHAPES } from '../../../lib/settings/node-shapes';
import type { CfnTemplate } from '../../../scripts/estimate/cloud-assembly';
import { type CostEstimate, estimateCost, type LineItem } from '../../../scripts/estimate/cost-model';
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
    expect(lineOf(e, 'AWS::RDS::DBInstance', 'RDS mysql db.t4g.small').monthly).toBeCloseTo(0.032 * HOURS, 2);
    expect(lineOf(e, 'AWS::RDS::DBInstance', 'RDS gp3 storage').quantity).toBe(20);
    expect(lineOf(e, 'AWS::SecretsManager::Secret').quantity).toBe(1);
    expect(lineOf(e, 'AWS::KMS::Key').quantity).toBe(1);
  });

  test('GIVEN min 1 / desired 2 / max 4 THEN idle, desired and max differ by whole nodes', () => {
    const e = estimate();
    const perNode = ec2Price('us-east-1', 't3a.xlarge') * HOURS + 50 * 0.08;
    expect(e.scenarios.idle.nodes).toBe(1);
    expect(e.scenarios.desired.nodes).toBe(2);
    expect(e.scenarios.max.nodes).toBe(4);
    expect(e.scenarios.desired.monthly - e.scenarios.idle.monthly).toBeCloseTo(perNode, 1);
    expect(e.scenarios.max.monthly - e.scenarios.idle.monthly).toBeCloseTo(3 * perNode, 1);
  });

  test('WHEN node counts change THEN the scenarios follow the template ScalingConfig', () => {
    const base = estimate();
    const e = estimate({ nodeMinSize: 2, nodeDesiredSize: 3, nodeMaxSize: 5 });
    expect([e.scenarios.idle.nodes, e.scenarios.desired.nodes, e.scenarios.max.nodes]).toEqual([2, 3, 5]);
    const perNode = base.scenarios.desired.monthly - base.scenarios.idle.monthly;
    expect(e.scenarios.idle.monthly - base.scenarios.idle.monthly).toBeCloseTo(perNode, 1);
    expect(e.scenarios.max.monthly - base.scenarios.max.monthly).toBeCloseTo(perNode, 1);
    expect(lineOf(e, 'AWS::EKS::Nodegroup', 'EC2').quantity).toBe(3);
  });

  test('WHEN the instance type changes THEN the node line uses its price', () => {
    const base = estimate();
    const e = estimate({ nodeInstanceType: 'm5.xlarge' });
    expect(lineOf(e, 'AWS::EKS::Nodegroup', 'EC2').item).toContain('m5.xlarge');
    expect(lineOf(e, 'AWS::EKS::Nodegroup', 'EC2').unitPrice).toBe(ec2Price('us-east-1', 'm5.xlarge'));
    const delta = 2 * HOURS * (ec2Price('us-east-1', 'm5.xlarge') - ec2Price('us-east-1', 't3a.xlarge'));
    expect(e.scenarios.desired.monthly - base.scenarios.desired.monthly).toBeCloseTo(delta, 1);
  });

  test('WHEN the instance type has no price in the region THEN an explicit unpriced line, never a zero', () => {
    // Every type the settings accept is priced in every region of the table: a template's own type.
    const template = structuredClone(templateOf({ region: 'eu-west-1' }));
    const ng = Object.values(template.Resources).find((r) => r.Type === 'AWS::EKS::Nodegroup');
    (ng?.Properties as Record<string, unknown>).InstanceTypes = ['x9.huge'];
    const e = estimateCost({ templates: [template], region: 'eu-west-1', prices: PRICES });
    const nodes = lineOf(e, 'AWS::EKS::Nodegroup', 'EC2');
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
    expect(lineOf(e, 'AWS::EKS::Nodegroup', 'EC2').unitPrice).toBe(ec2Price('eu-west-1', 't3a.xlarge'));
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
    expect(lineOf(estimate({ s3AccessKey: true }), 'AWS::SecretsManager::Secret').quantity).toBe(2);
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
