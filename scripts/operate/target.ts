/**
 * Which deployed stack an operator command talks to, and where: the common flags of the
 * AWS-facing commands (--stack, --region, -c key=value, --help) resolved with the app's settings,
 * so a command reads the stack the app deploys.
 */
import { type EnvironmentConfig, regionProblem } from '../../lib/settings/config';
import { physicalNames } from '../../lib/settings/names';
import { CliError, EXIT, type FlagOptions } from '../lib/cli';
import { settingsFromFlags } from '../lib/settings';

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

export interface Target {
  readonly config: EnvironmentConfig;
  readonly stackName: string;
  /** Undefined: let the SDK find it (AWS_REGION, AWS_DEFAULT_REGION, the profile). */
  readonly region?: string;
  /** Where the region came from, for messages. */
  readonly regionSource: string;
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
      EXIT.usage,
    );
  }
  const regionRule = flags.region === undefined ? undefined : regionProblem(flags.region, config.zenmlServer);
  if (regionRule) throw new CliError(`--region '${flags.region}': ${regionRule}`, EXIT.usage);
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
