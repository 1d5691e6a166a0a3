/**
 * A real Spark driver (the project's pinned PySpark, client mode, the service account's token, the
 * project's executor pod template) against a real API server: it creates its executor pods with no
 * 4xx answer, the pods pass the namespace's Pod Security admission with no `restricted` audit
 * violation, the driver removes them on stop, and every call it made (read from the API server's
 * audit log) is one test/k8s/spark-driver-api.ts lists for client mode.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { executorPodTemplate } from '../../k8s/pipeline-jobs-chart';
import { SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT } from '../../lib/settings/names';
import {
  type AuditEvent,
  auditEvents,
  type ControlPlane,
  controlPlane,
  kubectlOk,
  serviceAccountToken,
  serviceAccountUser,
} from '../../scripts/verify/kube/cluster';
import { applySparkRbac } from './kube-fixtures';
import { SPARK_DRIVER_API_CALLS } from './spark-driver-api';

const SA = serviceAccountUser(SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT);
const EXECUTORS = 2;
const PROBE = join(__dirname, '..', '..', 'scripts', 'verify', 'kube', 'spark_driver_probe.py');

let cp: ControlPlane;
let work: string;
let calls: AuditEvent[];
let executorPods: Array<{
  metadata: { name: string; ownerReferences?: unknown[] };
  spec: Record<string, unknown>;
}>;
let remainingAfterStop: string[];
let probeOutput: string;

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`driver probe still running after ${timeoutMs / 1000}s`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function listExecutors() {
  return JSON.parse(
    kubectlOk(cp, ['get', 'pods', '-n', SPARK_NAMESPACE, '-l', 'spark-role=executor', '-o', 'json']),
  ).items as typeof executorPods;
}

beforeAll(async () => {
  cp = controlPlane();
  const venv = process.env.SPARK_VENV;
  if (!venv) throw new Error('SPARK_VENV is not set: run through scripts/verify/test-kubernetes.sh');
  applySparkRbac(cp);

  work = mkdtempSync(join(tmpdir(), 'spark-driver-kube-'));
  const tokenFile = join(work, 'token');
  writeFileSync(tokenFile, serviceAccountToken(cp, SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT), { mode: 0o600 });
  const templateFile = join(work, 'executor.yaml');
  writeFileSync(templateFile, stringify(executorPodTemplate()));
  const release = join(work, 'release');
  const since = new Date().toISOString();

  const child = spawn(
    join(venv, 'bin', 'python'),
    [
      PROBE,
      ...['--server', cp.server, '--token-file', tokenFile, '--ca-file', cp.caFile],
      ...['--namespace', SPARK_NAMESPACE, '--service-account', SPARK_SERVICE_ACCOUNT],
      ...['--executor-template', templateFile, '--executors', String(EXECUTORS), '--release-file', release],
    ],
    {
      // A clean HOME: the driver's Kubernetes client would otherwise read ~/.kube/config.
      env: {
        PATH: process.env.PATH,
        HOME: work,
        SPARK_LOCAL_IP: '127.0.0.1',
        JAVA_HOME: process.env.JAVA_HOME,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  probeOutput = '';
  child.stdout?.on('data', (d) => {
    probeOutput += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = waitForExit(child, 240_000);
  try {
    const deadline = Date.now() + 180_000;
    executorPods = [];
    while (Date.now() < deadline && executorPods.length < EXECUTORS && child.exitCode === null) {
      executorPods = listExecutors();
      if (executorPods.length < EXECUTORS) await sleep(500);
    }
  } finally {
    writeFileSync(release, '');
  }
  const code = await exited;
  if (code !== 0) throw new Error(`driver probe exit ${code}:\n${stderr.slice(-3000)}`);
  remainingAfterStop = listExecutors().map((p) => p.metadata.name);
  calls = auditEvents(cp).filter((e) => e.user.username === SA && e.requestReceivedTimestamp >= since);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a real PySpark client-mode driver as spark-service-account', () => {
  test('creates its executor pods, each admitted, with the template applied, and removes them on stop', () => {
    expect(executorPods).toHaveLength(EXECUTORS);
    for (const pod of executorPods) {
      expect(pod.spec.automountServiceAccountToken).toBe(false);
      expect(pod.spec.serviceAccountName).toBe(SPARK_SERVICE_ACCOUNT);
    }
    expect(JSON.parse(probeOutput.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
      applicationId: expect.stringMatching(/^spark-/),
      released: true,
    });
    expect(remainingAfterStop).toEqual([]);
  });

  test('no API call of the driver was refused (no 4xx)', () => {
    expect(calls.length).toBeGreaterThan(0);
    const refused = calls.filter((e) => (e.responseStatus?.code ?? 0) >= 400);
    expect(refused.map((e) => `${e.verb} ${e.requestURI} -> ${e.responseStatus?.code}`)).toEqual([]);
  });

  test('its executor pods raise no `restricted` Pod Security audit violation', () => {
    const creates = calls.filter((e) => e.verb === 'create' && e.objectRef?.resource === 'pods');
    expect(creates).toHaveLength(EXECUTORS);
    for (const e of creates) {
      expect(e.annotations?.['pod-security.kubernetes.io/audit-violations']).toBeUndefined();
      expect(e.annotations?.['pod-security.kubernetes.io/enforce-policy']).toBe('restricted:latest');
    }
  });

  test('every call it made is in the list of driver calls for client mode, and not only behind a feature flag', () => {
    const listed = new Map<string, { feature?: string }[]>();
    for (const c of SPARK_DRIVER_API_CALLS.filter((x) => x.modes.includes('client'))) {
      const key = `${c.resource}:${c.verb}`;
      listed.set(key, [...(listed.get(key) ?? []), c]);
    }
    const made = [...new Set(calls.map((e) => `${e.objectRef?.resource}:${e.verb}`))].sort();
    const unlisted = made.filter((k) => !listed.has(k));
    const onlyBehindAFeature = made.filter((k) => listed.get(k)?.every((c) => c.feature !== undefined));
    expect({ unlisted, onlyBehindAFeature }).toEqual({ unlisted: [], onlyBehindAFeature: [] });
  });
});
