/**
 * The spark-eks step operator submits a ZenML step to a real API server, as a pipeline user would:
 * real ZenML 0.98.0 (a real server on MariaDB, moto for the S3 artifact store) runs a one-step
 * pipeline whose step uses the operator with launcher=kubernetes, authenticated as a user who is
 * only in the step submitters' group (a client certificate of the control plane's CA). Checked
 * against what the API server saw:
 *
 * - the Secret, the Job and the Job's pod are created and admitted (the namespace enforces Pod
 *   Security `restricted`, and the pod raised no violation);
 * - ZenML's step environment (its real workload API token, and a value planted in the step's
 *   environment) is in the Secret only: not in the Job, the pod, any ConfigMap, the executor pods,
 *   or the run's output; the Secret is owned by the Job and deleted when the step ends;
 * - the user's calls are exactly what the Role `zenml-step-submitter` grants (the audit log, and
 *   `kubectl auth can-i` for what it must not do);
 * - a real PySpark driver configured only from that pod's environment creates its executors as
 *   spark-service-account, owned by the driver pod, with no 4xx and no Pod Security violation;
 * - the test then plays the missing kubelet and fails the driver pod: the Job fails, the operator
 *   reports it, tries the driver log's tail (allowed; a pod without a node has none) and the run
 *   fails.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  STEP_SUBMITTER_GROUP,
  STEP_SUBMITTER_ROLE_NAME,
  STEP_SUBMITTER_RULES,
} from '../../k8s/spark-rbac-chart';
import { SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT } from '../../lib/settings/names';
import { sparkPodPlacement } from '../../lib/settings/scheduling';
import {
  type AuditEvent,
  auditEvents,
  type ControlPlane,
  canI,
  controlPlane,
  kubectl,
  kubectlOk,
  serviceAccountToken,
  serviceAccountUser,
} from '../../scripts/verify/kube/cluster';
import { type MotoServer, startMotoServer } from '../../scripts/verify/moto/moto-server';
import { applySparkRbac } from './kube-fixtures';
import { SPARK_DRIVER_API_CALLS } from './spark-driver-api';

const ROOT = join(__dirname, '..', '..');
const KUBE_SCRIPTS = join(ROOT, 'pipeline', 'tests', 'kube');
const USER = 'zenml-pipeline-user';
const SA = serviceAccountUser(SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT);
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/zenml:spark-4.1.2-zenml-0.98.0-0123456789ab';
const PLANTED = `planted-${randomUUID()}`;
const EXECUTORS = 2;

interface K8sObject {
  kind?: string;
  metadata: {
    name: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string; uid: string }>;
  };
  spec: Record<string, unknown>;
  data?: Record<string, string>;
}

let cp: ControlPlane;
let work: string;
let moto: MotoServer;
let serverState: string;
let child: ChildProcess | undefined;
let output = '';
let outcome: { completed: boolean; error?: string; seconds: number };
let job: K8sObject;
let pod: K8sObject;
let secret: K8sObject;
let secretValues: Record<string, string>;
let configMaps: string;
let secretAfterRun: { code: number; stderr: string };
let userCalls: AuditEvent[];
let driver: { output: string; executors: K8sObject[]; calls: AuditEvent[]; remaining: string[] };
let submittedAt: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, seconds: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    if (child && child.exitCode !== null && what !== 'the run to end')
      throw new Error(`the run ended before ${what}:\n${output.slice(-4000)}`);
    await sleep(500);
  }
  throw new Error(`no ${what} after ${seconds}s:\n${output.slice(-4000)}`);
}

function getJson<T>(args: string[]): T {
  return JSON.parse(kubectlOk(cp, ['get', ...args, '-n', SPARK_NAMESPACE, '-o', 'json'])) as T;
}

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
}

/** A kubeconfig for USER in the step submitters' group: a client certificate of the control plane's CA. */
function userKubeconfig(): string {
  const state = process.env.KUBE_STATE_DIR;
  if (!state) throw new Error('KUBE_STATE_DIR is not set: run through scripts/verify/test-kubernetes.sh');
  const key = join(work, 'user.key');
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', join(work, 'user.csr')].concat([
      '-subj',
      `/O=${STEP_SUBMITTER_GROUP}/CN=${USER}`,
    ]),
  );
  openssl([
    'x509',
    '-req',
    '-in',
    join(work, 'user.csr'),
    '-CA',
    join(state, 'pki', 'ca.crt'),
    '-CAkey',
    join(state, 'pki', 'ca.key'),
    '-CAserial',
    join(work, 'ca.srl'),
    '-CAcreateserial',
    '-out',
    join(work, 'user.crt'),
    '-days',
    '1',
  ]); // prettier-ignore
  const file = join(work, 'user.kubeconfig');
  const k = (args: string[]) =>
    spawnSync(cp.kubectl, ['--kubeconfig', file, 'config', ...args], { encoding: 'utf8' });
  k(['set-cluster', 'test', '--server', cp.server, '--certificate-authority', cp.caFile, '--embed-certs']);
  k([
    'set-credentials',
    USER,
    '--client-certificate',
    join(work, 'user.crt'),
    '--client-key',
    key,
    '--embed-certs',
  ]);
  k(['set-context', 'zenml-test', '--cluster', 'test', '--user', USER, '--namespace', SPARK_NAMESPACE]);
  return file;
}

