#!/usr/bin/env node
/**
 * The CDK app. The only place (with bin/read-settings.ts) that reads context or the environment:
 * settings are resolved and validated once, then flow into the stack as props.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError, resolveConfig } from '../lib/settings/config';
import { physicalNames } from '../lib/settings/names';
import { readRawSettings } from '../lib/settings/read-settings';
import { registerPolicyChecks } from '../lib/validation';
import { ZenmlSparkStack } from '../lib/zenml-spark-stack';

const app = new App();
let config: ReturnType<typeof resolveConfig>;
try {
  config = resolveConfig(readRawSettings((key) => app.node.tryGetContext(key), process.env));
} catch (e) {
  if (e instanceof ConfigError) {
    // One clear message and a non-zero exit, before anything reaches an account.
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  throw e;
}

registerPolicyChecks(app);
new ZenmlSparkStack(app, 'ZenmlSpark', {
  stackName: physicalNames(config).stackName,
  description: 'ZenML Spark-on-EKS environment: S3 artifact store, ECR, RDS MySQL, EKS (zenml-spark-eks)',
  env: config.account || config.region ? { account: config.account, region: config.region } : undefined,
  config,
});
app.synth();

// Exit as soon as the assembly is written: afterwards the built-in CloudFormation validator's WASM
// engine keeps the event loop busy for 1.5-4 s more on a 2-core machine (bench/results.md), and the
// assembly is complete by then. Flush stdout/stderr first (pipes are asynchronous on some platforms).
const exitCode = () => (typeof process.exitCode === 'number' ? process.exitCode : 0);
process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode())));
