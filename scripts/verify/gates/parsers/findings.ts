/**
 * What every gate reports, and how a reviewed acknowledgement file turns a finding into an
 * acknowledged one. One shape for all gates, so "acknowledged" means the same thing everywhere:
 * one rule, named resources, a reason a reviewer accepted.
 */
import * as fs from 'node:fs';
import { parse as parseYaml } from 'yaml';

export interface Finding {
  /** Rule / check id as the tool names it: W3005, CKV_AWS_21, generic-api-key, strict-schema. */
  readonly rule: string;
  /**
   * What the finding is about, in the form acknowledgements name it: a construct path without its
   * `/Resource` leaf (ZenmlSpark/ArtifactStore/Bucket), `Kind/namespace/name` for Kubernetes, or a
   * root-qualified file path (repo:test/x.ts, cdk.out:ZenmlSpark.template.json) for the secret scan.
   */
  readonly resource: string;
  /** Where to look: file and line / template path, for the report. */
  readonly location: string;
  readonly message: string;
  readonly severity?: string;
  /** sha256 (hex, first 16) of the matched secret: lets an allowlist entry name one value only. */
  readonly fingerprint?: string;
  /** The matched secret itself; used only for computed allowlist checks, never printed. */
  readonly secret?: string;
}

export interface Acknowledgement {
  readonly rule: string;
  readonly resources: readonly string[];
  /** The reviewed reason; required unless `sameAs` supplies it. */
  readonly reason?: string;
  /**
   * An acknowledgement already on the construct for cdk-nag / cfn-guard / CloudFormation
   * validation (e.g. cdk-validator-cfnguard::s3_bucket_versioning_enabled_check): the same concern,
   * so its reason is reused, and it must really be there on each resource.
   */
  readonly sameAs?: string;
  /** Secret scan only: sha256 prefix of the one allowlisted value. */
  readonly fingerprint?: string;
  /** Secret scan only: a computed allowlist (the value must be what the name says). */
  readonly valueIs?: 'cdk-asset-hash';
}

export interface AcknowledgedFinding extends Finding {
  readonly reason: string;
}

export interface Triage {
  readonly unacknowledged: Finding[];
  readonly acknowledged: AcknowledgedFinding[];
  /** Acknowledgements that matched nothing: stale entries hide nothing today but would hide tomorrow. */
  readonly stale: { rule: string; resource: string }[];
  /** Entries that are malformed or whose `sameAs` does not hold; each is a gate failure. */
  readonly invalid: string[];
}

/** Resolves `sameAs`: the reason of that synth acknowledgement on the resource, if it is there. */
export type SynthAcknowledgementLookup = (resource: string, id: string) => string | undefined;

/** Optional checks of computed allowlist entries (`valueIs`). */
export type ValueCheck = (kind: NonNullable<Acknowledgement['valueIs']>, finding: Finding) => boolean;

const ENTRY_KEYS = new Set(['rule', 'resources', 'reason', 'sameAs', 'fingerprint', 'valueIs']);
const MIN_REASON = 20;

