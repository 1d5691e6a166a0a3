/**
 * Maps what the external tools report (a template file and a logical id) back to what a reviewer
 * reads and what the constructs acknowledge (a construct path), using the cloud assembly's own
 * metadata. Logical ids carry hashes and change with refactors; construct paths are the names the
 * code gives, so the acknowledgement files use those.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface StackIndex {
  readonly artifactId: string;
  readonly templateFile: string;
  /** logical id -> construct path without the leading slash and the L1 leaf (`/Resource`, `/Default`). */
  readonly constructPaths: ReadonlyMap<string, string>;
}

export interface AssemblyIndex {
  readonly outDir: string;
  readonly stacks: readonly StackIndex[];
  /** construct path (normalized) -> acknowledged rule id -> reason, from `aws:cdk:acknowledged-rules`. */
  readonly synthAcknowledgements: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

type MetadataEntry = { type: string; data: unknown };

/** `/ZenmlSpark/ArtifactStore/Bucket/Resource` -> `ZenmlSpark/ArtifactStore/Bucket`. */
export function normalizeConstructPath(p: string): string {
  return p.replace(/^\/+/, '').replace(/\/(Resource|Default)$/, '');
}

export function readAssemblyIndex(outDir: string): AssemblyIndex {
  const manifestPath = path.join(outDir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new Error(`${manifestPath} not found: run the main synth command (npm run synth) first`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const stacks: StackIndex[] = [];
  const acks = new Map<string, Map<string, string>>();
  for (const [artifactId, artifact] of Object.entries<{
    type: string;
    properties?: { templateFile?: string };
    metadata?: Record<string, MetadataEntry[]>;
  }>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const metadataFile = path.join(outDir, `${artifactId}.metadata.json`);
    const metadata: Record<string, MetadataEntry[]> = fs.existsSync(metadataFile)
      ? JSON.parse(fs.readFileSync(metadataFile, 'utf8'))
      : (artifact.metadata ?? {});
    const constructPaths = new Map<string, string>();
    for (const [constructPath, entries] of Object.entries(metadata)) {
      for (const e of entries) {
        if (e.type === 'aws:cdk:logicalId' && typeof e.data === 'string') {
          constructPaths.set(e.data, normalizeConstructPath(constructPath));
        } else if (e.type === 'aws:cdk:acknowledged-rules' && e.data && typeof e.data === 'object') {
          const key = constructPath.replace(/^\/+/, '');
          const byId = acks.get(key) ?? new Map<string, string>();
          for (const [id, value] of Object.entries(e.data as Record<string, unknown>)) {
            byId.set(id, reasonOf(value));
          }
          acks.set(key, byId);
        }
      }
    }
    stacks.push({ artifactId, templateFile: artifact.properties.templateFile, constructPaths });
  }
  return { outDir, stacks, synthAcknowledgements: acks };
}

function reasonOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'reason' in value)
    return String((value as { reason: unknown }).reason);
  return JSON.stringify(value);
}

/** The construct path of a logical id in a template file (basename as the tools print it). */
export function resourceName(index: AssemblyIndex, templateFile: string, logicalId: string): string {
  const base = path.basename(templateFile);
  const stack = index.stacks.find((s) => path.basename(s.templateFile) === base);
  return stack?.constructPaths.get(logicalId) ?? `${base}#${logicalId}`;
}

/**
 * The reason of a synth acknowledgement with this id on the construct or one of its ancestors
 * (aws-cdk-lib applies an acknowledgement to the construct's whole subtree).
 */
export function synthAcknowledgement(index: AssemblyIndex, resource: string, id: string): string | undefined {
  const parts = resource.split('/');
  for (let n = parts.length + 1; n > 0; n--) {
    // +1: the acknowledgement may sit on the L1 leaf itself (…/Resource).
    const candidates =
      n > parts.length ? [`${resource}/Resource`, `${resource}/Default`] : [parts.slice(0, n).join('/')];
    for (const c of candidates) {
      const reason = index.synthAcknowledgements.get(c)?.get(id);
      if (reason !== undefined) return reason;
    }
  }
  return undefined;
}
