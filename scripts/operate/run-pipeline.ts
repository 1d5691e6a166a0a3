/**
 * Runs the five pipeline steps of one run on the cluster, in order: each step's Job is applied
 * only after the previous one succeeded. Prints one line per state change (step, state, elapsed)
 * and a summary table; on a failure it stops and prints the failing driver's log tail.
 *
 *   npm run run-pipeline -- --outputs outputs.json --image-tag spark-0123abcd [--run-id ID]
 *
 * Drives `kubectl` (a prerequisite: on PATH, or --kubectl, with a context for the cluster, e.g.
 * from `aws eks update-kubeconfig`). Every wait is bounded.
 */
import { readFileSync } from 'node:fs';
import { SPARK_NAMESPACE } from '../../lib/settings/names';
import { NODE_SHAPES } from '../../lib/settings/node-shapes';
import { OUTPUT_KEYS } from '../../lib/settings/outputs';
import { PIPELINE_STEPS, type PipelineStep, RUN_ID_PATTERN } from '../../lib/settings/pipeline';
import { fitOnOneNode, STEP_RESOURCES } from '../../lib/settings/sizing';
import { DEFAULT_EVENT_LOG_PREFIX, eventLogPrefixProblem } from '../../lib/settings/spark-history';
import { CliError, EXIT, type FlagOptions, parseFlags, runCli, runMain } from '../lib/cli';
import { type Io, type PipelineOptions, runPipeline } from './pipeline/steps';

const USAGE =
  'Usage: npm run run-pipeline -- (--outputs FILE --image-tag TAG | --bucket B --image URI --region R) [options]';
const HELP = `${USAGE}

Applies the pipeline's Jobs (importer, statistics, splitter, transformer, trainer) for one run id,
one after another, each only after the previous one succeeded, and waits for each with a bound.
Step outputs go to s3a://<bucket>/runs/<run-id>/<step>/.

Values (flags win over --outputs):
  --outputs FILE         the deployed stack's outputs: a JSON map {OutputKey: value}, or the output
                         of \`aws cloudformation describe-stacks\` (uses ${OUTPUT_KEYS.artifactBucketName},
                         ${OUTPUT_KEYS.ecrRepositoryUri}, ${OUTPUT_KEYS.region}, ${OUTPUT_KEYS.sparkNamespace})
  --image-tag TAG        with --outputs: the image is <${OUTPUT_KEYS.ecrRepositoryUri}>:<TAG>
                         (scripts/operate/build-spark-image.sh prints the tag it pushed)
  --image URI            full image reference instead
  --bucket NAME          artifact bucket
  --region REGION        bucket region
Options:
  --run-id ID            1-24 of a-z, 0-9, '-' (default: run-<UTC date>-<time>)
  --from STEP            start at this step (the earlier steps' outputs must exist for the run id)
  --input URI            CSV for the importer: s3a://<bucket>/<key> (s3:// is read as s3a://), or
                         file:///<path> inside the image (default: the sample dataset in the image)
  --min-accuracy X       the trainer fails below this eval accuracy (0-1)
  --node-type TYPE       node instance type the steps are sized for (default t3a.xlarge; each
                         step must fit on one node of it)
  --event-log-prefix P   key prefix of the steps' Spark event logs in the bucket (default: from
                         ${OUTPUT_KEYS.sparkEventLogDir} in --outputs, else ${DEFAULT_EVENT_LOG_PREFIX}); each step
                         prints its application id and history link (open it with npm run spark-ui)
  --namespace NS         default ${SPARK_NAMESPACE}
  --step-timeout SECONDS bound on one step's wait (default 2100: the Job deadline plus 5 minutes)
  --poll-interval SECONDS  default 5
  --log-lines N          driver log lines printed on failure (default 80)
  --kubectl PATH         kubectl executable (default: kubectl on PATH)
  --context NAME         kubectl context (default: the current one)
  --dry-run              print the manifests and the kubectl commands, change nothing
  -h, --help             this help

Exit codes: 0 all steps succeeded, 1 a step failed or timed out, 2 bad flags or flag values,
3 kubectl unusable.`;

