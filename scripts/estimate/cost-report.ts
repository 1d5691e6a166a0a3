/**
 * Text rendering of a cost estimate: the full report of `npm run cost` and the short block the
 * main synth command ends with.
 */
import type { EnvironmentConfig } from '../../lib/settings/config';
import { table } from '../lib/table';
import type { CloudAssemblySummary } from './cloud-assembly';
import { type CostEstimate, estimateCost, type LineItem, type NodeScenario } from './cost-model';
import { loadPriceTable, unitUsd, usd } from './price-table';

const UNCONFIRMED_MARK = '*';

function unitPriceCell(l: LineItem): string {
  if (l.unitPrice === null) return 'unpriced';
  return `${unitUsd(l.unitPrice)}/${l.unit}${l.priceStatus === 'unconfirmed' ? UNCONFIRMED_MARK : ''}`;
}

const count = (x: number) =>
  x.toLocaleString('en-US', { maximumFractionDigits: Number.isInteger(x) ? 0 : 2 });

/**
 * What a line bills per month: an hourly unit as hours per month (`730 cluster-hours/month`, 1,460
 * for two nodes), a transfer as `50 GB/month`, a monthly unit as its count (`2 secret-months`).
 */
export function quantityCell(l: LineItem): string {
  if (l.unit.endsWith('-hour')) return `${count(l.unitsPerMonth)} ${l.unit}s/month`;
  if (l.unit === 'GB') return `${count(l.unitsPerMonth)} GB/month`;
  return `${count(l.unitsPerMonth)} ${l.unit}${l.unitsPerMonth === 1 ? '' : 's'}`;
}

/** A total that is only a lower bound when something is unpriced says so; nothing priced is no figure. */
function totalCell(monthly: number, e: CostEstimate): string {
  if (!e.regionPriced || (e.unpriced.length > 0 && monthly === 0)) return 'unpriced';
  return e.unpriced.length > 0 ? `>= ${usd(monthly)}` : usd(monthly);
}

export function renderEstimate(e: CostEstimate, origin: string): string {
  const out: string[] = [];
  out.push(`zenml-spark-eks: monthly cost estimate, ${e.region} (${e.regionSource})`);
  out.push(
    `  prices   pricing/aws-prices.json, retrieved ${e.pricesRetrieved} (on-demand list prices, ${e.currency})`,
  );
  out.push(`  template ${origin}`);
  if (!e.regionPriced) {
    out.push(
      `\n${e.region} is UNPRICED: ${e.unpricedRegionReason}. No total is shown; quantities below are still counted.`,
    );
  }

  out.push('\nLine items (node lines at the size the template deploys: idle)');
  out.push(
    table(
      ['resource type', 'item', 'quantity', 'unit price', 'monthly'],
      e.lines.map((l, i) => [
        i > 0 && e.lines[i - 1].group === l.group ? '' : l.group,
        l.item,
        quantityCell(l),
        unitPriceCell(l),
        usd(l.monthly),
      ]),
    ),
  );

  const byType = new Map<string, { monthly: number; unpriced: boolean }>();
  for (const l of e.lines) {
    const prev = byType.get(l.group) ?? { monthly: 0, unpriced: false };
    byType.set(l.group, {
      monthly: prev.monthly + (l.monthly ?? 0),
      unpriced: prev.unpriced || l.monthly === null,
    });
  }
  const idle = e.scenarios.idle.monthly;
  out.push('\nMonthly total by resource type (idle)');
  out.push(
    table(
      ['resource type', 'monthly', 'share'],
      [...byType.entries()]
        .sort((a, b) => b[1].monthly - a[1].monthly)
        .map(([type, v]) => [
          type,
          v.unpriced ? (v.monthly > 0 ? `>= ${usd(v.monthly)}` : 'unpriced') : usd(v.monthly),
          idle > 0 ? `${((v.monthly / idle) * 100).toFixed(1)}%` : '-',
        ]),
    ),
  );

  out.push('\nWhat the environment costs per month, by the state it spends the month in');
  out.push(
    table(
      ['state', 'nodes', 'database', 'monthly', 'per day'],
      stateRows(e).map(([label, sc]) => [
        label,
        nodesCell(sc),
        sc.databaseRunning ? 'running' : 'stopped',
        totalCell(sc.monthly, e),
        totalCell(Math.round((sc.monthly / (e.hoursPerMonth / 24)) * 100) / 100, e),
      ]),
    ),
  );

  if (!e.regionPriced) {
    out.push(`\nUNPRICED: all ${e.unpriced.length} lines that need a price (${e.unpricedRegionReason})`);
  } else if (e.unpriced.length > 0) {
    out.push(`\nUNPRICED (${e.unpriced.length}): totals above leave these out and are lower bounds`);
    for (const l of e.unpriced) out.push(`  - ${l.group}: ${l.item} (${quantityCell(l)}): ${l.note ?? ''}`);
  }
  if (e.unconfirmedPrices > 0) {
    out.push(
      `\n${UNCONFIRMED_MARK} ${e.unconfirmedPrices} line(s) use a price not re-checked offline; see the status field in pricing/aws-prices.json.`,
    );
  }
  out.push('\nAssumptions');
  for (const a of e.assumptions) out.push(`  - ${a}`);
  const notes = e.lines.filter((l) => l.note && l.monthly !== null);
  if (notes.length > 0) {
    out.push('\nNotes');
    for (const l of notes) out.push(`  - ${l.item}: ${l.note}`);
  }
  return out.join('\n');
}

/** The states, in the order every report lists them. */
function stateRows(e: CostEstimate): Array<[string, NodeScenario]> {
  return [
    ['idle (no pipeline running)', e.scenarios.idle],
    ["running (one pipeline's Spark nodes)", e.scenarios.running],
    ['maximum (every pool at its maximum)', e.scenarios.max],
    ['paused (npm run pause)', e.scenarios.paused],
  ];
}

/** `3 (system 1, spark 2)`: the total and each pool's share. */
export function nodesCell(sc: NodeScenario): string {
  const pools = Object.entries(sc.byPool);
  if (pools.length <= 1) return String(sc.nodes);
  return `${sc.nodes} (${pools.map(([pool, n]) => `${pool} ${n}`).join(', ')})`;
}

/**
 * The monthly estimate the main synth command ends its summary with, from the templates it just
 * synthesized and the resolved settings.
 */
export function costSummaryLines(assembly: CloudAssemblySummary, config: EnvironmentConfig): string[] {
  const e = estimateCost({
    templates: assembly.stacks.map((s) => s.template),
    region: config.region,
    prices: loadPriceTable(),
  });
  const s = e.scenarios;
  if (!e.regionPriced) {
    return [`\nMonthly estimate: ${e.region} is unpriced: ${e.unpricedRegionReason}.`];
  }
  const lines = [
    `\nMonthly estimate, ${e.region}${config.region ? '' : ' (no region set: default)'}, on-demand prices of ${e.pricesRetrieved}`,
    table(
      ['state', 'nodes', 'monthly'],
      [
        ['idle (no pipeline running)', nodesCell(s.idle), totalCell(s.idle.monthly, e)],
        ['paused (npm run pause)', nodesCell(s.paused), totalCell(s.paused.monthly, e)],
        ['maximum', nodesCell(s.max), totalCell(s.max.monthly, e)],
      ],
    ),
  ];
  if (e.unpriced.length > 0) {
    lines.push(`  unpriced: ${e.unpriced.map((l) => `${l.group} (${l.item})`).join('; ')}`);
  }
  lines.push('  line items, sources and assumptions: npm run cost (with the same -c flags)');
  return lines;
}