/** The env file local-server.sh prints, as a map. */
function startZenmlServer(): Record<string, string> {
  const r = spawnSync(
    'bash',
    [join(ROOT, 'scripts/verify/zenml-server/local-server.sh'), 'up', serverState],
    {
      encoding: 'utf8',
      timeout: 600_000,
    },
  );
  if (r.status !== 0) throw new Error(`local-server.sh up failed:\n${r.stderr}`);
  const env: Record<string, string> = {};
  for (const m of readFileSync(r.stdout.trim(), 'utf8').matchAll(/^export (\w+)='?([^'\n]*)'?$/gm))
    env[m[1]] = m[2];
  return env;
}

function exited(proc: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`process still running after ${timeoutMs / 1000}s`));
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
}

/** A real PySpark driver from the pod's own environment (pipeline/tests/kube/driver_from_pod_env.py). */
async function runDriverFromPodEnv(venv: string): Promise<typeof driver> {
  const podFile = join(work, 'driver-pod.json');
  writeFileSync(podFile, JSON.stringify(pod));
  const tokenFile = join(work, 'sa-token');
  writeFileSync(tokenFile, serviceAccountToken(cp, SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT), { mode: 0o600 });
  const release = join(work, 'release');
  const since = new Date().toISOString();
  const proc = spawn(
    join(venv, 'bin', 'python'),
    [
      join(KUBE_SCRIPTS, 'driver_from_pod_env.py'),
      ...['--pod-json', podFile, '--server', cp.server, '--token-file', tokenFile, '--ca-file', cp.caFile],
      ...['--release-file', release],
    ],
    {
      env: {
        PATH: process.env.PATH,
        HOME: join(work, 'driver-home'),
        TMPDIR: join(work, 'tmp'),
        JAVA_HOME: process.env.JAVA_HOME,
        SPARK_LOCAL_IP: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  proc.stderr?.on('data', (d) => {
    out += d;
  });
  const done = exited(proc, 300_000);
  const list = () =>
    getJson<{ items: K8sObject[] }>([
      'pods',
      '-l',
      `spark-role=executor,step_run_id=${pod.metadata.labels?.step_run_id}`,
    ]).items;
  let executors: K8sObject[] = [];
  try {
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline && executors.length < EXECUTORS && proc.exitCode === null) {
      executors = list();
      if (executors.length < EXECUTORS) await sleep(500);
    }
  } finally {
    writeFileSync(release, '');
  }
  const code = await done;
  if (code !== 0) throw new Error(`driver from the pod's env: exit ${code}\n${out.slice(-4000)}`);
  return {
    output: out,
    executors,
    calls: auditEvents(cp).filter((e) => e.user.username === SA && e.requestReceivedTimestamp >= since),
    remaining: list().map((p) => p.metadata.name),
  };
}

beforeAll(async () => {
  cp = controlPlane();
  const venv = process.env.PIPELINE_VENV;
  if (!venv) throw new Error('PIPELINE_VENV is not set: run through scripts/verify/test-kubernetes.sh');
  applySparkRbac(cp);
  work = mkdtempSync(join(tmpdir(), 'zenml-step-kube-'));
  for (const d of ['tmp', 'home', 'driver-home', 'zenml']) mkdirSync(join(work, d));
  serverState = join(work, 'zenml-server');
  const kubeconfig = userKubeconfig();
  moto = await startMotoServer({ logFile: join(work, 'moto.log') });
  const server = startZenmlServer();
  const since = new Date().toISOString();
  submittedAt = since;

  child = spawn(
    join(venv, 'bin', 'python'),
    [
      join(KUBE_SCRIPTS, 'submit_probe_step.py'),
      ...['--context', 'zenml-test', '--moto', moto.endpoint, '--image', IMAGE],
      ...['--planted', PLANTED, '--out', join(work, 'outcome.json')],
    ],
    {
      cwd: KUBE_SCRIPTS,
      env: {
        PATH: process.env.PATH,
        HOME: join(work, 'home'),
        TMPDIR: join(work, 'tmp'),
        KUBECONFIG: kubeconfig,
        ZENML_CONFIG_PATH: join(work, 'zenml'),
        ZENML_STORE_URL: server.ZENML_STORE_URL,
        ZENML_STORE_USERNAME: server.ZENML_STORE_USERNAME,
        ZENML_STORE_PASSWORD: server.ZENML_STORE_PASSWORD,
        ZENML_ANALYTICS_OPT_IN: 'false',
        ZENML_LOGGING_COLORS_DISABLED: 'true',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });

  const byStep = ['-l', 'app.kubernetes.io/component=spark-driver,step_name=probe'];
  job = await until('Job', 240, () => getJson<{ items: K8sObject[] }>(['jobs', ...byStep]).items[0]);
  pod = await until('driver pod', 90, () => getJson<{ items: K8sObject[] }>(['pods', ...byStep]).items[0]);
  secret = getJson<K8sObject>(['secret', `zenml-step-${job.metadata.labels?.step_run_id}`]);
  secretValues = Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
  configMaps = kubectlOk(cp, ['get', 'configmaps', '-n', SPARK_NAMESPACE, '-o', 'json']);

  driver = await runDriverFromPodEnv(venv);

  // The kubelet's part: the driver container exits 1.
  kubectlOk(cp, [
    ...[
      'patch',
      'pod',
      pod.metadata.name,
      '-n',
      SPARK_NAMESPACE,
      '--subresource=status',
      '--type=merge',
      '-p',
    ],
    JSON.stringify({
      status: {
        phase: 'Failed',
        containerStatuses: [
          {
            name: 'main',
            image: IMAGE,
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 1, reason: 'Error' } },
          },
        ],
      },
    }),
  ]);
  await exited(child, 300_000);
  outcome = JSON.parse(readFileSync(join(work, 'outcome.json'), 'utf8'));
  secretAfterRun = kubectl(cp, ['get', 'secret', secret.metadata.name, '-n', SPARK_NAMESPACE]);
  // Resource requests only: discovery (/version, /api) is every authenticated user's.
  userCalls = auditEvents(cp).filter(
    (e) => e.user.username === USER && e.requestReceivedTimestamp >= since && e.objectRef?.resource,
  );
}, 1_200_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (serverState)
    spawnSync('bash', [join(ROOT, 'scripts/verify/zenml-server/local-server.sh'), 'down', serverState]);
  await moto?.stop();
  if (cp && job) kubectl(cp, ['delete', 'job', job.metadata.name, '-n', SPARK_NAMESPACE, '--wait=false']);
  if (work && existsSync(work)) rmSync(work, { recursive: true, force: true });
});

