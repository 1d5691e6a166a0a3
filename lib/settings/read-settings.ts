/**
 * The only code that reads settings from the outside world: CDK context (cdk.json and `-c`)
 * and `ZENML_SPARK_*` environment variables. Environment variables win over context so a shell
 * can override the committed cdk.json without editing it.
 */
import { envVarName, type RawSettings, SETTING_NAMES } from './config';

const ENV_PREFIX = 'ZENML_SPARK_';

export function readRawSettings(
  context: (key: string) => unknown,
  env: Readonly<Record<string, string | undefined>>,
): RawSettings {
  const raw: RawSettings = {};
  const byEnvName = new Map(SETTING_NAMES.map((name) => [envVarName(name), name]));
  for (const name of SETTING_NAMES) {
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
