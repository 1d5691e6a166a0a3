#!/usr/bin/env node
/**
 * The CDK app, as `cdk synth` and `cdk deploy` run it (cdk.json `app`). With the scripts' entry
 * points, the only place that reads the environment: it hands process.env to defineApp, which
 * resolves and validates the settings once and builds the stack with every policy check.
 */
import { defineApp } from '../lib/app';
import { ConfigError } from '../lib/settings/config';
import { emulatorTargetProblem } from '../lib/settings/emulator';

let defined: ReturnType<typeof defineApp>;
try {
  defined = defineApp({ env: process.env, policyChecks: true });
} catch (e) {
  if (e instanceof ConfigError) {
    // One clear message and a non-zero exit, before anything reaches an account.
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
// The CDK CLI sets CDK_DEFAULT_ACCOUNT when it found credentials for an account: with no emulator
// endpoint, that is a real account, and the emulator build must not reach it (lib/settings/emulator.ts).
const account = process.env.CDK_DEFAULT_ACCOUNT;
const emulatorProblem = emulatorTargetProblem(
  defined.config.emulator,
  process.env.AWS_ENDPOINT_URL?.trim() || undefined,
  account ? `the CDK CLI found credentials for account ${account}` : undefined,
);
if (emulatorProblem) {
  process.stderr.write(`emulator=true ${emulatorProblem}\n`);
  process.exit(1);
}
defined.app.synth();

// Exit as soon as the assembly is written: afterwards the built-in CloudFormation validator's WASM
// engine keeps the event loop busy for 1.5-4 s more on a 2-core machine (bench/results.md), and the
// assembly is complete by then. Flush stdout/stderr first (pipes are asynchronous on some platforms).
const exitCode = () => (typeof process.exitCode === 'number' ? process.exitCode : 0);
process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode())));