const OPTIONS = {
  outputs: { type: 'string' },
  'image-tag': { type: 'string' },
  image: { type: 'string' },
  bucket: { type: 'string' },
  region: { type: 'string' },
  'run-id': { type: 'string' },
  from: { type: 'string' },
  input: { type: 'string' },
  'min-accuracy': { type: 'string' },
  'node-type': { type: 'string' },
  namespace: { type: 'string' },
  'event-log-prefix': { type: 'string' },
  'step-timeout': { type: 'string' },
  'poll-interval': { type: 'string' },
  'log-lines': { type: 'string' },
  kubectl: { type: 'string' },
  context: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;

export function parseOptions(argv: readonly string[], now: Date = new Date()): PipelineOptions | 'help' {
  const flags = parseFlags(argv, OPTIONS, USAGE);
  if (flags.help) return 'help';

  const outputs = flags.outputs ? readOutputs(flags.outputs) : {};
  const runId =
    flags['run-id'] ?? `run-${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`;
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new CliError(
      `--run-id=${runId}: use 1-24 of a-z, 0-9 and '-', starting and ending with a letter or digit`,
      EXIT.usage,
    );
  }
  const bucket = flags.bucket ?? outputs[OUTPUT_KEYS.artifactBucketName];
  const region = flags.region ?? outputs[OUTPUT_KEYS.region];
  let image = flags.image;
  if (!image && flags['image-tag']) {
    const repository = outputs[OUTPUT_KEYS.ecrRepositoryUri];
    if (!repository)
      throw new CliError(
        `--image-tag needs --outputs with ${OUTPUT_KEYS.ecrRepositoryUri}, or use --image`,
        EXIT.usage,
      );
    // Checked as the tag the user typed: the composed reference would blame --image, not given.
    if (!IMAGE_TAG.test(flags['image-tag'])) {
      throw new CliError(
        `--image-tag='${flags['image-tag']}': an image tag (1-128 of letters, digits, '_', '.', '-', not starting with '.' or '-'), e.g. spark-0123abcd as build-spark-image.sh prints it`,
        EXIT.usage,
      );
    }
    image = `${repository}:${flags['image-tag']}`;
  }
  const missing = [
    ...(bucket ? [] : [`--bucket (or ${OUTPUT_KEYS.artifactBucketName} in --outputs)`]),
    ...(region ? [] : [`--region (or ${OUTPUT_KEYS.region} in --outputs)`]),
    ...(image ? [] : ['--image, or --image-tag with --outputs']),
  ];
  if (missing.length > 0) {
    throw new CliError(`missing ${missing.join(', ')}; ${USAGE.replace(/^Usage: /, 'usage: ')}`, EXIT.usage);
  }
  if (image && !/^[^\s:]+(:\d+)?\/[^\s]+(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/.test(image)) {
    // The tag was checked above: with --image-tag, what is wrong is the repository from --outputs.
    const message =
      flags.image !== undefined
        ? `--image=${image}: a registry image with a tag or digest, e.g. <account>.dkr.ecr.<region>.amazonaws.com/zenml:spark-0123abcd`
        : `${OUTPUT_KEYS.ecrRepositoryUri} in --outputs='${outputs[OUTPUT_KEYS.ecrRepositoryUri]}': a registry repository, e.g. <account>.dkr.ecr.<region>.amazonaws.com/zenml`;
    throw new CliError(message, EXIT.usage);
  }
  // Checked here, naming the flag (or the output it came from), rather than by the chart later.
  const source = (flag: 'bucket' | 'region', output: string) =>
    flags[flag] !== undefined ? `--${flag}` : `${output} in --outputs`;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket as string)) {
    throw new CliError(
      `${source('bucket', OUTPUT_KEYS.artifactBucketName)}='${bucket}': an S3 bucket name (3-63 of a-z, 0-9, '.', '-')`,
      EXIT.usage,
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region as string)) {
    throw new CliError(
      `${source('region', OUTPUT_KEYS.region)}='${region}': an AWS region such as eu-west-1`,
      EXIT.usage,
    );
  }
  if (flags['node-type'] !== undefined) nodeTypeCheck(flags['node-type']);
  if (flags.namespace !== undefined && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(flags.namespace)) {
    throw new CliError(
      `--namespace=${flags.namespace}: a Kubernetes namespace name (a DNS label)`,
      EXIT.usage,
    );
  }
  const from = (flags.from ?? PIPELINE_STEPS[0]) as PipelineStep;
  if (!PIPELINE_STEPS.includes(from))
    throw new CliError(`--from=${flags.from}: one of ${PIPELINE_STEPS.join(', ')}`, EXIT.usage);
  const eventLogPrefix = flags['event-log-prefix'] ?? prefixOf(outputs[OUTPUT_KEYS.sparkEventLogDir], bucket);
  const prefixProblem = eventLogPrefixProblem(eventLogPrefix);
  if (prefixProblem) {
    throw new CliError(
      `${flags['event-log-prefix'] !== undefined ? '--event-log-prefix' : `${OUTPUT_KEYS.sparkEventLogDir} in --outputs`}='${eventLogPrefix}': ${prefixProblem}`,
      EXIT.usage,
    );
  }
  const minAccuracy =
    flags['min-accuracy'] === undefined ? undefined : number('--min-accuracy', flags['min-accuracy'], 0, 1);

  return {
    values: {
      runId,
      bucketName: bucket,
      region,
      imageUri: image,
      nodeInstanceType: flags['node-type'],
      sparkRoleArn: outputs[OUTPUT_KEYS.sparkRoleArn],
      eventLogPrefix,
    },
    namespace: flags.namespace ?? outputs[OUTPUT_KEYS.sparkNamespace] ?? SPARK_NAMESPACE,
    from,
    inputUri: flags.input === undefined ? undefined : inputUri(flags.input),
    minAccuracy,
    stepTimeoutMs: number('--step-timeout', flags['step-timeout'] ?? '2100', 1, 86_400) * 1000,
    pollIntervalMs: number('--poll-interval', flags['poll-interval'] ?? '5', 0.01, 60) * 1000,
    logLines: Math.round(number('--log-lines', flags['log-lines'] ?? '80', 1, 10_000)),
    kubectl: flags.kubectl ?? 'kubectl',
    context: flags.context,
    dryRun: flags['dry-run'] ?? false,
  };
}

