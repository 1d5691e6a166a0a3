/**
 * The one function that builds the CDK app: App, settings resolution, the policy checks (as an
 * option) and the stack with its description and environment. bin/app.ts (what `cdk synth` runs),
 * the estimate scripts (cost, critical path, the benchmark probe) and the tests all call it, so
 * what they synthesize cannot drift from what is deployed.
 *
 * It reads no environment itself: callers pass the environment variables (ZENML_SPARK_*) and the
 * CDK context in. Settings are resolved once, here, from the App's own context; a bad value throws
 * ConfigError before any construct exists.
 */
import { App } from 'aws-cdk-lib';
import { type EnvironmentConfig, resolveConfig } from './settings/config';
import { physicalNames, STACK_ID } from './settings/names';
import { readRawSettings } from './settings/read-settings';
import { registerPolicyChecks } from './validation';
import { ZenmlSparkStack } from './zenml-spark-stack';

export const STACK_DESCRIPTION =
  'ZenML Spark-on-EKS environment: S3 artifact store, ECR, RDS MySQL, EKS (zenml-spark-eks)';

export interface DefineAppOptions {
  /** Environment variables the settings may come from (`ZENML_SPARK_*`); the caller's, or `{}`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * CDK context: cdk.json `context` and `-c key=value` pairs, feature flags included. Leave unset
   * when the CDK CLI runs the app: it hands the context to the App itself (CDK_CONTEXT_JSON).
   */
  readonly context?: Record<string, unknown>;
  /**
   * Register cdk-nag and cfn-guard and keep aws-cdk-lib's built-in CloudFormation validation, as
   * `cdk synth` does. Off, the app synthesizes the same template without checking it (the checks
   * change nothing in a template and cost most of synth's time).
   * @default false
   */
  readonly policyChecks?: boolean;
  /** Where the cloud assembly goes. @default the App's default (CDK_OUTDIR, or a temp dir) */
  readonly outdir?: string;
  /**
   * Record a stack trace per construct (for synth errors that name where a construct was made).
   * @default true
   */
  readonly stackTraces?: boolean;
}

export interface DefinedApp {
  readonly app: App;
  readonly stack: ZenmlSparkStack;
  readonly config: EnvironmentConfig;
}

export function defineApp(options: DefineAppOptions): DefinedApp {
  const checks = options.policyChecks ?? false;
  const app = new App({
    context: options.context,
    outdir: options.outdir,
    stackTraces: options.stackTraces,
    // undefined keeps the App's default: on, unless CDK_VALIDATION=false.
    builtinCloudFormationValidation: checks ? undefined : false,
  });
  // Every context key, not only the settings': a typo in -c or cdk.json is an unknown setting.
  const config = resolveConfig(readRawSettings(app.node.getAllContext(), options.env));
  if (checks) registerPolicyChecks(app);
  const stack = new ZenmlSparkStack(app, STACK_ID, {
    stackName: physicalNames(config).stackName,
    description: STACK_DESCRIPTION,
    // Both undefined leaves the stack environment-agnostic, as no env at all would.
    env: { account: config.account, region: config.region },
    config,
  });
  return { app, stack, config };
}
