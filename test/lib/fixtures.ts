/**
 * One synthesized stack per distinct settings object, shared by every test file in a worker:
 * constructing the EKS stack costs about a second, so tests never build the same app twice.
 * The app is built by defineApp (lib/app.ts), exactly as bin/app.ts builds it, with the settings
 * given as CDK context over cdk.json's; policy plugins are not registered here (they run in the
 * synth suite and in test/lib/validation.test.ts).
 */
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { defineApp } from '../../lib/app';
import type { EnvironmentConfig } from '../../lib/settings/config';
import type { ZenmlSparkStack } from '../../lib/zenml-spark-stack';
import { cdkJsonContext } from '../../scripts/lib/settings';

export type Settings = Record<string, unknown>;

const cache = new Map<string, { stack: ZenmlSparkStack; template: Template; config: EnvironmentConfig }>();

/** The feature flags and setting defaults exactly as cdk.json gives them to `cdk synth`. */
export const CDK_JSON_CONTEXT = cdkJsonContext();

export function buildApp(settings: Settings = {}): {
  app: App;
  stack: ZenmlSparkStack;
  config: EnvironmentConfig;
} {
  // stackTraces off: recording a trace per construct is a third of construction time in tests.
  return defineApp({ env: {}, context: { ...CDK_JSON_CONTEXT, ...settings }, stackTraces: false });
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
