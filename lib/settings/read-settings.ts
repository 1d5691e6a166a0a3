/**
 * The only code that reads settings from the outside world: CDK context (cdk.json and `-c`)
 * and `ZENML_SPARK_*` environment variables. Environment variables win over context so a shell
 * can override the committed cdk.json without editing it.
 */
import { envVarName, type RawSettings, REMOVED_SETTINGS, SETTING_NAMES } from './config';

const ENV_PREFIX = 'ZENML_SPARK_';

export function readRawSettings(
  context: (key: string) => unknown,
  env: Readonly<Record<string, string | undefined>>,
): RawSettings {
  const raw: RawSettings = {};
  // Removed settings are read too, so that a leftover value is reported instead of ignored.
  const names = [...SETTING_NAMES, ...Object.keys(REMOVED_SETTINGS)] as typeof SETTING_NAMES;
  const byEnvName = new Map(names.map((name) => [envVarName(name), name]));
  for (const name of names) {
    const value = context(name);
    if (value !== undefined) raw[name] = { value, source: 'context (cdk.json or -c)' };
  }
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(ENV_PREFIX) || value === undefined) continue;
    const name = byEnvName.get(key);
    // An unknown ZENML_SPARK_* variable is reported by resolveConfig as an unknown setting.
    raw[name ?? key] = { value, source: `environment ${key}` };
  }
  return raw;
}
