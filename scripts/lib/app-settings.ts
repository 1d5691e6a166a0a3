/**
 * Resolves the app's settings outside the CDK app, exactly as bin/app.ts does: cdk.json context,
 * then `-c key=value` flags, then ZENML_SPARK_* environment variables, validated by resolveConfig.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type EnvironmentConfig, resolveConfig } from '../../lib/settings/config';
import { readRawSettings } from '../../lib/settings/read-settings';

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
  return resolveConfig(readRawSettings((key) => context[key], env));
}
