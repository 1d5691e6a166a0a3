/**
 * pricing/aws-prices.json keeps its conventions: every region has the default region's price keys,
 * every figure names a source the table lists and says how sure it is, a confirmed figure added
 * since the first table names where it was seen, and an unknown figure is null with a reason.
 */
import { loadPriceTable, type PriceEntry } from '../../../scripts/estimate/price-table';

const TABLE = loadPriceTable();
const entries = (region: string): [string, PriceEntry][] =>
  Object.entries(TABLE.regions[region]).flatMap(([key, v]) =>
    'usd' in v
      ? [[key, v as PriceEntry]]
      : Object.entries(v as Record<string, PriceEntry>).map(([sub, e]) => [`${key} ${sub}`, e]),
  ) as [string, PriceEntry][];

test('retrieved is a date, and the eight regions are there', () => {
  expect(TABLE.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(Object.keys(TABLE.regions)).toEqual([
    'us-east-1',
    'eu-west-1',
    'eu-central-1',
    'us-east-2',
    'us-west-2',
    'eu-west-2',
    'ap-southeast-1',
    'ap-northeast-1',
  ]);
});

describe.each(Object.keys(TABLE.regions))('%s', (region) => {
  test('has every price key of the default region', () => {
    expect(Object.keys(TABLE.regions[region]).sort()).toEqual(
      Object.keys(TABLE.regions[TABLE.defaultRegion]).sort(),
    );
  });

  test('every figure: a listed source; a status, or null with a reason', () => {
    for (const [key, e] of entries(region)) {
      expect([key, e.src in TABLE.sources]).toEqual([key, true]);
      if (e.usd === null) {
        expect([key, e.status, typeof e.note]).toEqual([key, undefined, 'string']);
      } else {
        expect([key, ['confirmed', 'unconfirmed'].includes(e.status as string)]).toEqual([key, true]);
      }
    }
  });
});