const grantKey = (apiGroup: string, resource: string, verb: string) =>
  `${apiGroup || 'core'}/${resource}:${verb}`;
const granted = STEP_SUBMITTER_RULES.flatMap((r) => r.verbs.map((v) => grantKey(r.apiGroup, r.resource, v)));

describe('a ZenML step submitted through the spark-eks operator to a real API server', () => {
  test('the Secret, the Job and its pod are created and admitted, the namespace enforcing restricted Pod Security', () => {
    expect(job.metadata.labels).toMatchObject({
      step_name: 'probe',
      'app.kubernetes.io/part-of': 'zenml-spark-eks',
    });
    expect(pod.spec.serviceAccountName).toBe(SPARK_SERVICE_ACCOUNT);
    // On the Spark pool, and never evicted by the autoscaler while the step runs.
    const placement = sparkPodPlacement();
    expect(pod.spec.nodeSelector).toEqual(placement.nodeSelector);
    expect(pod.spec.tolerations).toEqual(expect.arrayContaining([...placement.tolerations]));
    expect(pod.metadata.annotations).toMatchObject(placement.annotations);
    // The Job controller creates the pod (generateName: the audit record has no name).
    const podCreates = auditEvents(cp).filter(
      (e) =>
        e.verb === 'create' &&
        e.objectRef?.resource === 'pods' &&
        e.objectRef?.namespace === SPARK_NAMESPACE &&
        e.user.username === 'system:serviceaccount:kube-system:job-controller' &&
        e.requestReceivedTimestamp >= submittedAt,
    );
    expect(podCreates).toHaveLength(1);
    expect(podCreates[0].responseStatus?.code).toBe(201);
    expect(podCreates[0].annotations?.['pod-security.kubernetes.io/enforce-policy']).toBe(
      'restricted:latest',
    );
    expect(podCreates[0].annotations?.['pod-security.kubernetes.io/audit-violations']).toBeUndefined();
  });

  test("the Secret holds ZenML's step environment: its real workload token, the in-cluster server URL, the planted value", () => {
    expect(secretValues.ZENML_STORE_API_TOKEN).toMatch(/^eyJ/);
    expect(secretValues.ZENML_STORE_URL).toBe('http://zenml-server.zenml.svc:8080');
    expect(secretValues.PLANTED_VALUE).toBe(PLANTED);
    expect(secret.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Job', name: job.metadata.name, uid: job.metadata.uid }),
    ]);
  });

  test("no secret value appears in any other object, nor in the run's output", () => {
    const token = secretValues.ZENML_STORE_API_TOKEN;
    const places: Record<string, string> = {
      job: JSON.stringify(job),
      pod: JSON.stringify(pod),
      configmaps: configMaps,
      'executor pods': JSON.stringify(driver.executors),
      'run output': output,
    };
    for (const value of [token, PLANTED]) {
      expect(
        Object.entries(places)
          .filter(([, text]) => text.includes(value))
          .map(([where]) => where),
      ).toEqual([]);
    }
    // The pod reads the whole Secret with envFrom; its own env names none of the secret values.
    const [container] = pod.spec.containers as Array<{ envFrom: unknown; env: Array<{ name: string }> }>;
    expect(container.envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
    expect(container.env.map((e) => e.name)).not.toContain('ZENML_STORE_API_TOKEN');
  });

  test('the failed driver fails the step and the run; the Secret is gone when the step ends', () => {
    expect(outcome.completed).toBe(false);
    expect(outcome.error).toMatch(/probe/);
    expect(output).toMatch(/spark-eks: Job `zenml-[0-9a-f]{8}-probe` failed: BackoffLimitExceeded/);
    expect(output).toMatch(/last 20 lines of the driver log/);
    expect(secretAfterRun.code).not.toBe(0);
    expect(secretAfterRun.stderr).toMatch(/NotFound/);
  });

  test('the user made only calls the Role grants, none refused, and used all of it but cancel', () => {
    expect(userCalls.length).toBeGreaterThan(0);
    const refused = userCalls.filter((e) => e.responseStatus?.code === 401 || e.responseStatus?.code === 403);
    expect(refused.map((e) => `${e.verb} ${e.requestURI} -> ${e.responseStatus?.code}`)).toEqual([]);
    const made = [
      ...new Set(
        userCalls.map((e) => {
          const r = e.objectRef?.subresource
            ? `${e.objectRef.resource}/${e.objectRef.subresource}`
            : e.objectRef?.resource;
          return grantKey(e.objectRef?.apiGroup ?? '', r ?? '', e.verb);
        }),
      ),
    ].sort();
    expect(made.filter((k) => !granted.includes(k))).toEqual([]);
    // jobs:delete is what cancelling a run uses; everything else ran in this one.
    expect(granted.filter((k) => !made.includes(k))).toEqual(['batch/jobs:delete']);
  });

  test('kubectl auth can-i: the step submitters can do what the Role lists and nothing else that matters', () => {
    const as = (verb: string, resource: string, namespace = SPARK_NAMESPACE) =>
      canI(cp, USER, verb, resource, namespace, [STEP_SUBMITTER_GROUP]);
    for (const r of STEP_SUBMITTER_RULES) {
      const resource = r.apiGroup ? `${r.resource}.${r.apiGroup}` : r.resource;
      for (const verb of r.verbs)
        expect([verb, resource, as(verb, resource)]).toEqual([verb, resource, true]);
    }
    const denied: Array<[string, string, string?]> = [
      ['get', 'secrets'],
      ['list', 'secrets'],
      ['watch', 'secrets'],
      ['create', 'pods'],
      ['create', 'pods/exec'],
      ['get', 'pods'],
      ['create', 'configmaps'],
      ['update', 'jobs.batch'],
      ['create', 'rolebindings.rbac.authorization.k8s.io'],
      ['create', 'serviceaccounts/token'],
      ['create', 'jobs.batch', 'default'],
      ['create', 'secrets', 'kube-system'],
    ];
    expect(denied.filter(([verb, resource, ns]) => as(verb, resource, ns))).toEqual([]);
    expect(STEP_SUBMITTER_ROLE_NAME).toBe('zenml-step-submitter');
  });
});

