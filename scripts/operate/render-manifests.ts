/**
 * Renders the Kubernetes manifests with a deployed stack's real values (region, account, bucket,
 * image, Spark role) into a directory, for review or `kubectl apply -f`.
 *
 *   npm run render-manifests -- [--out dist/deployed] [--image-tag TAG | --image URI] [--run-id ID]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ManifestValues, writeManifests } from '../../k8s/manifests';
import { placeholdersIn } from '../../k8s/placeholders';
import { OUTPUT_KEYS, type OutputName } from '../../lib/settings/outputs';
import { RUN_ID_PATTERN } from '../../lib/settings/pipeline';
import { awsClients, endpointFromEnv, resolvedRegion } from '../lib/aws-clients';
import { CliError, EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { table } from '../lib/table';
import { describeStack, requireUsable } from './stack-outputs';
import { COMMON_HELP, COMMON_OPTIONS, resolveTarget } from './target';

const USAGE =
  'Usage: npm run render-manifests -- [--out DIR] [--image-tag TAG | --image URI] [--run-id ID] [options]';
const HELP = `${USAGE}

Reads the deployed stack's outputs and writes the Spark RBAC and pipeline-job manifests with its
real values into DIR (default dist/deployed), then lists any value still a PLACEHOLDER-*.

Options:
  --out DIR          output directory (default: dist/deployed)
  --image-tag TAG    image tag in the stack's ECR repository (gives <EcrRepositoryUri>:TAG)
  --image URI        a full image reference instead
  --run-id ID        the pipeline run id the job names carry
${COMMON_HELP}

${EXIT_CODES_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  out: { type: 'string', default: path.join('dist', 'deployed') },
  'image-tag': { type: 'string' },
  image: { type: 'string' },
  'run-id': { type: 'string' },
} satisfies FlagOptions;

/** The outputs the manifests need; the cluster ones are not among them. */
const NEEDED: readonly OutputName[] = [
  'region',
  'artifactBucketName',
  'ecrRepositoryUri',
  'containerRegistryUri',
  'sparkRoleArn',
];

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parseFlags(argv, OPTIONS, USAGE);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  if (flags.image && flags['image-tag']) throw new CliError('--image and --image-tag: give one', 2);
  if (flags['image-tag'] !== undefined && !/^[\w][\w.-]{0,127}$/.test(flags['image-tag'])) {
    throw new CliError(
      `--image-tag '${flags['image-tag']}': a Docker tag is 1-128 of letters, digits, _ . -`,
      2,
    );
  }
  if (flags['run-id'] !== undefined && !RUN_ID_PATTERN.test(flags['run-id'])) {
    throw new CliError(
      `--run-id '${flags['run-id']}': 1-24 lowercase letters, digits and -, starting and ending with a letter or digit (it becomes part of Job and Service names)`,
      2,
    );
  }
  const target = resolveTarget(flags, env);
  const endpoint = endpointFromEnv(env);
  const clients = awsClients({ region: target.region, endpoint });
  const region = await resolvedRegion(clients);
  const stack = requireUsable(
    await describeStack(clients.cloudFormation, target.stackName),
    target.stackName,
    `region ${region}${endpoint ? ` at ${endpoint}` : ''}`,
  );
  const missing = NEEDED.filter((n) => !stack.rawOutputs[OUTPUT_KEYS[n]]).map((n) => OUTPUT_KEYS[n]);
  if (missing.length > 0)
    throw new CliError(`stack '${stack.stackName}' (${stack.status}) lacks outputs ${missing.join(', ')}`);
  const out = (n: OutputName) => stack.rawOutputs[OUTPUT_KEYS[n]];

  const values: ManifestValues = {
    region: out('region'),
    accountId: out('containerRegistryUri').split('.')[0],
    bucketName: out('artifactBucketName'),
    sparkRoleArn: out('sparkRoleArn'),
    nodeInstanceType: target.config.nodeInstanceType,
    clusterName: out('clusterName'),
    kubernetesVersion: target.config.kubernetesVersion,
    imageUri:
      flags.image ?? (flags['image-tag'] ? `${out('ecrRepositoryUri')}:${flags['image-tag']}` : undefined),
    runId: flags['run-id'],
    eventLogPrefix: target.config.sparkEventLogPrefix,
    sparkHistoryServer: target.config.sparkHistoryServer,
  };
  // The ZenML server is applied by the stack itself; only the charts a user applies are rendered.
  const written = writeManifests(flags.out, { ...values, zenmlServer: false });
  const rows = written.map((w) => {
    const left = placeholdersIn(fs.readFileSync(w.file, 'utf8'));
    return [w.chart, String(w.objects), w.file, left.length > 0 ? left.join(', ') : '-'];
  });
  console.log(`Manifests for ${stack.stackName} (${stack.status}) in ${flags.out}\n`);
  console.log(table(['chart', 'objects', 'file', 'placeholders left'], rows));
  if (rows.some((r) => r[3] !== '-')) {
    console.log(
      '\nPlaceholders left: pass --image-tag/--image and --run-id to fill them before kubectl apply.',
    );
  }
  return 0;
}

// Only when run as a program.
if (require.main === module) runMain(() => main(process.argv.slice(2), process.env));
