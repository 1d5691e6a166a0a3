/**
 * What the configured environment costs per month, estimated from its synthesized template(s)
 * and the offline price table pricing/aws-prices.json.
 *
 *   npm run cost [-- -c key=value ...] [--region REGION] [--assembly cdk.out] [--json]
 */
import * as path from 'node:path';
import { regionProblem } from '../../lib/settings/config';
import { CliError, EXIT, EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { REPO_ROOT, settingsFromFlags } from '../lib/settings';
import { templatesFor } from './app-templates';
import { estimateCost } from './cost-model';
import { renderEstimate } from './cost-report';
import { loadPriceTable } from './price-table';

const HELP = `Usage: npm run cost -- [-c key=value ...] [--region REGION] [--assembly DIR] [--json]

Estimates the monthly cost of the environment these settings describe, counted from the
synthesized CloudFormation template(s): EKS control plane, node group at min/desired/max, NAT
gateways, public IPv4, RDS class and storage, secrets, KMS keys, log groups, S3 and ECR (at a
stated usage assumption). Prices: pricing/aws-prices.json (offline; sources and date inside).
An unknown region, instance type or resource type is an explicit UNPRICED line, never a zero.

  -c key=value     a setting, as with cdk (repeatable); cdk.json context and ZENML_SPARK_* apply too
  --region REGION  price in this region (default: the region setting, else us-east-1, stated)
  --assembly DIR   read the template(s) from an existing cloud assembly (e.g. cdk.out) instead of
                   synthesizing them for the settings
  --json           machine-readable estimate
  -h, --help       this help
Needs no AWS credentials.

${EXIT_CODES_HELP}`;

const OPTIONS = {
  context: { type: 'string', short: 'c', multiple: true, default: [] },
  region: { type: 'string' },
  assembly: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;

async function main(argv: readonly string[]): Promise<number> {
  const values = parseFlags(argv, OPTIONS, HELP.split('\n')[0]);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const { cliContext, config } = settingsFromFlags(values.context);
  // The rule of the region setting: a region this environment cannot be deployed to is not priced.
  const regionRule =
    values.region === undefined ? undefined : regionProblem(values.region, config.zenmlServer);
  if (regionRule) throw new CliError(`--region '${values.region}': ${regionRule}`, EXIT.usage);
  const templates = templatesFor(values.assembly, cliContext);
  const region = values.region ?? templates.config.region;
  const estimate = estimateCost({
    templates: templates.stacks.map((s) => s.template),
    region,
    regionSource: values.region
      ? '--region'
      : templates.config.region
        ? 'setting region'
        : `no region set: priced at the default ${loadPriceTable().defaultRegion}`,
    prices: loadPriceTable(),
  });
  if (values.json) {
    console.log(JSON.stringify({ origin: templates.origin, ...estimate }, null, 2));
  } else {
    console.log(renderEstimate(estimate, templates.origin));
    console.log(
      `\nHow to read this: ${path.relative(process.cwd(), path.join(REPO_ROOT, 'docs', 'cost-and-timing.md'))}`,
    );
  }
  return 0;
}

runMain(() => main(process.argv.slice(2)));
