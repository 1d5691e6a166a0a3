/**
 * The only code that reads settings from the outside world: CDK context (cdk.json and `-c`)
 * and `ZENML_SPARK_*` environment variables. Environment variables win over context so a shell
 * can override the committed cdk.json without editing it.
 *
 * It reads the whole context, not only the settings' keys: a context key that is neither a setting
 * nor one the CDK owns is passed on as an unknown setting, which resolveConfig rejects, exactly as
 * it rejects an unknown ZENML_SPARK_* variable. A typo in `-c` or cdk.json cannot go unnoticed.
 */
import {
  ENV_PREFIX,
  ENV_SOURCE,
  envVarName,
  type RawSettings,
  REMOVED_SETTINGS,
  SETTING_NAMES,
} from './config';

/**
 * Context keys without ':' or a leading '@' that the CDK CLI itself writes to cdk.context.json and
 * hands to every app (CDK_CONTEXT_JSON): `cdk acknowledge <id>` and `cdk cli-telemetry --disable`.
 */
export const CDK_OWNED_CONTEXT_KEYS: readonly string[] = ['acknowledged-issue-numbers', 'cli-telemetry'];

/**
 * Keys the CDK owns: feature flags (`@aws-cdk/...`), its own switches (`aws:cdk:...`), lookup
 * results (`availability-zones:account=...:region=...`), and the two plain keys above.
 */
export function isCdkOwnedContextKey(key: string): boolean {
  return key.startsWith('@') || key.includes(':') || CDK_OWNED_CONTEXT_KEYS.includes(key);
}

/**
 * Where a context value came from when the caller cannot tell: the CDK CLI hands the app cdk.json,
 * `-c` and cdk.context.json as one object (CDK_CONTEXT_JSON).
 */
export const MERGED_CONTEXT_SOURCE = 'context (cdk.json or -c)';

/**
 * @param context every context key and value the app sees (App.node.getAllContext(), or cdk.json
 *   `context` with the `-c` pairs over it)
 * @param contextSource where a context key's value came from, for messages, when the caller knows
 *   (the scripts read cdk.json and the `-c` flags apart)
 */
export function readRawSettings(
  context: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  contextSource: (key: string) => string = () => MERGED_CONTEXT_SOURCE,
): RawSettings {
  const raw: RawSettings = {};
  // Removed settings are known too, so that a leftover value is reported as removed, not ignored.
  const names = [...SETTING_NAMES, ...Object.keys(REMOVED_SETTINGS)] as typeof SETTING_NAMES;
  const known = new Set<string>(names);
  const byEnvName = new Map(names.map((name) => [envVarName(name), name]));
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined || (!known.has(key) && isCdkOwnedContextKey(key))) continue;
    // An unknown key is reported by resolveConfig as an unknown setting.
    raw[key] = { value, source: contextSource(key) };
  }
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(ENV_PREFIX) || value === undefined) continue;
    const name = byEnvName.get(key);
    // An unknown ZENML_SPARK_* variable is reported by resolveConfig as an unknown setting.
    raw[name ?? key] = { value, source: `${ENV_SOURCE}${key}` };
  }
  return raw;
}
