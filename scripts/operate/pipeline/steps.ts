/**
 * Step sequencing of run-pipeline: the Jobs of one run applied in order, each only after the
 * previous one succeeded, each wait bounded, a line per state change, and on a failure the failing
 * driver's log tail. kubectl.ts talks to the cluster; run-pipeline.ts is the command line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ManifestValues, pipelineObjectsByStep, toYaml } from '../../../k8s/manifests';
import { stepObjectName } from '../../../k8s/pipeline-jobs-chart';
import { PIPELINE_STEPS, type PipelineStep } from '../../../lib/settings/pipeline';
import { CliError } from '../../lib/cli';
import { driverLogTail, EXIT_KUBECTL_UNUSABLE, type Kubectl, kubectl, kubectlOk } from './kubectl';

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

/** Where run-pipeline writes its progress, and the environment kubectl runs with. */
export interface Io {
  readonly out: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

type StepState = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'TimedOut' | 'Skipped' | 'NotRun';

interface StepOutcome {
  readonly step: PipelineStep;
  readonly state: StepState;
  readonly elapsedMs: number;
  readonly detail?: string;
}

const MAX_FAILED_READS = 5;

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

async function runStep(
  opts: PipelineOptions,
  k: Kubectl,
  io: Io,
  step: PipelineStep,
  index: number,
  manifest: string,
): Promise<StepOutcome> {
  const jobName = stepObjectName(opts.values.runId, step);
  const label = `[${index + 1}/${PIPELINE_STEPS.length}] ${step.padEnd(11)}`;
  const started = Date.now();
  const existing = await kubectl(k, ['get', 'job', jobName, '-n', opts.namespace, '-o', 'json']);
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
  await kubectlOk(k, ['apply', '-n', opts.namespace, '-f', manifest]);
  let last = '';
  let lastPrinted = 0;
  let failedReads = 0;
  for (;;) {
    const elapsed = Date.now() - started;
    const got = await kubectl(k, ['get', 'job', jobName, '-n', opts.namespace, '-o', 'json']);
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
      await kubectl(k, [
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
  const k: Kubectl = { path: opts.kubectl, context: opts.context, env: io.env };
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

    const version = await kubectl(k, ['version', '--client', '-o', 'json']);
    if (version.code !== 0)
      throw new CliError(`kubectl version --client failed: ${version.stderr.trim()}`, EXIT_KUBECTL_UNUSABLE);
    io.out(`run ${opts.values.runId}: image ${opts.values.imageUri}`);
    io.out(
      `outputs: s3a://${opts.values.bucketName}/runs/${opts.values.runId}/<step>/  namespace: ${opts.namespace}`,
    );
    await kubectlOk(k, ['apply', '-n', opts.namespace, '-f', sharedFile]);

    const outcomes: StepOutcome[] = [];
    const first = PIPELINE_STEPS.indexOf(opts.from);
    for (const [i, step] of PIPELINE_STEPS.entries()) {
      if (i < first) {
        outcomes.push({ step, state: 'Skipped', elapsedMs: 0, detail: `--from ${opts.from}` });
        continue;
      }
      const outcome = await runStep(opts, k, io, step, i, files[i]);
      outcomes.push(outcome);
      if (outcome.state === 'Failed' || outcome.state === 'TimedOut') {
        io.out('');
        io.out(
          `step ${step} ${outcome.state === 'Failed' ? 'failed' : 'timed out'}: ${outcome.detail ?? 'see the driver log'}`,
        );
        io.out(`--- last ${opts.logLines} lines of the ${step} driver log ---`);
        io.out(
          await driverLogTail(k, opts.namespace, stepObjectName(opts.values.runId, step), opts.logLines),
        );
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