describe("a real PySpark driver configured from the operator's pod", () => {
  test('creates its executors as spark-service-account, owned by the driver pod, and removes them on stop', () => {
    expect(driver.executors).toHaveLength(EXECUTORS);
    for (const e of driver.executors) {
      expect(e.spec.serviceAccountName).toBe(SPARK_SERVICE_ACCOUNT);
      expect(e.spec.nodeSelector).toEqual(sparkPodPlacement().nodeSelector);
      expect(e.metadata.annotations).toMatchObject(sparkPodPlacement().annotations);
      expect(e.spec.automountServiceAccountToken).toBe(false);
      expect(e.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid }),
      ]);
    }
    const report = JSON.parse(driver.output.trim().split('\n').at(-1) ?? '{}');
    expect(report).toMatchObject({
      released: true,
      driverPodName: pod.metadata.name,
      executorServiceAccount: SPARK_SERVICE_ACCOUNT,
      driverMemory: '2048m',
    });
    expect(driver.remaining).toEqual([]);
  });

  test('no call of the driver was refused, all are listed driver calls, and its executors pass restricted', () => {
    expect(driver.calls.filter((e) => (e.responseStatus?.code ?? 0) >= 400).map((e) => e.requestURI)).toEqual(
      [],
    );
    const listed = new Set(
      SPARK_DRIVER_API_CALLS.filter((c) => c.modes.includes('client')).map((c) => `${c.resource}:${c.verb}`),
    );
    expect(
      [...new Set(driver.calls.map((e) => `${e.objectRef?.resource}:${e.verb}`))].filter(
        (k) => !listed.has(k),
      ),
    ).toEqual([]);
    const creates = driver.calls.filter((e) => e.verb === 'create' && e.objectRef?.resource === 'pods');
    expect(creates).toHaveLength(EXECUTORS);
    for (const e of creates)
      expect(e.annotations?.['pod-security.kubernetes.io/audit-violations']).toBeUndefined();
  });
});
