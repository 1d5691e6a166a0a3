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
import { historyLink } from '../../../lib/settings/spark-history';
import { CliError } from '../../lib/cli';
import { diagnose, diagnosisReport, newestPod, type PodJson, pendingReason } from './diagnosis';
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
  /** Where an error line goes (stderr); tests leave it out to read everything from `out`. */
  readonly err?: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

type StepState = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'TimedOut' | 'Skipped' | 'NotRun';

interface StepOutcome {
  readonly step: PipelineStep;
  readonly state: StepState;
  readonly elapsedMs: number;
  readonly detail?: string;
  /** The Spark application id of the step's (last) driver: its pod's name (lib/settings/spark-history.ts). */
  readonly appId?: string;
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

interface JobSpecJson {
  readonly spec?: {
    readonly template?: {
      readonly spec?: {
        readonly containers?: ReadonlyArray<{ image?: string; command?: string[]; args?: string[] }>;
      };
    };
  };
}

/**
 * How an existing Job's pod template differs from the one this run would apply (image first, then
 * command and arguments), or undefined when it does not. A Job's pod template is immutable, so a
 * difference means the apply would fail with `spec.template: field is immutable`.
 */
export function specDifference(existing: JobSpecJson, desired: JobSpecJson): string | undefined {
  const a = existing.spec?.template?.spec?.containers?.[0];
  const b = desired.spec?.template?.spec?.containers?.[0];
  if (a?.image !== b?.image) return `image ${a?.image} (wanted ${b?.image})`;
  if (JSON.stringify(a?.command ?? []) !== JSON.stringify(b?.command ?? [])) return 'another command';
  const [argsA, argsB] = [a?.args ?? [], b?.args ?? []];
  const longest = Math.max(argsA.length, argsB.length);
  const i = Array.from({ length: longest }, (_, n) => n).find((n) => argsA[n] !== argsB[n]) ?? -1;
  if (i >= 0) {
    return `other spark-submit arguments (first difference: ${argsA[i] ?? '(none)'} vs ${argsB[i] ?? '(none)'})`;
  }
  return undefined;
}

/** The pod a step's Job will create, for a server-side dry run of its admission. */
export function driverPodOf(stepObjects: readonly object[], jobName: string): object {
  const job = stepObjects.find((o) => (o as { kind?: string }).kind === 'Job') as {
    metadata: { namespace?: string };
    spec: { template: { metadata?: Record<string, unknown>; spec: object } };
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...job.spec.template.metadata,
      generateName: `${jobName}-`,
      namespace: job.metadata.namespace,
    },
    spec: job.spec.template.spec,
  };
}

/** Jobs of this run that already exist with a pod template this run cannot apply over. */
async function conflictingJobs(
  opts: PipelineOptions,
  k: Kubectl,
  steps: readonly PipelineStep[],
  objects: Record<PipelineStep, object[]>,
): Promise<string[]> {
  const conflicts: string[] = [];
  for (const step of steps) {
    const name = stepObjectName(opts.values.runId, step);
    const got = await kubectl(k, ['get', 'job', name, '-n', opts.namespace, '-o', 'json']);
    if (got.code !== 0) continue;
    const desired = objects[step].find((o) => (o as { kind?: string }).kind === 'Job') as JobSpecJson;
    const diff = specDifference(JSON.parse(got.stdout), desired);
    if (diff) conflicts.push(`job ${name} exists with ${diff}`);
  }
  return conflicts;
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
  let appId: string | undefined;
  // The driver's application id is its pod's name (spark.app.id in the Job): printed with the
  // history link once the pod exists, again if a retry brings a new pod.
  const noteApplication = async () => {
    const name = await newestPodName(k, opts.namespace, jobName);
    if (name && name !== appId) {
      appId = name;
      io.out(`${label} app ${name}  history: ${historyLink(name)}  (npm run spark-ui)`);
    }
  };
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
    // A line per change, and a heartbeat every 30 s so a long step visibly progresses. A Pending
    // step says why (no node yet, the autoscaler adding one, an image pull): minutes can pass there.
    if (status.state !== last || Date.now() - lastPrinted >= 30_000) {
      let why = '';
      if (status.state === 'Pending') {
        const d = await diagnose(k, opts.namespace, jobName);
        why = pendingReason(d.pod, d.events);
      }
      io.out(
        `${label} ${status.state.padEnd(11)} ${formatElapsed(elapsed)}${why ? `  ${why}` : ''}`.trimEnd(),
      );
      last = status.state;
      lastPrinted = Date.now();
      if (status.state !== 'Pending') await noteApplication();
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
      return { step, state: status.state, elapsedMs: Date.now() - started, detail: status.message, appId };
    }
    if (elapsed >= opts.stepTimeoutMs) {
      return {
        step,
        state: 'TimedOut',
        elapsedMs: elapsed,
        detail: `no result after ${formatElapsed(opts.stepTimeoutMs)} (--step-timeout)`,
        appId,
      };
    }
    await sleep(Math.min(opts.pollIntervalMs, Math.max(0, opts.stepTimeoutMs - elapsed)));
  }
}