/** Parses and validates an acknowledgement file: a YAML list of entries. */
export function parseAcknowledgements(
  text: string,
  source: string,
): { entries: Acknowledgement[]; errors: string[] } {
  const doc = parseYaml(text) ?? [];
  const errors: string[] = [];
  if (!Array.isArray(doc)) return { entries: [], errors: [`${source}: expected a YAML list of entries`] };
  const entries: Acknowledgement[] = [];
  doc.forEach((raw: unknown, i: number) => {
    const where = `${source} entry ${i + 1}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      errors.push(`${where}: expected a mapping with rule, resources, reason`);
      return;
    }
    const e = raw as Record<string, unknown>;
    const unknownKeys = Object.keys(e).filter((k) => !ENTRY_KEYS.has(k));
    if (unknownKeys.length > 0) errors.push(`${where}: unknown key(s) ${unknownKeys.join(', ')}`);
    if (typeof e.rule !== 'string' || e.rule.trim() === '' || /[*?]/.test(e.rule)) {
      errors.push(`${where}: 'rule' must be one rule id (no wildcards)`);
      return;
    }
    const resources = e.resources;
    if (
      !Array.isArray(resources) ||
      resources.length === 0 ||
      !resources.every((r) => typeof r === 'string' && r.trim() !== '')
    ) {
      errors.push(`${where} (${e.rule}): 'resources' must be a non-empty list of resource names`);
      return;
    }
    if (resources.some((r: string) => r === '*' || r.endsWith('/*') || r.endsWith(':'))) {
      errors.push(`${where} (${e.rule}): name each resource; wildcards are not acknowledgements`);
      return;
    }
    const hasReason = typeof e.reason === 'string' && e.reason.trim().length >= MIN_REASON;
    if (!hasReason && typeof e.sameAs !== 'string') {
      errors.push(`${where} (${e.rule}): needs a 'reason' (at least ${MIN_REASON} characters) or 'sameAs'`);
      return;
    }
    if (e.valueIs !== undefined && e.valueIs !== 'cdk-asset-hash') {
      errors.push(
        `${where} (${e.rule}): valueIs '${String(e.valueIs)}' is unknown (allowed: cdk-asset-hash)`,
      );
      return;
    }
    if (e.fingerprint !== undefined && !/^[0-9a-f]{16}$/.test(String(e.fingerprint))) {
      errors.push(`${where} (${e.rule}): fingerprint must be 16 lowercase hex characters (sha256 prefix)`);
      return;
    }
    entries.push({
      rule: e.rule,
      resources: resources as string[],
      reason: hasReason ? (e.reason as string).trim() : undefined,
      sameAs: typeof e.sameAs === 'string' ? e.sameAs : undefined,
      fingerprint: e.fingerprint as string | undefined,
      valueIs: e.valueIs as Acknowledgement['valueIs'],
    });
  });
  return { entries, errors };
}

export function loadAcknowledgements(file: string): { entries: Acknowledgement[]; errors: string[] } {
  if (!fs.existsSync(file)) return { entries: [], errors: [] };
  return parseAcknowledgements(fs.readFileSync(file, 'utf8'), file);
}

function entryMatches(entry: Acknowledgement, finding: Finding, resource: string, valueCheck?: ValueCheck) {
  if (entry.rule !== finding.rule || resource !== finding.resource) return false;
  if (entry.fingerprint !== undefined && entry.fingerprint !== finding.fingerprint) return false;
  if (entry.valueIs !== undefined && !(valueCheck?.(entry.valueIs, finding) ?? false)) return false;
  return true;
}

/**
 * Splits findings into acknowledged and not. An entry acknowledges a finding when the rule is the
 * same, the finding's resource is one the entry names exactly (no prefixes, no globs), and, for
 * the secret scan, the fingerprint / computed value check holds.
 */
export function triage(
  findings: readonly Finding[],
  entries: readonly Acknowledgement[],
  options: { synthAcknowledgement?: SynthAcknowledgementLookup; valueCheck?: ValueCheck } = {},
): Triage {
  const used = new Set<string>();
  const invalid = new Set<string>();
  const unacknowledged: Finding[] = [];
  const acknowledged: AcknowledgedFinding[] = [];
  for (const finding of findings) {
    let reason: string | undefined;
    for (const entry of entries) {
      const resource = entry.resources.find((r) => entryMatches(entry, finding, r, options.valueCheck));
      if (resource === undefined) continue;
      let entryReason = entry.reason;
      if (entry.sameAs !== undefined) {
        const synthReason = options.synthAcknowledgement?.(finding.resource, entry.sameAs);
        if (synthReason === undefined) {
          invalid.add(
            `${entry.rule} on ${finding.resource}: sameAs '${entry.sameAs}' is not acknowledged on that construct in the synth`,
          );
          continue;
        }
        entryReason = entryReason ? `${entryReason} (${synthReason})` : `as ${entry.sameAs}: ${synthReason}`;
      }
      used.add(`${entry.rule}\u0000${resource}`);
      reason = entryReason;
      break;
    }
    if (reason === undefined) unacknowledged.push(finding);
    else acknowledged.push({ ...finding, reason });
  }
  const stale: Triage['stale'] = [];
  for (const entry of entries) {
    for (const resource of entry.resources) {
      if (!used.has(`${entry.rule}\u0000${resource}`)) stale.push({ rule: entry.rule, resource });
    }
  }
  return { unacknowledged, acknowledged, stale, invalid: [...invalid] };
}
