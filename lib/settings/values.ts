/**
 * How one raw setting value becomes a typed one: the kinds of setting, their coercion from what
 * cdk.json (JSON), `-c key=value` and the environment (strings) give, and the value checks that
 * more than one rule of config.ts uses. Pure functions, no settings knowledge.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';

export type Kind = 'string' | 'optionalString' | 'integer' | 'boolean' | 'cidrList' | 'stringList';

/** Instance classes and sizes aws-cdk-lib knows: a value outside them is a typo or an unreleased type. */
const INSTANCE_CLASSES = new Set<string>(Object.values(ec2.InstanceClass));
const INSTANCE_SIZES = new Set<string>(Object.values(ec2.InstanceSize));

export function isKnownInstanceType(type: string): boolean {
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)$/.exec(type);
  return !!m && INSTANCE_CLASSES.has(m[1]) && INSTANCE_SIZES.has(m[2]);
}

/** An AWS region name such as eu-west-1 (also us-gov-west-1, the iso partitions). */
export function isRegionName(name: string): boolean {
  return /^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(name);
}

/** Parses `a.b.c.d/n`, returning null when malformed. */
export function parseIpv4Cidr(cidr: string): { address: number; prefix: number } | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return null;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 32 - prefix;
  // Host bits must be zero: 10.0.0.1/16 is almost always a typo for an address.
  if (hostBits > 0 && address % 2 ** hostBits !== 0) return null;
  return { address, prefix };
}

export const INVALID = Symbol('invalid');

export function coerce(kind: Kind, value: unknown): unknown {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : INVALID;
    case 'optionalString':
      if (typeof value !== 'string') return INVALID;
      return value.trim() === '' ? undefined : value.trim();
    case 'integer': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^-?\d+$/.test(value.trim())
            ? Number(value)
            : NaN;
      return Number.isInteger(n) ? n : INVALID;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true') return true;
      if (value === 'false') return false;
      return INVALID;
    case 'cidrList':
    case 'stringList':
      return coerceList(value);
  }
}

/** Lists come as JSON arrays (cdk.json), or as JSON or comma-separated strings (`-c`, env). */
function coerceList(value: unknown): string[] | typeof INVALID {
  let v = value;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s.startsWith('[')) {
      try {
        v = JSON.parse(s);
      } catch {
        return INVALID;
      }
    } else {
      v = s === '' ? [] : s.split(',').map((x) => x.trim());
    }
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) return INVALID;
  return v as string[];
}

export function expectation(kind: Kind): string {
  switch (kind) {
    case 'string':
    case 'optionalString':
      return 'a string';
    case 'integer':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'cidrList':
      return 'a list of IPv4 CIDRs, as a JSON array or comma-separated';
    case 'stringList':
      return 'a list of strings, as a JSON array or comma-separated';
  }
}

/** The first and last address of a parsed CIDR, as numbers. */
function rangeOf(cidr: { address: number; prefix: number }): [number, number] {
  return [cidr.address, cidr.address + 2 ** (32 - cidr.prefix) - 1];
}

/** Whether `outer` contains every address of `inner` (both valid IPv4 CIDRs). */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseIpv4Cidr(outer);
  const i = parseIpv4Cidr(inner);
  if (!o || !i) return false;
  const [oFirst, oLast] = rangeOf(o);
  const [iFirst, iLast] = rangeOf(i);
  return oFirst <= iFirst && iLast <= oLast;
}

/**
 * Address ranges no connection from the internet ever comes from (RFC 6890): a public endpoint
 * never sees them as a source address.
 */
export const NON_PUBLIC_RANGES: Readonly<Record<string, string>> = {
  '0.0.0.0/8': 'this network (RFC 1122)',
  '10.0.0.0/8': 'private (RFC 1918)',
  '100.64.0.0/10': 'carrier-grade NAT shared space (RFC 6598)',
  '127.0.0.0/8': 'loopback',
  '169.254.0.0/16': 'link-local',
  '172.16.0.0/12': 'private (RFC 1918)',
  '192.168.0.0/16': 'private (RFC 1918)',
  '224.0.0.0/3': 'multicast and reserved',
};

/** The non-public range a CIDR lies inside, with what it is (e.g. `10.0.0.0/8, private (RFC 1918)`). */
export function nonPublicRangeOf(cidr: string): string | undefined {
  for (const [range, what] of Object.entries(NON_PUBLIC_RANGES)) {
    if (cidrContains(range, cidr)) return `${range}, ${what}`;
  }
  return undefined;
}

/**
 * A CIDR that opens a port to the internet at large: 0.0.0.0/0, or anything wider than a /8 (such
 * as the 0.0.0.0/1 + 128.0.0.0/1 pair that covers the same addresses). A /8 and narrower is an
 * organisation's range (a VPN's 10.0.0.0/8, a provider's block).
 */
export function isInternetWide(cidr: string): boolean {
  const parsed = parseIpv4Cidr(cidr);
  return parsed !== null && parsed.prefix < 8;
}

/** Levenshtein distance, for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * The candidate closest to `value`, ignoring case, when it is close enough to be a typo (at most a
 * third of the value's length, and at most 4 edits); undefined otherwise.
 */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  const limit = Math.min(4, Math.max(1, Math.floor(value.length / 3)));
  return best && best.distance <= limit ? best.candidate : undefined;
}
