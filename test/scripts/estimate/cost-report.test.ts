/**
 * Issue 14, item 10: what `npm run cost` prints. The quantity column says what a month bills (hours
 * per month for hourly units), and a region without prices says so instead of printing a total.
 */
import type { CfnTemplate } from '../../../scripts/estimate/cloud-assembly';
import { estimateCost } from '../../../scripts/estimate/cost-model';
import { renderEstimate } from '../../../scripts/estimate/cost-report';
import { loadPriceTable } from '../../../scripts/estimate/price-table';
import { synth } from '../../lib/fixtures';

const PRICES = loadPriceTable();
const report = (region: string, settings: Record<string, unknown> = {}) =>
  renderEstimate(
    estimateCost({ templates: [synth(settings).template.toJSON() as CfnTemplate], region, prices: PRICES }),
    'test',
  );
/** The quantity cell of the line whose item starts with `item`. */
const quantity = (text: string, item: string) =>
  new RegExp(`${item.replace(/[()]/g, '\\$&')}[^\\n]*?\\s{2,}(\\S[^\\n]*?)\\s{2,}\\$`, 'm').exec(text)?.[1];

test('[example] a month of one cluster reads 730 cluster-hours/month, not 1 cluster-hour', () => {
  const text = report('us-east-1');
  expect(quantity(text, 'EKS control plane (standard support)')).toBe('730 cluster-hours/month');
  expect(text).not.toMatch(/\b1 cluster-hour\b/);
});

test('every hourly line is hours per month; node lines at the deployed count (2 system nodes)', () => {
  const text = report('us-east-1', { systemNodeCount: 2 });
  expect(quantity(text, 'EC2 t3a.medium nodes (system pool)')).toBe('1,460 instance-hours/month');
  expect(quantity(text, 'EC2 t3a.xlarge nodes (spark pool)')).toBe('0 instance-hours/month');
  expect(quantity(text, 'NAT gateway hours')).toBe('730 gateway-hours/month');
  expect(quantity(text, 'public IPv4 addresses (Elastic IPs)')).toBe('730 address-hours/month');
  expect(quantity(text, 'RDS mysql db.t4g.micro single-AZ')).toBe('730 instance-hours/month');
  expect(quantity(text, 'NAT data processing (assumed)')).toBe('50 GB/month');
  expect(quantity(text, 'Secrets Manager secrets')).toBe('3 secret-months');
});

test('[example] a region with no prices says plainly that it is unpriced and why, and prints no figure', () => {
  const text = report('ap-south-1');
  expect(text).toContain(
    'ap-south-1 is UNPRICED: pricing/aws-prices.json has no prices for ap-south-1; it has us-east-1, eu-west-1, eu-central-1, us-east-2, us-west-2, eu-west-2, ap-southeast-1, ap-northeast-1',
  );
  expect(text).not.toMatch(/>= \$/);
  expect(text).toMatch(
    /idle \(no pipeline running\)\s+1 \(system 1, spark 0\)\s+running\s+unpriced\s+unpriced/,
  );
});

test.each(['us-east-2', 'us-west-2', 'eu-west-2', 'ap-southeast-1', 'ap-northeast-1'])(
  'the regions users most often deploy to are priced: %s',
  (region) => {
    const text = report(region);
    expect(text).not.toMatch(/UNPRICED/);
    expect(text).toMatch(/idle \(no pipeline running\)\s+1 \(system 1, spark 0\)\s+running\s+\$\d/);
  },
);
