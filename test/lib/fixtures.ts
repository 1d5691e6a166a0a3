/**
 * One synthesized stack per distinct settings object, shared by every test file in a worker:
 * constructing the EKS stack costs about a second, so tests never build the same app twice.
 * Policy plugins are not registered here (they run in the synth suite and in policy-checks.test.ts).
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type EnvironmentConfig, resolveConfig } from '../../lib/settings/config';
import { readRawSettings } from '../../lib/settings/read-settings';
import { ZenmlSparkStack } from '../../lib/zenml-spark-stack';
import { cdkJsonContext } from '../../scripts/lib/app-settings';

export type Settings = Record<string, unknown>;

const cache = new Map<string, { stack: ZenmlSparkStack; template: Template; config: EnvironmentConfig }>();

/** The feature flags and setting defaults exactly as cdk.json gives them to `cdk synth`. */
export const CDK_JSON_CONTEXT = cdkJsonContext();

export function configFor(settings: Settings = {}): EnvironmentConfig {
  const context = { ...CDK_JSON_CONTEXT, ...settings };
  return resolveConfig(readRawSettings((key) => context[key], {}));
}

export function buildApp(settings: Settings = {}): {
  app: App;
  stack: ZenmlSparkStack;
  config: EnvironmentConfig;
} {
  const config = configFor(settings);
  // stackTraces off: recording a trace per construct is a third of construction time in tests.
  const app = new App({
    context: CDK_JSON_CONTEXT,
    builtinCloudFormationValidation: false,
    stackTraces: false,
  });
  const stack = new ZenmlSparkStack(app, 'ZenmlSpark', { stackName: config.namePrefix, config });
  return { app, stack, config };
}

export function synth(settings: Settings = {}): {
  stack: ZenmlSparkStack;
  template: Template;
  config: EnvironmentConfig;
} {
  const key = JSON.stringify(settings);
  let hit = cache.get(key);
  if (!hit) {
    const { stack, config } = buildApp(settings);
    hit = { stack, config, template: Template.fromStack(stack) };
    cache.set(key, hit);
  }
  return hit;
}

/** Logical ids of resources of one type. */
export function idsOfType(template: Template, type: string): string[] {
  return Object.keys(template.findResources(type));
}
