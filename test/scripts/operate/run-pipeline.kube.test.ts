/**
 * run-pipeline's step sequencing against a real API server, Job controller and scheduler
 * (scripts/verify/test-kubernetes.sh). There is no kubelet, so a small node simulator in this file
 * plays the kubelet's part through the API: it sets each driver pod's status to Succeeded (exit 0)
 * or Failed (exit 1), or leaves it Pending; the Job controller then completes or fails the Job by
 * the chart's own podFailurePolicy, and run-pipeline meets real watch/poll semantics, events and
 * admission. What stays untested here: container logs (no kubelet serves them) and real pulls.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { stepObjectName } from '../../../k8s/pipeline-jobs-chart';
import { SPARK_NAMESPACE } from '../../../lib/settings/names';
import { PIPELINE_STEPS, type PipelineStep } from '../../../lib/settings/pipeline';
import { main } from '../../../scripts/operate/run-pipeline';
import { type ControlPlane, controlPlane, kubectl, kubectlOk } from '../../../scripts/verify/kube/cluster';
import { applySparkRbac } from '../../k8s/kube-fixtures';

type Outcome = 'succeed' | 'fail' | 'hang';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml:spark-0123abcd';
let cp: ControlPlane;
let work: string;

/** Plays the kubelet: finishes each driver pod of a run as its step's outcome says. */
class NodeSimulator {
  private stopped = false;
  private readonly loop: Promise<void>;
  readonly finished: string[] = [];

