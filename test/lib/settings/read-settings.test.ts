/**
 * Issue 14, kind 1: one channel checked less than another. Every context key that is neither a
 * setting nor the CDK's own is rejected, with the known keys and a did-you-mean, exactly as an
 * unknown ZENML_SPARK_* variable is; whatever one channel rejects, every channel rejects.
 */
import { ConfigError, envVarName, resolveConfig, SETTING_NAMES } from '../../../lib/settings/config';
import {
  CDK_OWNED_CONTEXT_KEYS,
  isCdkOwnedContextKey,
  readRawSettings,
} from '../../../lib/settings/read-settings';

function problem(context: Record<string, unknown>, env: Record<string, string> = {}): string {
  try {
    resolveConfig(readRawSettings(context, env));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify({ context, env })} to be rejected`);
}

describe('unknown context keys', () => {
  test('[example] -c nodeInstancType=t3a.large is rejected, with the setting it was meant to be', () => {
    expect(problem({ nodeInstancType: 't3a.large' })).toBe(
      `Invalid setting: nodeInstancType='t3a.large' (from context (cdk.json or -c)): unknown setting; ` +
        `did you mean nodeInstanceType? known: ${SETTING_NAMES.join(', ')}`,
    );
  });

  test('a typo in cdk.json (a JSON value, not a string) is rejected the same way', () => {
    expect(problem({ nodeMinSize: 1, nodeMinsize: 2 })).toMatch(
      /^Invalid setting: nodeMinsize=2 \(from context \(cdk\.json or -c\)\): unknown setting; did you mean nodeMinSize\?/,
    );
  });

  test("a variable's name used as a -c key names the setting to use instead", () => {
    expect(problem({ ZENML_SPARK_NODE_MIN_SIZE: '2' })).toMatch(
      /ZENML_SPARK_NODE_MIN_SIZE='2' .*unknown setting; the -c name of ZENML_SPARK_NODE_MIN_SIZE is nodeMinSize;/,
    );
  });

  test('a key far from every setting gets the known list and no guess', () => {
    const message = problem({ colour: 'blue' });
    expect(message).toMatch(/colour='blue' .*unknown setting; known: account, region, /);
    expect(message).not.toMatch(/did you mean/);
  });

  test('keys the CDK owns pass untouched: feature flags, aws:cdk:*, lookups, cdk acknowledge, cli-telemetry', () => {
    const cdkOwned = {
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:bundling-stacks': ['**'],
      'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a', 'eu-west-1b'],
      'acknowledged-issue-numbers': [34892],
      'cli-telemetry': false,
    };
    expect(Object.keys(readRawSettings(cdkOwned, {}))).toEqual([]);
    expect(() => resolveConfig(readRawSettings(cdkOwned, {}))).not.toThrow();
    for (const key of CDK_OWNED_CONTEXT_KEYS) expect(isCdkOwnedContextKey(key)).toBe(true);
  });
});

describe('unknown environment variables', () => {
  test('ZENML_SPARK_NODE_INSTANC_TYPE gets the variable it was meant to be', () => {
    expect(problem({}, { ZENML_SPARK_NODE_INSTANC_TYPE: 't3a.large' })).toMatch(
      /ZENML_SPARK_NODE_INSTANC_TYPE='t3a.large' \(from environment ZENML_SPARK_NODE_INSTANC_TYPE\): unknown setting; did you mean ZENML_SPARK_NODE_INSTANCE_TYPE\?/,
    );
  });

  test('the known keys are listed as variables, the names a shell sets', () => {
    const message = problem({}, { ZENML_SPARK_COLOUR: 'blue' });
    expect(message).toMatch(
      new RegExp(`unknown setting; known: ${SETTING_NAMES.map(envVarName).join(', ')}$`),
    );
    expect(message).not.toMatch(/known: .*\bnodeMinSize\b/);
  });
});

describe('context sources', () => {
  test('a caller that knows where a context value came from has it named; else "cdk.json or -c"', () => {
    const named = problem({ nodeMinSize: 5, nodeMaxSize: 3 }, {});
    expect(named).toMatch(/nodeMinSize=5 \(from context \(cdk\.json or -c\)\)/);
    try {
      resolveConfig(readRawSettings({ nodeMinSize: 5, nodeMaxSize: 3 }, {}, (key) => `source of ${key}`));
    } catch (e) {
      expect((e as Error).message).toMatch(/nodeMinSize=5 \(from source of nodeMinSize\)/);
      return;
    }
    throw new Error('expected a rejection');
  });
});

describe('every channel rejects what another rejects', () => {
  // [setting or unknown key, value]: each is given once as context, once as its variable.
  const BAD: [string, string][] = [
    ['nodeInstancType', 't3a.large'],
    ['nodeMinSize', 'two'],
    ['removalMode', 'keep'],
    ['namePrefix', ''],
    ['clusterEndpointPublicCidrs', '0.0.0.0/0'],
    ['availabilityZones', 'us-east-1a,eu-west-1b'],
    ['dbInstanceClass', 'db.t2.micro'],
    ['allowMysqlFromAnywhere', 'yes'],
  ];
  const envName = (key: string) =>
    (SETTING_NAMES as string[]).includes(key)
      ? envVarName(key as (typeof SETTING_NAMES)[number])
      : `ZENML_SPARK_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

  test.each(BAD)('%s=%j: rejected from -c/cdk.json and from the environment alike', (key, value) => {
    const fromContext = problem({ [key]: value });
    const fromEnv = problem({}, { [envName(key)]: value });
    // The same rule and allowed values; only the name of the key, its suggestion and the names of the
    // known keys (setting names, or variable names) differ by channel.
    const rule = (m: string) =>
      m
        .slice(m.indexOf('): ') + 3)
        .replace(/did you mean \S+/, 'did you mean …')
        .replace(/known: .*$/, 'known: …');
    expect(rule(fromEnv)).toBe(rule(fromContext));
  });
});
