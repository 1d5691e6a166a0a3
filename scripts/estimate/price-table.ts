/**
 * The offline price table (pricing/aws-prices.json: on-demand list prices with their sources and
 * the date they were recorded) and how prices are printed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type PriceStatus = 'confirmed' | 'unconfirmed';

export interface PriceEntry {
  /** null: not known for this region. */
  readonly usd: number | null;
  readonly src: string;
  readonly status?: PriceStatus;
  readonly note?: string;
  /** For a confirmed figure: where it was seen (a URL, or `code-index:<id> (...)`). */
  readonly seen?: readonly string[];
  /** For an unconfirmed one: sources that support it indirectly. */
  readonly seen_related?: readonly string[];
}

export type RegionPrices = Readonly<Record<string, PriceEntry | Readonly<Record<string, PriceEntry>>>>;

export interface PriceTable {
  readonly currency: string;
  readonly retrieved: string;
  readonly hoursPerMonth: number;
  readonly defaultRegion: string;
  readonly sources: Readonly<
    Record<
      string,
      {
        readonly url: string;
        readonly corroboration?: string;
        /** Quotes found in later research, with the regions each covers. */
        readonly additional?: readonly { url: string; quote: string; regions: string[]; note?: string }[];
      }
    >
  >;
  readonly regions: Readonly<Record<string, RegionPrices>>;
}

export const PRICE_TABLE_FILE = path.resolve(__dirname, '..', '..', 'pricing', 'aws-prices.json');

export function loadPriceTable(file = PRICE_TABLE_FILE): PriceTable {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as PriceTable;
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
