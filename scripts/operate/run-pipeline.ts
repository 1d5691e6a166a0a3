/**
 * Runs the five pipeline steps of one run on the cluster, in order: each step's Job is applied
 * only after the previous one succeeded. Prints one line per state change (step, state, elapsed)
 * and a summary table; on a failure it stops and prints the failing driver's log tail.
 *
 *   npx tsx scripts/operate/run-pipeline.ts --outputs outputs.json --image-tag spark-0123abcd [--run-id ID]
 *
 * Drives `kubectl` (a prerequisite: on PATH, or --kubectl, with a context for the cluster, e.g.
 * from `aws eks update-kubeconfig`). Every wait is bounded.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ManifestValues, pipelineObjectsByStep, toYaml } from '../../k8s/manifests';
import { stepObjectName } from '../../k8s/pipeline-jobs-chart';
import { SPARK_NAMESPACE } from '../../lib/settings/names';
import { OUTPUT_KEYS } from '../../lib/settings/outputs';
import { PIPELINE_STEPS, type PipelineStep, RUN_ID_PATTERN } from '../../lib/settings/pipeline';

const USAGE =
  'Usage: npx tsx scripts/operate/run-pipeline.ts (--outputs FILE --image-tag TAG | --bucket B --image URI --region R) [options]';
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
  --input URI            CSV for the importer (default: the sample dataset inside the image)
  --min-accuracy X       the trainer fails below this eval accuracy (0-1)
  --node-type TYPE       node instance type the steps are sized for (default t3a.xlarge)
  --namespace NS         default ${SPARK_NAMESPACE}
  --step-timeout SECONDS bound on one step's wait (default 2100: the Job deadline plus 5 minutes)
  --poll-interval SECONDS  default 5
  --log-lines N          driver log lines printed on failure (default 80)
  --kubectl PATH         kubectl executable (default: kubectl on PATH)
  --context NAME         kubectl context (default: the current one)
  --dry-run              print the manifests and the kubectl commands, change nothing
  -h, --help             this help

Exit codes: 0 all steps succeeded, 1 a step failed or timed out, 2 bad flags, 3 kubectl unusable.`;

export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export interface PipelineOptions {
  readonly values: ManifestValues & { runId: string };
  readonly namespace: string;
  readonly from: PipelineStep;
  readonly inputUri?: string;
  readonly minAccuracy?: number;
  readonly stepTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly logLines: number;
  readonly kubectl: string;
  readonly context?: string;
  readonly dryRun: boolean;
}

type StepState = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'TimedOut' | 'Skipped' | 'NotRun';

interface StepOutcome {
  readonly step: PipelineStep;
  readonly state: StepState;
  readonly elapsedMs: number;
  readonly detail?: string;
}

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
  'step-timeout': { type: 'string' },
  'poll-interval': { type: 'string' },
  'log-lines': { type: 'string' },
  kubectl: { type: 'string' },
  context: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function parseOptions(argv: readonly string[], now: Date = new Date()): PipelineOptions | 'help' {
  let flags: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: false }>
  >['values'];
  try {
    flags = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (flags.help) return 'help';

  const outputs = flags.outputs ? readOutputs(flags.outputs) : {};
  const runId =
    flags['run-id'] ?? `run-${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`;
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new UsageError(
      `--run-id=${runId}: use 1-24 of a-z, 0-9 and '-', starting and ending with a letter or digit`,
    );
  }
  const bucket = flags.bucket ?? outputs[OUTPUT_KEYS.artifactBucketName];
  const region = flags.region ?? outputs[OUTPUT_KEYS.region];
  let image = flags.image;
  if (!image && flags['image-tag']) {
    const repository = outputs[OUTPUT_KEYS.ecrRepositoryUri];
    if (!repository)
      throw new UsageError(
        `--image-tag needs --outputs with ${OUTPUT_KEYS.ecrRepositoryUri}, or use --image`,
      );
    image = `${repository}:${flags['image-tag']}`;
  }
  const missing = [
    ...(bucket ? [] : [`--bucket (or ${OUTPUT_KEYS.artifactBucketName} in --outputs)`]),
    ...(region ? [] : [`--region (or ${OUTPUT_KEYS.region} in --outputs)`]),
    ...(image ? [] : ['--image, or --image-tag with --outputs']),
  ];
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')}\n${USAGE}`);
  if (image && !/^[^\s:]+(:\d+)?\/[^\s]+(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/.test(image)) {
    throw new UsageError(
      `--image=${image}: a registry image with a tag or digest, e.g. <account>.dkr.ecr.<region>.amazonaws.com/zenml:spark-0123abcd`,
    );
  }
  const from = (flags.from ?? PIPELINE_STEPS[0]) as PipelineStep;
  if (!PIPELINE_STEPS.includes(from))
    throw new UsageError(`--from=${flags.from}: one of ${PIPELINE_STEPS.join(', ')}`);
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
    },
    namespace: flags.namespace ?? outputs[OUTPUT_KEYS.sparkNamespace] ?? SPARK_NAMESPACE,
    from,
    inputUri: flags.input,
    minAccuracy,
    stepTimeoutMs: number('--step-timeout', flags['step-timeout'] ?? '2100', 1, 86_400) * 1000,
    pollIntervalMs: number('--poll-interval', flags['poll-interval'] ?? '5', 0.01, 60) * 1000,
    logLines: Math.round(number('--log-lines', flags['log-lines'] ?? '80', 1, 10_000)),
    kubectl: flags.kubectl ?? 'kubectl',
    context: flags.context,
    dryRun: flags['dry-run'] ?? false,
  };
}

function number(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`${flag}=${text}: a number from ${min} to ${max}`);
  }
  return value;
}

/** Stack outputs from a flat {key: value} JSON map or `aws cloudformation describe-stacks` output. */
export function readOutputs(file: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--outputs=${file}: cannot read it as JSON (${(err as Error).message})`);
  }
  const stacks = (
    parsed as { Stacks?: Array<{ Outputs?: Array<{ OutputKey: string; OutputValue: string }> }> }
  )?.Stacks;
  if (Array.isArray(stacks)) {
    return Object.fromEntries((stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  }
  if (parsed && typeof parsed === 'object' && Object.values(parsed).every((v) => typeof v === 'string')) {
    return parsed as Record<string, string>;
  }
  throw new UsageError(`--outputs=${file}: expected {"OutputKey": "value", ...} or describe-stacks output`);
}

interface Io {
  readonly out: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const KUBECTL_CALL_TIMEOUT_MS = 60_000;
const MAX_FAILED_READS = 5;

function kubectl(opts: PipelineOptions, io: Io, args: string[]): Promise<KubectlResult> {
  const full = [...(opts.context ? ['--context', opts.context] : []), '--request-timeout=30s', ...args];
  return new Promise((resolve, reject) => {
    execFile(
      opts.kubectl,
      full,
      { env: io.env, timeout: KUBECTL_CALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(
            new UsageError(
              `kubectl not found (--kubectl=${opts.kubectl}): install kubectl and point it at the cluster ` +
                '(aws eks update-kubeconfig --name <cluster>), or pass --kubectl PATH',
              3,
            ),
          );
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

async function kubectlOk(opts: PipelineOptions, io: Io, args: string[]): Promise<string> {
  const result = await kubectl(opts, io, args);
  if (result.code !== 0) {
    throw new UsageError(
      `kubectl ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`,
      3,
    );
  }
  return result.stdout;
}

interface JobStatus {
  readonly state: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  readonly message?: string;
}

export function jobState(job: {
  status?: {
    active?: number;
    ready?: number;
    conditions?: Array<{ type: string; status: string; message?: string; reason?: string }>;
  };
}): JobStatus {
  const conditions = job.status?.conditions ?? [];
  const on = (type: string) => conditions.find((c) => c.type === type && c.status === 'True');
  const failed = on('Failed') ?? on('FailureTarget');
  if (failed) return { state: 'Failed', message: [failed.reason, failed.message].filter(Boolean).join(': ') };
  if (on('Complete') ?? on('SuccessCriteriaMet')) return { state: 'Succeeded' };
  return { state: (job.status?.ready ?? job.status?.active ?? 0) > 0 ? 'Running' : 'Pending' };
}

function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The newest driver pod's log tail: with retries, the last attempt is the interesting one. */
async function driverLogTail(opts: PipelineOptions, io: Io, jobName: string): Promise<string> {
  const pods = await kubectl(opts, io, [
    'get',
    'pods',
    '-n',
    opts.namespace,
    '-l',
    `batch.kubernetes.io/job-name=${jobName}`,
    '-o',
    'json',
  ]);
  if (pods.code !== 0) return `(could not list the driver pods: ${pods.stderr.trim()})`;
  const items = (JSON.parse(pods.stdout).items ?? []) as Array<{
    metadata: { name: string; creationTimestamp?: string };
  }>;
  const newest = items
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))
    .at(-1);
  if (!newest) return '(no driver pod was created: see kubectl describe job)';
  const logs = await kubectl(opts, io, [
    'logs',
    '-n',
    opts.namespace,
    newest.metadata.name,
    '-c',
    'driver',
    `--tail=${opts.logLines}`,
  ]);
  return logs.code === 0
    ? logs.stdout.trimEnd()
    : `(no log from ${newest.metadata.name}: ${logs.stderr.trim()})`;
}

async function runStep(
  opts: PipelineOptions,
  io: Io,
  step: PipelineStep,
  index: number,
  manifest: string,
): Promise<StepOutcome> {
  const jobName = stepObjectName(opts.values.runId, step);
  const label = `[${index + 1}/${PIPELINE_STEPS.length}] ${step.padEnd(11)}`;
  const started = Date.now();
  const existing = await kubectl(opts, io, ['get', 'job', jobName, '-n', opts.namespace, '-o', 'json']);
  if (existing.code === 0) {
    const status = jobState(JSON.parse(existing.stdout));
    if (status.state === 'Succeeded') {
      io.out(`${label} Skipped     already succeeded for run ${opts.values.runId}`);
      return { step, state: 'Skipped', elapsedMs: 0 };
    }
    if (status.state === 'Failed') {
      return {
        step,
        state: 'Failed',
        elapsedMs: 0,
        detail: `job ${jobName} already failed for this run id; delete it (kubectl delete job ${jobName} -n ${opts.namespace}) or use a new --run-id`,
      };
    }
  }
  await kubectlOk(opts, io, ['apply', '-n', opts.namespace, '-f', manifest]);
  let last = '';
  let lastPrinted = 0;
  let failedReads = 0;
  for (;;) {
    const elapsed = Date.now() - started;
    const got = await kubectl(opts, io, ['get', 'job', jobName, '-n', opts.namespace, '-o', 'json']);
    // One failed read is a blip; several in a row (Job deleted, credentials expired) end the wait.
    failedReads = got.code === 0 ? 0 : failedReads + 1;
    if (failedReads >= MAX_FAILED_READS) {
      return {
        step,
        state: 'Failed',
        elapsedMs: elapsed,
        detail: `kubectl get job ${jobName} failed ${failedReads} times in a row: ${got.stderr.trim()}`,
      };
    }
    const status: JobStatus =
      got.code === 0
        ? jobState(JSON.parse(got.stdout))
        : { state: last === '' ? 'Pending' : (last as JobStatus['state']) };
    // A line per change, and a heartbeat every 30 s so a long step visibly progresses.
    if (status.state !== last || Date.now() - lastPrinted >= 30_000) {
      io.out(`${label} ${status.state.padEnd(11)} ${formatElapsed(elapsed)}`);
      last = status.state;
      lastPrinted = Date.now();
    }
    if (status.state === 'Succeeded' || status.state === 'Failed') {
      // The headless Service only serves this driver; the Job itself is removed by its TTL.
      await kubectl(opts, io, [
        'delete',
        'service',
        `${jobName}-driver`,
        '-n',
        opts.namespace,
        '--ignore-not-found',
      ]);
      return { step, state: status.state, elapsedMs: Date.now() - started, detail: status.message };
    }
    if (elapsed >= opts.stepTimeoutMs) {
      return {
        step,
        state: 'TimedOut',
        elapsedMs: elapsed,
        detail: `no result after ${formatElapsed(opts.stepTimeoutMs)} (--step-timeout)`,
      };
    }
    await sleep(Math.min(opts.pollIntervalMs, Math.max(0, opts.stepTimeoutMs - elapsed)));
  }
}

export async function runPipeline(opts: PipelineOptions, io: Io): Promise<number> {
  const { shared, steps: objects } = pipelineObjectsByStep(opts.values, {
    inputUri: opts.inputUri,
    minAccuracy: opts.minAccuracy,
  });
  const dir = mkdtempSync(join(tmpdir(), 'run-pipeline-'));
  try {
    const sharedFile = join(dir, '0-shared.yaml');
    writeFileSync(sharedFile, toYaml(shared));
    const files = PIPELINE_STEPS.map((step, i) => {
      const file = join(dir, `${i + 1}-${step}.yaml`);
      writeFileSync(file, toYaml(objects[step]));
      return file;
    });
    if (opts.dryRun) {
      io.out(`# kubectl apply -n ${opts.namespace} -f ${sharedFile}`);
      io.out(toYaml(shared));
      PIPELINE_STEPS.forEach((step, i) => {
        io.out(
          `# ${step}: kubectl apply -n ${opts.namespace} -f ${files[i]}, then wait for job ${stepObjectName(opts.values.runId, step)}`,
        );
        io.out(toYaml(objects[step]));
      });
      return 0;
    }

    const version = await kubectl(opts, io, ['version', '--client', '-o', 'json']);
    if (version.code !== 0)
      throw new UsageError(`kubectl version --client failed: ${version.stderr.trim()}`, 3);
    io.out(`run ${opts.values.runId}: image ${opts.values.imageUri}`);
    io.out(
      `outputs: s3a://${opts.values.bucketName}/runs/${opts.values.runId}/<step>/  namespace: ${opts.namespace}`,
    );
    await kubectlOk(opts, io, ['apply', '-n', opts.namespace, '-f', sharedFile]);

    const outcomes: StepOutcome[] = [];
    const first = PIPELINE_STEPS.indexOf(opts.from);
    for (const [i, step] of PIPELINE_STEPS.entries()) {
      if (i < first) {
        outcomes.push({ step, state: 'Skipped', elapsedMs: 0, detail: `--from ${opts.from}` });
        continue;
      }
      const outcome = await runStep(opts, io, step, i, files[i]);
      outcomes.push(outcome);
      if (outcome.state === 'Failed' || outcome.state === 'TimedOut') {
        io.out('');
        io.out(
          `step ${step} ${outcome.state === 'Failed' ? 'failed' : 'timed out'}: ${outcome.detail ?? 'see the driver log'}`,
        );
        io.out(`--- last ${opts.logLines} lines of the ${step} driver log ---`);
        io.out(await driverLogTail(opts, io, stepObjectName(opts.values.runId, step)));
        io.out('--- end of log ---');
        for (const rest of PIPELINE_STEPS.slice(i + 1))
          outcomes.push({ step: rest, state: 'NotRun', elapsedMs: 0 });
        break;
      }
    }
    io.out('');
    io.out(summary(outcomes));
    const failed = outcomes.some((o) => o.state === 'Failed' || o.state === 'TimedOut');
    io.out(failed ? `run ${opts.values.runId}: FAILED` : `run ${opts.values.runId}: all steps succeeded`);
    return failed ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summary(outcomes: readonly StepOutcome[]): string {
  const rows = outcomes.map((o) => [
    o.step,
    o.state,
    o.state === 'Skipped' || o.state === 'NotRun' ? '-' : formatElapsed(o.elapsedMs),
  ]);
  const widths = [11, 10, 8];
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join(' ')
      .trimEnd();
  return [line(['step', 'state', 'elapsed']), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join(
    '\n',
  );
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const opts = parseOptions(argv);
    if (opts === 'help') {
      io.out(HELP);
      return 0;
    }
    return await runPipeline(opts, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.out(`run-pipeline: ${err.message}`);
      return err.exitCode;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { out: (line) => console.log(line), env: process.env }).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