/** An image tag as Docker and ECR take it. */
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;

/** The node types every step (driver and executors together) fits on, one node each. */
export function nodeTypesStepsFitOn(): string[] {
  return Object.keys(NODE_SHAPES).filter((type) =>
    PIPELINE_STEPS.every((step) => fitOnOneNode(STEP_RESOURCES[step], type).fits),
  );
}

/** A usage error unless --node-type is a sized type every step fits on (the chart would refuse it). */
function nodeTypeCheck(type: string): void {
  const allowed = `one of the sized node types the steps fit on: ${nodeTypesStepsFitOn().join(', ')}`;
  if (!(type in NODE_SHAPES)) throw new CliError(`--node-type=${type}: ${allowed}`, EXIT.usage);
  for (const step of PIPELINE_STEPS) {
    const fit = fitOnOneNode(STEP_RESOURCES[step], type);
    if (!fit.fits) {
      throw new CliError(
        `--node-type=${type}: the ${step} step (driver + ${fit.pods.executorInstances} executors, ` +
          `${fit.pods.total.cpuMillis}m CPU / ${fit.pods.total.memoryMiB}Mi) does not fit on one ${type} ` +
          `(${fit.budget.forSpark.cpuMillis}m / ${fit.budget.forSpark.memoryMiB}Mi left for Spark); ${allowed}`,
        EXIT.usage,
      );
    }
  }
}