  constructor(
    private readonly runId: string,
    private readonly outcomes: Partial<Record<PipelineStep, Outcome>>,
    private readonly namespace = SPARK_NAMESPACE,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const pods = JSON.parse(
        kubectlOk(cp, [
          'get',
          'pods',
          '-n',
          this.namespace,
          '-l',
          `zenml-spark-eks/run-id=${this.runId}`,
          '-o',
          'json',
        ]),
      ).items as Array<{
        metadata: { name: string; labels: Record<string, string> };
        status: { phase?: string };
      }>;
      for (const pod of pods) {
        const outcome =
          this.outcomes[pod.metadata.labels['zenml-spark-eks/step'] as PipelineStep] ?? 'succeed';
        if (
          pod.status.phase !== 'Pending' ||
          outcome === 'hang' ||
          this.finished.includes(pod.metadata.name)
        ) {
          continue;
        }
        const exitCode = outcome === 'succeed' ? 0 : 1;
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const status = {
          status: {
            phase: exitCode === 0 ? 'Succeeded' : 'Failed',
            containerStatuses: [
              {
                name: 'driver',
                image: IMAGE,
                imageID: '',
                ready: false,
                restartCount: 0,
                state: {
                  terminated: {
                    exitCode,
                    reason: exitCode === 0 ? 'Completed' : 'Error',
                    startedAt: now,
                    finishedAt: now,
                  },
                },
              },
            ],
          },
        };
        kubectlOk(cp, [
          'patch',
          'pod',
          pod.metadata.name,
          '-n',
          this.namespace,
          '--subresource=status',
          '--type=merge',
          '-p',
          JSON.stringify(status),
        ]);
        this.finished.push(pod.metadata.name);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/**
 * kubectl's environment: the kubeconfig, and a HOME of the test's own, or kubectl writes its
 * discovery cache to ./.kube/cache (the repository) when HOME is unset.
 */
const kubectlEnv = (kubeconfig: string): NodeJS.ProcessEnv => ({ KUBECONFIG: kubeconfig, HOME: work });

async function runPipeline(
  argv: string[],
  env: NodeJS.ProcessEnv = kubectlEnv(cp.kubeconfig),
  onLine: (line: string) => void = () => {},
) {
  const lines: string[] = [];
  const started = Date.now();
  const code = await main(
    [
      '--bucket',
      'zenml-spark-artifacts-test',
      '--region',
      'eu-west-1',
      '--kubectl',
      cp.kubectl,
      '--poll-interval',
      '0.2',
      ...argv,
    ],
    // HOME: kubectl keeps its discovery cache under $HOME/.kube; never in the working directory.
    {
      out: (l) => {
        lines.push(l);
        onLine(l);
      },
      env: { PATH: process.env.PATH, HOME: work, ...env },
    },
  );
  return { code, output: lines.join('\n'), seconds: (Date.now() - started) / 1000 };
}

function job(runId: string, step: PipelineStep) {
  const r = kubectl(cp, ['get', 'job', stepObjectName(runId, step), '-n', SPARK_NAMESPACE, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

function deleteRun(runId: string, namespace = SPARK_NAMESPACE) {
  kubectl(cp, [
    'delete',
    'jobs,services,configmaps,pods',
    '-n',
    namespace,
    '-l',
    `zenml-spark-eks/run-id=${runId}`,
    '--wait=false',
  ]);
  kubectl(cp, [
    'delete',
    'configmap',
    `spark-${runId}-executor-template`,
    '-n',
    namespace,
    '--ignore-not-found',
  ]);
}

async function withSimulator<T>(
  runId: string,
  outcomes: Partial<Record<PipelineStep, Outcome>>,
  body: () => Promise<T>,
) {
  const sim = new NodeSimulator(runId, outcomes);
  try {
    return await body();
  } finally {
    await sim.stop();
  }
}

beforeAll(() => {
  cp = controlPlane();
  applySparkRbac(cp);
  work = mkdtempSync(join(tmpdir(), 'run-pipeline-kube-'));
});

afterAll(() => {
  for (const runId of ['ok-1', 'fail-1', 'pending-1', 'resume-1', 'gone-1', 'ctx-1']) deleteRun(runId);
  kubectl(cp, ['delete', 'namespace', 'quota-test', 'no-sa-test', '--wait=false']);
  rmSync(work, { recursive: true, force: true });
});

describe('run-pipeline against a real API server', () => {
  test('GIVEN every driver succeeds THEN the five Jobs run in order, each created after the previous completed', async () => {
    const { code, output } = await withSimulator('ok-1', {}, () =>
      runPipeline(['--image', IMAGE, '--run-id', 'ok-1', '--step-timeout', '60']),
    );
    expect(code).toBe(0);
    expect(output).toContain('run ok-1: all steps succeeded');
    for (const step of PIPELINE_STEPS) expect(output).toMatch(new RegExp(`^${step} +Succeeded +\\d+s$`, 'm'));
    const jobs = PIPELINE_STEPS.map((s) => job('ok-1', s));
    for (let i = 1; i < jobs.length; i++) {
      expect(jobs[i].metadata.creationTimestamp >= jobs[i - 1].status.completionTime).toBe(true);
    }
    // Each finished step's headless driver Service is removed; the Jobs stay for their TTL.
    expect(
      kubectlOk(cp, [
        'get',
        'services',
        '-n',
        SPARK_NAMESPACE,
        '-l',
        'zenml-spark-eks/run-id=ok-1',
        '-o',
        'name',
      ]),
    ).toBe('');
  });

  test('GIVEN the splitter driver exits 1 THEN the podFailurePolicy fails its Job at once, the run stops there and says why', async () => {
    const { code, output } = await withSimulator('fail-1', { splitter: 'fail' }, () =>
      runPipeline(['--image', IMAGE, '--run-id', 'fail-1', '--step-timeout', '60']),
    );
    expect(code).toBe(1);
    expect(output).toMatch(
      /step splitter failed: PodFailurePolicy: Container driver for pod spark-namespace\/spark-fail-1-splitter-\w+ failed with exit code 1/,
    );
    expect(output).toMatch(/pod spark-fail-1-splitter-\w+: Failed/);
    expect(output).toContain('container driver terminated: Error (exit code 1)');
    expect(output).toMatch(/^transformer +NotRun +-$/m);
    expect(job('fail-1', 'splitter').status.failed).toBe(1);
    expect(job('fail-1', 'transformer')).toBeUndefined();
  });

  test('GIVEN a Job left failed by an earlier attempt WHEN the run id is reused THEN the run stops before re-applying it, with the fix', async () => {
    const { code, output } = await runPipeline([
      '--image',
      IMAGE,
      '--run-id',
      'fail-1',
      '--step-timeout',
      '60',
    ]);
    expect(code).toBe(1);
    expect(output).toMatch(/^\[1\/5\] importer +Skipped +already succeeded for run fail-1$/m);
    expect(output).toContain('kubectl delete job spark-fail-1-splitter -n spark-namespace');
  });

  test('GIVEN a driver pod that can never be scheduled THEN the bounded wait ends and says why the pod is not running', async () => {
    const { code, output, seconds } = await withSimulator('pending-1', { importer: 'hang' }, () =>
      runPipeline(['--image', IMAGE, '--run-id', 'pending-1', '--step-timeout', '8']),
    );
    expect(code).toBe(1);
    expect(seconds).toBeLessThan(60);
    expect(output).toContain('step importer timed out: no result after 8s (--step-timeout)');
    expect(output).toMatch(/importer +Pending +\d+s +not scheduled: no nodes available to schedule pods/);
    expect(output).toMatch(/PodScheduled=False: Unschedulable: no nodes available to schedule pods/);
    expect(output).toMatch(/Pod\/spark-pending-1-importer-\w+ Warning FailedScheduling: no nodes available/);
    expect(job('pending-1', 'statistics')).toBeUndefined();
  });

  test('GIVEN a run whose trainer timed out WHEN resumed --from trainer THEN earlier steps are skipped and the existing trainer Job is waited for, not recreated', async () => {
    const first = await withSimulator('resume-1', { trainer: 'hang' }, () =>
      runPipeline(['--image', IMAGE, '--run-id', 'resume-1', '--step-timeout', '5']),
    );
    expect(first.code).toBe(1);
    expect(first.output).toContain('step trainer timed out');
    const uid = job('resume-1', 'trainer').metadata.uid;
    // The simulator starts only once the runner waits for the trainer again: otherwise it could
    // finish the old pod first and the runner would (rightly) skip a Job that already succeeded.
    let sim: NodeSimulator | undefined;
    const second = await runPipeline(
      ['--image', IMAGE, '--run-id', 'resume-1', '--from', 'trainer', '--step-timeout', '60'],
      undefined,
      (line) => {
        if (!sim && /^\[5\/5\] trainer +(Pending|Running)/.test(line))
          sim = new NodeSimulator('resume-1', {});
      },
    );
    await sim?.stop();
    expect(second.code).toBe(0);
    expect(second.output).toMatch(/^importer +Skipped +-$/m);
    expect(second.output).toMatch(/^trainer +Succeeded +\d+s$/m);
    expect(job('resume-1', 'trainer').metadata.uid).toBe(uid);
  });

  test('GIVEN the Jobs of a run id exist with another image WHEN rerun THEN it stops before changing anything and says what to do', async () => {
    const other = IMAGE.replace('spark-0123abcd', 'spark-feedbeef');
    const before = job('ok-1', 'importer').metadata.resourceVersion;
    const { code, output } = await runPipeline([
      '--image',
      other,
      '--run-id',
      'ok-1',
      '--step-timeout',
      '60',
    ]);
    expect(code).toBe(1);
    expect(output).toContain(
      "run ok-1 already has Jobs this run cannot change (a Job's pod template is immutable)",
    );
    expect(output).toContain(`job spark-ok-1-importer exists with image ${IMAGE} (wanted ${other})`);
    expect(output).toContain('kubectl delete job spark-ok-1-importer spark-ok-1-statistics');
    expect(output).not.toContain('field is immutable');
    expect(job('ok-1', 'importer').metadata.resourceVersion).toBe(before);
  });

  test('GIVEN a namespace without the Spark service account THEN the driver pods are refused before anything is created', async () => {
    kubectlOk(cp, ['create', 'namespace', 'no-sa-test']);
    const { code, output } = await runPipeline([
      '--image',
      IMAGE,
      '--run-id',
      'nosa-1',
      '--namespace',
      'no-sa-test',
      '--step-timeout',
      '30',
    ]);
    expect(code).toBe(1);
    expect(output).toContain('the API server refused objects of run nosa-1; nothing was applied');
    expect(output).toMatch(/serviceaccount "spark-service-account" not found/);
    expect(kubectlOk(cp, ['get', 'configmaps,services,jobs', '-n', 'no-sa-test', '-o', 'name'])).not.toMatch(
      /nosa-1/,
    );
  });

  test('GIVEN the API server refuses one kind of the run (a quota on Jobs) THEN nothing of the run is created', async () => {
    kubectlOk(cp, ['create', 'namespace', 'quota-test']);
    kubectlOk(cp, ['create', 'quota', 'no-jobs', '-n', 'quota-test', '--hard=count/jobs.batch=0']);
    const { code, output } = await runPipeline([
      '--image',
      IMAGE,
      '--run-id',
      'quota-1',
      '--namespace',
      'quota-test',
      '--step-timeout',
      '30',
    ]);
    expect(code).toBe(1);
    expect(output).toContain('the API server refused objects of run quota-1; nothing was applied');
    expect(output).toMatch(/exceeded quota: no-jobs/);
    expect(kubectlOk(cp, ['get', 'configmaps,services,jobs', '-n', 'quota-test', '-o', 'name'])).not.toMatch(
      /quota-1/,
    );
  });

  test('GIVEN a Job deleted while waited for THEN the wait ends after a few failed reads', async () => {
    const sim = new NodeSimulator('gone-1', { importer: 'hang' });
    const running = runPipeline(['--image', IMAGE, '--run-id', 'gone-1', '--step-timeout', '60']);
    const deadline = Date.now() + 30_000;
    while (!job('gone-1', 'importer') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    kubectlOk(cp, [
      'delete',
      'job',
      stepObjectName('gone-1', 'importer'),
      '-n',
      SPARK_NAMESPACE,
      '--wait=false',
    ]);
    const { code, output } = await running;
    await sim.stop();
    expect(code).toBe(1);
    expect(output).toMatch(
      /kubectl get job spark-gone-1-importer failed 5 times in a row: Error from server \(NotFound\)/,
    );
  });

  test('--context is used for every call: with a kubeconfig whose current context is broken, the named one works', async () => {
    const config = parse(readFileSync(cp.kubeconfig, 'utf8'));
    config.contexts[0].name = 'zenml-test';
    config.clusters.push({ name: 'broken', cluster: { server: 'https://127.0.0.1:1' } });
    config.contexts.push({ name: 'broken', context: { cluster: 'broken', user: config.users[0].name } });
    config['current-context'] = 'broken';
    const kubeconfig = join(work, 'kubeconfig');
    writeFileSync(kubeconfig, stringify(config), { mode: 0o600 });
    const { code, output } = await withSimulator('ctx-1', {}, () =>
      runPipeline(
        ['--image', IMAGE, '--run-id', 'ctx-1', '--context', 'zenml-test', '--step-timeout', '60'],
        kubectlEnv(kubeconfig),
      ),
    );
    expect(code).toBe(0);
    expect(output).toContain('run ctx-1: all steps succeeded');
    // Without --context the same kubeconfig cannot reach the server.
    const without = await runPipeline(
      ['--image', IMAGE, '--run-id', 'ctx-2', '--step-timeout', '5'],
      kubectlEnv(kubeconfig),
    );
    expect(without.code).toBe(1);
    expect(without.output).toMatch(/127\.0\.0\.1:1/);
  });
});
