/**
 * Settings loading for the scripts, resolved exactly as the app resolves them (lib/app.ts):
 * cdk.json context, then `-c key=value` flags, then ZENML_SPARK_* environment variables, through
 * lib/settings' reader and validation. Also where the repository root is.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, type EnvironmentConfig, resolveConfig } from '../../lib/settings/config';
import { readRawSettings } from '../../lib/settings/read-settings';
import { CliError, EXIT } from './cli';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The `context` object of cdk.json (settings and feature flags). */
export function cdkJsonContext(root = REPO_ROOT): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8'));
  return cdkJson.context ?? {};
}

/** Parses repeated `-c key=value` / `--context key=value` pairs; throws on a malformed pair. */
export function parseContextPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`-c ${pair}: expected key=value, e.g. -c nodeMinSize=2`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

export function loadSettings(
  cliContext: Record<string, string> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): EnvironmentConfig {
  const context = { ...cdkJsonContext(), ...cliContext };
  return resolveConfig(readRawSettings(context, env, (key) => contextSourceOf(key, cliContext)));
}

/** Where a context value the scripts read came from: a `-c` flag wins over cdk.json. */
export function contextSourceOf(key: string, cliContext: Readonly<Record<string, string>>): string {
  return key in cliContext ? '-c' : 'cdk.json';
}

/**
 * The app's settings with the `-c key=value` flags applied: a bad setting is one CliError (exit 1),
 * a malformed pair a usage error (exit 2).
 */
export function settingsFromFlags(
  context: readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { cliContext: Record<string, string>; config: EnvironmentConfig } {
  let cliContext: Record<string, string>;
  try {
    cliContext = parseContextPairs(context ?? []);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.usage);
  }
  try {
    return { cliContext, config: loadSettings(cliContext, env) };
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
}