/**
 * The importer's input as the step pods read it: an S3 object through S3A (the image's only S3
 * client, no fs.s3.impl: s3:// is read as s3a://, as the ZenML materializers do), or a file inside
 * the image (every pod has it, executors included), such as the sample dataset.
 */
export function inputUri(value: string): string {
  const s3 = /^s3a?:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(\S+)$/.exec(value);
  if (s3) return `s3a://${s3[1]}/${s3[2]}`;
  if (/^file:\/\/\/\S+$/.test(value)) return value;
  throw new CliError(
    `--input=${value}: an s3a://<bucket>/<key> (or s3://) URI of a CSV, or a file:///<path> inside the image ` +
      '(default: the sample dataset, file:///opt/zenml-spark/data/sample.csv)',
    EXIT.usage,
  );
}

/** The key prefix of a SparkEventLogDir output (`s3a://<bucket>/<prefix>`), or the default. */
function prefixOf(dir: string | undefined, bucket: string | undefined): string {
  if (!dir) return DEFAULT_EVENT_LOG_PREFIX;
  const head = `s3a://${bucket}/`;
  return dir.startsWith(head) ? dir.slice(head.length) : dir;
}

function number(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new CliError(`${flag}=${text}: a number from ${min} to ${max}`, EXIT.usage);
  }
  return value;
}

/** Stack outputs from a flat {key: value} JSON map or `aws cloudformation describe-stacks` output. */
export function readOutputs(file: string): Record<string, string> {
  // How to make the file, for every message that finds it unusable.
  const howTo = `write it with: aws cloudformation describe-stacks --stack-name <stack> > ${file}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`--outputs=${file}: cannot read it as JSON (${(err as Error).message})`, EXIT.usage);
  }
  // An empty file is what a failed `aws ... > outputs.json` leaves (no credentials, no such stack).
  if (text.trim() === '') throw new CliError(`--outputs=${file}: the file is empty; ${howTo}`, EXIT.usage);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CliError(`--outputs=${file}: cannot read it as JSON (${(err as Error).message})`, EXIT.usage);
  }
  const stacks = (
    parsed as { Stacks?: Array<{ Outputs?: Array<{ OutputKey: string; OutputValue: string }> }> }
  )?.Stacks;
  let outputs: Record<string, string>;
  if (Array.isArray(stacks)) {
    outputs = Object.fromEntries((stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  } else if (
    parsed &&
    typeof parsed === 'object' &&
    Object.values(parsed).every((v) => typeof v === 'string')
  ) {
    outputs = parsed as Record<string, string>;
  } else {
    throw new CliError(
      `--outputs=${file}: expected {"OutputKey": "value", ...} or describe-stacks output; ${howTo}`,
      EXIT.usage,
    );
  }
  // A stack still being created (or deleted) has no outputs yet: say that, not which value is missing.
  if (Object.keys(outputs).length === 0) {
    throw new CliError(
      `--outputs=${file}: no stack outputs in it (is the stack deployed, CREATE_COMPLETE or UPDATE_COMPLETE?); ${howTo}`,
      EXIT.usage,
    );
  }
  return outputs;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  return runCli(
    async () => {
      const opts = parseOptions(argv);
      if (opts === 'help') {
        io.out(HELP);
        return EXIT.ok;
      }
      return runPipeline(opts, io);
    },
    (message) => (io.err ?? io.out)(`run-pipeline: ${message}`),
  );
}

if (require.main === module) {
  runMain(() =>
    main(process.argv.slice(2), {
      out: (line) => console.log(line),
      err: (line) => console.error(line),
      env: process.env,
    }),
  );
}
