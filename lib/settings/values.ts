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