export async function runPipeline(opts: PipelineOptions, io: Io): Promise<number> {
  const { shared, steps: objects } = pipelineObjectsByStep(opts.values, {
    inputUri: opts.inputUri,
    minAccuracy: opts.minAccuracy,
    namespaceName: opts.namespace,
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
    const first = PIPELINE_STEPS.indexOf(opts.from);
    const selected = PIPELINE_STEPS.slice(first);

    // Before anything is created: a rerun of this run id must not meet Jobs it cannot change...
    const conflicts = await conflictingJobs(opts, k, selected, objects);
    if (conflicts.length > 0) {
      const names = conflicts.map((c) => c.split(' ')[1]).join(' ');
      throw new CliError(
        `run ${opts.values.runId} already has Jobs this run cannot change (a Job's pod template is immutable):\n` +
          `${conflicts.map((c) => `  ${c}`).join('\n')}\n` +
          `delete them (kubectl delete job ${names} -n ${opts.namespace}) or use a new --run-id`,
      );
    }
    // ...and the API server must accept every object of the run, and the driver pod each Job will
    // create (admission: Pod Security, the service account, quotas), so that a refused object
    // leaves nothing half-applied behind and a pod that could never be created is named now.
    const podsFile = join(dir, 'driver-pods.yaml');
    writeFileSync(
      podsFile,
      toYaml(selected.map((step) => driverPodOf(objects[step], stepObjectName(opts.values.runId, step)))),
    );
    const refused: string[] = [];
    for (const args of [
      [
        'apply',
        '--dry-run=server',
        '-n',
        opts.namespace,
        '-f',
        sharedFile,
        ...selected.flatMap((s) => ['-f', files[PIPELINE_STEPS.indexOf(s)]]),
      ],
      ['create', '--dry-run=server', '-n', opts.namespace, '-f', podsFile],
    ]) {
      const r = await kubectl(k, args);
      if (r.code !== 0) refused.push(r.stderr.trim());
    }
    if (refused.length > 0) {
      throw new CliError(
        `the API server refused objects of run ${opts.values.runId}; nothing was applied:\n${refused.join('\n')}`,
      );
    }
    await kubectlOk(k, ['apply', '-n', opts.namespace, '-f', sharedFile]);

    const outcomes: StepOutcome[] = [];
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
        const d = await diagnose(k, opts.namespace, stepObjectName(opts.values.runId, step));
        for (const line of diagnosisReport(d)) io.out(line);
        if (d.pod) {
          io.out(`--- last ${opts.logLines} lines of the ${step} driver log (${d.pod.metadata.name}) ---`);
          io.out(await driverLogTail(k, opts.namespace, d.pod.metadata.name, opts.logLines));
          io.out('--- end of log ---');
        }
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

/** The name of the newest pod of a Job, or undefined (none yet, or the read failed). */
async function newestPodName(k: Kubectl, namespace: string, jobName: string): Promise<string | undefined> {
  const pods = await kubectl(k, [
    'get',
    'pods',
    '-n',
    namespace,
    '-l',
    `batch.kubernetes.io/job-name=${jobName}`,
    '-o',
    'json',
  ]);
  if (pods.code !== 0) return undefined;
  return newestPod((JSON.parse(pods.stdout).items ?? []) as PodJson[])?.metadata.name;
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
  const links = outcomes
    .filter((o) => o.appId)
    .map((o) => `  ${o.step.padEnd(11)} ${historyLink(o.appId as string)}`);
  return [
    line(['step', 'state', 'elapsed']),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...(links.length > 0
      ? ['', 'Spark UI of each step (open the history server with npm run spark-ui):', ...links]
      : []),
  ].join('\n');
}
