/**
 * What every CLI in scripts/ shares: the common flags (--stack, --region, -c key=value, --help),
 * one-line errors with a non-zero exit, and how settings are resolved (the same way bin/app.ts
 * resolves them, so a script reads the stack the app deploys).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError, type EnvironmentConfig } from '../../lib/settings/config';
import { physicalNames } from '../../lib/settings/names';
import { loadSettings, parseContextPairs } from './app-settings';

/** A problem the user can fix; printed as one line, exit code 1 (2 for a bad flag). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Flag definitions, as node:util parseArgs takes them; declare with `satisfies FlagOptions`. */
export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** Flags every AWS-facing script takes. */
export const COMMON_OPTIONS = {
  stack: { type: 'string' },
  region: { type: 'string' },
  context: { type: 'string', short: 'c', multiple: true, default: [] },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;

export const COMMON_HELP = `Common options:
  --stack NAME        the deployed stack (default: the namePrefix setting, 'zenml-spark')
  --region REGION     AWS region (default: the region setting, else AWS_REGION / your AWS profile)
  -c key=value        a setting, as with cdk (repeatable); cdk.json context and ZENML_SPARK_* env apply too
  -h, --help          this help
Environment: AWS credentials as for the AWS CLI; AWS_ENDPOINT_URL points every call at another endpoint.`;

/**
 * node:util parseArgs with errors rewritten to name the flag and what is allowed. Unknown flags
 * and stray positionals are usage errors (exit 2).
 */
export function parseFlags<O extends FlagOptions>(argv: readonly string[], options: O, usage: string) {
  try {
    return parseArgs<{ args: string[]; options: O; allowPositionals: false; strict: true }>({
      args: [...argv],
      options,
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new CliError(`${msg}\n${usage}`, 2);
  }
}

export interface Target {
  readonly config: EnvironmentConfig;
  readonly stackName: string;
  /** Undefined: let the SDK find it (AWS_REGION, AWS_DEFAULT_REGION, the profile). */
  readonly region?: string;
  /** Where the region came from, for messages. */
  readonly regionSource: string;
}

/**
 * The app's settings with the `-c key=value` flags applied: a bad setting is one CliError (exit 1),
 * a malformed pair a usage error (exit 2).
 */
export function settingsFromFlags(
  context: readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { cliContext: Record<string, string>; config: EnvironmentConfig } {
  let cliContext: Record<string, string>;
  try {
    cliContext = parseContextPairs(context ?? []);
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
  try {
    return { cliContext, config: loadSettings(cliContext, env) };
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
}

/** Resolves settings and the stack/region to talk to; a bad setting becomes one CliError. */
export function resolveTarget(
  flags: { stack?: string; region?: string; context?: string[] },
  env: Readonly<Record<string, string | undefined>>,
): Target {
  const { config } = settingsFromFlags(flags.context, env);
  const stackName = flags.stack ?? physicalNames(config).stackName;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
    throw new CliError(
      `--stack '${stackName}': a CloudFormation stack name is a letter then letters, digits, hyphens`,
      2,
    );
  }
  const fromEnv = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (flags.region !== undefined)
    return { config, stackName, region: flags.region, regionSource: '--region' };
  if (config.region) return { config, stackName, region: config.region, regionSource: 'setting region' };
  if (fromEnv)
    return {
      config,
      stackName,
      region: fromEnv,
      regionSource: env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION',
    };
  return { config, stackName, regionSource: 'AWS profile' };
}

/**
 * Runs a CLI's main function: a CliError (or any error with a message) is printed as one line
 * on stderr with the exit code; a stack trace only with DEBUG set, for bugs.
 */
export function runMain(main: () => Promise<number>, env = process.env): void {
  // This repo pins Node 20 on purpose; the SDK's notice about its future Node 22 floor would
  // otherwise open every run. An explicit setting by the user wins.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const err = e as Error;
      process.stderr.write(`error: ${err.message}\n`);
      if (env.DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = e instanceof CliError ? e.exitCode : 1;
    },
  );
}
