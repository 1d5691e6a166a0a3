/**
 * What `npm run synth` leaves beside its output (cdk.out/ and dist/), so that every command that
 * reads that output can tell whether it comes from a successful synth of the current settings:
 * the status (ok, or failed), the hash of the resolved settings (and the settings themselves, to
 * name what differs), the versions of the tools that made it, a hash of the code that builds the
 * app, and a hash of the output files themselves (another `cdk synth` or `cdk deploy` rewrites
 * cdk.out without a stamp: the content no longer matches).
 *
 * A synth marks both directories failed before it starts and writes `ok` only when everything
 * succeeded; readers call requireCurrent, which refuses anything else with one line saying why.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentConfig } from '../../lib/settings/config';
import { CliError } from './cli';
import { REPO_ROOT } from './settings';

/** The stamp's file name in cdk.out/ and dist/: no .json/.yaml extension, so no gate parses it. */
export const STAMP_FILE = '.zenml-spark-synth';

export type OutputKind = 'cdk.out' | 'dist';

export interface SynthStamp {
  readonly status: 'ok' | 'failed';
  readonly kind: OutputKind;
  readonly writtenAt: string;
  /** Why the synth failed (first line), for `failed`. */
  readonly failure?: string;
  readonly settingsHash?: string;
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly tools?: Readonly<Record<string, string>>;
  readonly sourceHash?: string;
  readonly contentHash?: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The resolved settings as a stable object (sorted keys, undefined dropped) and its hash. */
export function settingsFingerprint(config: EnvironmentConfig): {
  settings: Record<string, unknown>;
  hash: string;
} {
  const settings = Object.fromEntries(
    Object.entries(config)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return { settings, hash: sha256(JSON.stringify(settings)) };
}

/** Versions of what turns the code into templates and manifests (Node recorded, not compared). */
export function toolVersions(): Record<string, string> {
  const version = (pkg: string) =>
    JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`, { paths: [REPO_ROOT] }), 'utf8'))
      .version as string;
  return {
    'aws-cdk-lib': version('aws-cdk-lib'),
    'aws-cdk': version('aws-cdk'),
    cdk8s: version('cdk8s'),
    'cdk8s-plus-33': version('cdk8s-plus-33'),
    node: process.version,
  };
}

/** The code that builds the app and its manifests: bin/, lib/, k8s/, cdk.json and the lock file. */
export function sourceHash(root = REPO_ROOT): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(rel);
    }
  };
  for (const dir of ['bin', 'lib', 'k8s']) walk(dir);
  files.push('cdk.json', 'package-lock.json');
  const hash = createHash('sha256');
  for (const f of files.sort())
    hash
      .update(`${f}\0`)
      .update(fs.readFileSync(path.join(root, f)))
      .update('\0');
  return hash.digest('hex');
}

/**
 * The output files a stamp vouches for: the top level of the directory (cdk.out: manifest, tree,
 * templates and asset manifests, which name every asset by its content hash; dist: one YAML file
 * per chart). Subdirectories are not synth output of their own (render-manifests writes
 * dist/deployed/).
 */
export function contentHash(dir: string): string {
  const hash = createHash('sha256');
  const files = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== STAMP_FILE)
    .map((e) => e.name)
    .sort();
  for (const f of files)
    hash
      .update(`${f}\0`)
      .update(fs.readFileSync(path.join(dir, f)))
      .update('\0');
  return hash.digest('hex');
}

export function readStamp(dir: string): SynthStamp | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STAMP_FILE), 'utf8')) as SynthStamp;
  } catch {
    return undefined;
  }
}

/** After a successful synth: the stamp that vouches for `dir`. */
export function writeOkStamp(dir: string, kind: OutputKind, config: EnvironmentConfig): void {
  const { settings, hash } = settingsFingerprint(config);
  const stamp: SynthStamp = {
    status: 'ok',
    kind,
    writtenAt: new Date().toISOString(),
    settingsHash: hash,
    settings,
    tools: toolVersions(),
    sourceHash: sourceHash(),
    contentHash: contentHash(dir),
  };
  fs.writeFileSync(path.join(dir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
}

/** Before a synth, and when it fails: whatever `dir` holds is not to be used. */
export function markFailed(dir: string, kind: OutputKind, failure: string): void {
  if (!fs.existsSync(dir)) return;
  const stamp: SynthStamp = {
    status: 'failed',
    kind,
    writtenAt: new Date().toISOString(),
    failure: failure.split('\n')[0],
  };
  fs.writeFileSync(path.join(dir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
}

/** Why `dir` is not the output of a successful synth of `config` with this code; undefined when it is. */
export function staleReason(dir: string, kind: OutputKind, config: EnvironmentConfig): string | undefined {
  const shown = path.relative(process.cwd(), dir) || '.';
  if (!fs.existsSync(dir)) return `${shown}/ does not exist: run npm run synth`;
  const stamp = readStamp(dir);
  if (!stamp) {
    return `${shown}/ has no synth stamp (written by another command, such as cdk synth or cdk deploy, or before stamps existed): run npm run synth`;
  }
  if (stamp.kind !== kind)
    return `${shown}/ holds the stamp of a ${stamp.kind}, not of a ${kind}: run npm run synth`;
  if (stamp.status !== 'ok') {
    return `${shown}/ is from a failed synth (${stamp.writtenAt}: ${stamp.failure ?? 'unknown error'}): fix it and run npm run synth`;
  }
  const { settings, hash } = settingsFingerprint(config);
  if (stamp.settingsHash !== hash) {
    const keys = [...new Set([...Object.keys(settings), ...Object.keys(stamp.settings ?? {})])].sort();
    const differ = keys
      .filter((k) => JSON.stringify(settings[k]) !== JSON.stringify(stamp.settings?.[k]))
      .map((k) => `${k} ${JSON.stringify(stamp.settings?.[k])} there, ${JSON.stringify(settings[k])} now`);
    return `${shown}/ was synthesized with other settings (${differ.join('; ')}): run npm run synth with these settings, or pass the same -c flags here`;
  }
  const tools = toolVersions();
  const changed = Object.keys(tools)
    .filter((t) => t !== 'node' && stamp.tools?.[t] !== tools[t])
    .map((t) => `${t} ${stamp.tools?.[t]} there, ${tools[t]} now`);
  if (changed.length > 0)
    return `${shown}/ was synthesized with other tools (${changed.join('; ')}): run npm run synth`;
  if (stamp.sourceHash !== sourceHash()) {
    return `${shown}/ was synthesized before the code in bin/, lib/, k8s/ or cdk.json changed: run npm run synth`;
  }
  if (stamp.contentHash !== contentHash(dir)) {
    return `${shown}/ changed after npm run synth wrote it (another cdk synth or cdk deploy writes cdk.out/): run npm run synth`;
  }
  return undefined;
}

/** For the commands that read cdk.out/ or dist/: one CliError (exit 1) unless the output is current. */
export function requireCurrent(dir: string, kind: OutputKind, config: EnvironmentConfig): void {
  const reason = staleReason(dir, kind, config);
  if (reason) throw new CliError(`refusing: ${reason}`);
}
