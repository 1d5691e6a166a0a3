import { App } from 'cdk8s';
import { POD_SECURITY_LABELS } from '../../k8s/pod-security';
import {
  ensureLogDirCommand,
  HISTORY_SERVER_CLASS,
  historyServerJavaOpts,
  SparkHistoryServerChart,
  type SparkHistoryServerChartProps,
} from '../../k8s/spark-history-server-chart';
import { SPARK_TOLERATION, SYSTEM_NODE_SELECTOR } from '../../lib/settings/scheduling';
import { SPARK_HISTORY_SERVER_POD, SYSTEM_POOL_PODS } from '../../lib/settings/sizing';
import { HISTORY_CLEANER, SPARK_HISTORY_PORT } from '../../lib/settings/spark-history';

const PROPS: SparkHistoryServerChartProps = {
  repositoryUri: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/zenml',
  artifactBucket: 'zenml-spark-artifacts-1a2b',
  region: 'eu-west-1',
};

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects, read field by field
type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: any }; spec?: any };
const objects = (props: Partial<SparkHistoryServerChartProps> = {}) =>
  new SparkHistoryServerChart(new App(), 'spark-history-server', { ...PROPS, ...props }).toJson() as Obj[];
const find = (objs: Obj[], kind: string) => objs.find((o) => o.kind === kind) as Obj;
const opts = (objs: Obj[]): Record<string, string> => {
  const env = find(objs, 'Deployment').spec.template.spec.containers[0].env as {
    name: string;
    value: string;
  }[];
  const value = env.find((e) => e.name === 'SPARK_HISTORY_OPTS')?.value ?? '';
  return Object.fromEntries(value.split(' ').map((o) => o.replace(/^-D/, '').split(/=(.*)/s).slice(0, 2)));
};

describe('SparkHistoryServerChart', () => {
  test('GIVEN defaults THEN its own namespace enforces restricted and holds a service account, a Deployment and a Service', () => {
    const objs = objects();
    expect(objs.map((o) => o.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Namespace',
      'Service',
      'ServiceAccount',
    ]);
    expect(find(objs, 'Namespace').metadata).toEqual(
      expect.objectContaining({
        name: 'spark-history',
        labels: expect.objectContaining(POD_SECURITY_LABELS),
      }),
    );
    for (const o of objs.filter((x) => x.kind !== 'Namespace'))
      expect(o.metadata.namespace).toBe('spark-history');
  });

  test('restricted Pod Security: non-root, no privilege escalation, ALL capabilities dropped, RuntimeDefault seccomp, read-only root', () => {
    const pod = find(objects(), 'Deployment').spec.template.spec;
    expect(pod.securityContext).toEqual(
      expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }),
    );
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork).toBeUndefined();
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 185,
        runAsGroup: 185,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      // The only writable place: an emptyDir on /tmp.
      expect(c.volumeMounts.filter((m: { readOnly?: boolean }) => !m.readOnly)).toEqual([
        { name: 'tmp', mountPath: '/tmp' },
      ]);
    }
    expect(pod.volumes[0]).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } });
  });

  test('system pool only: its node selector, no toleration at all (so never the Spark taint)', () => {
    const pod = find(objects(), 'Deployment').spec.template.spec;
    expect(pod.nodeSelector).toEqual(SYSTEM_NODE_SELECTOR);
    expect(pod.tolerations).toBeUndefined();
    expect(JSON.stringify(pod)).not.toContain(SPARK_TOLERATION.effect);
  });

  test('private: one ClusterIP Service, no NodePort, LoadBalancer, external IPs or Ingress', () => {
    const objs = objects();
    const services = objs.filter((o) => o.kind === 'Service');
    expect(services).toHaveLength(1);
    expect(services[0].spec.type).toBe('ClusterIP');
    expect(services[0].spec.externalIPs).toBeUndefined();
    expect(services[0].spec.ports).toEqual([
      { name: 'http', port: SPARK_HISTORY_PORT, targetPort: 'http', protocol: 'TCP' },
    ]);
    expect(objs.some((o) => o.kind === 'Ingress')).toBe(false);
    const c = find(objs, 'Deployment').spec.template.spec.containers[0];
    expect(c.ports).toEqual([{ name: 'http', containerPort: SPARK_HISTORY_PORT, protocol: 'TCP' }]);
    expect(c.ports[0].hostPort).toBeUndefined();
  });

  test("the steps' image at the moving tag, Spark's HistoryServer class, sizes from lib/settings/sizing.ts", () => {
    const deploy = find(objects(), 'Deployment');
    expect(deploy.spec.replicas).toBe(1);
    expect(deploy.spec.strategy).toEqual({ type: 'Recreate' });
    const c = deploy.spec.template.spec.containers[0];
    expect(c.image).toBe(`${PROPS.repositoryUri}:spark-history-server`);
    expect(c.command).toEqual([
      '/usr/bin/tini',
      '-s',
      '--',
      '/opt/spark/bin/spark-class',
      HISTORY_SERVER_CLASS,
    ]);
    expect(c.resources).toEqual({
      requests: { cpu: '250m', memory: '1024Mi' },
      limits: { cpu: '1000m', memory: '1024Mi' },
    });
    const budget = SYSTEM_POOL_PODS.find((p) => p.name === 'spark-history-server');
    expect([budget?.cpuMillis, budget?.memoryMiB]).toEqual([250, 1024]);
    expect(c.env).toEqual(
      expect.arrayContaining([
        { name: 'SPARK_DAEMON_MEMORY', value: `${SPARK_HISTORY_SERVER_POD.heapMiB}m` },
      ]),
    );
    expect(SPARK_HISTORY_SERVER_POD.heapMiB).toBeLessThan(SPARK_HISTORY_SERVER_POD.memoryLimitMiB);
    expect(c.readinessProbe.httpGet.path).toBe('/api/v1/applications?limit=1');
  });

  test('reads the event-log prefix through Pod Identity, with the cleaner on', () => {
    expect(opts(objects({ eventLogPrefix: 'logs/spark/' }))).toEqual(
      expect.objectContaining({
        'spark.history.fs.logDirectory': 's3a://zenml-spark-artifacts-1a2b/logs/spark/',
        'spark.history.fs.cleaner.enabled': 'true',
        'spark.history.fs.cleaner.maxAge': HISTORY_CLEANER.maxAge,
        'spark.history.fs.cleaner.maxNum': String(HISTORY_CLEANER.maxNum),
        'spark.hadoop.fs.s3a.aws.credentials.provider':
          'software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider',
        'spark.hadoop.fs.s3a.endpoint.region': 'eu-west-1',
      }),
    );
    expect(opts(objects())['spark.history.fs.logDirectory']).toBe(
      's3a://zenml-spark-artifacts-1a2b/spark-events/',
    );
  });

  test('Noncompliance: a repository with a tag, a value with a space', () => {
    expect(() => objects({ repositoryUri: `${PROPS.repositoryUri}:latest` })).toThrow(
      /repositoryUri=.*without a tag/,
    );
    expect(() => historyServerJavaOpts('s3a://b/a b/', 'eu-west-1')).toThrow(/must not contain spaces/);
  });
});

test('the init container creates the log directory through S3A with Pod Identity before the server starts', () => {
  const pod = find(objects(), 'Deployment').spec.template.spec;
  const [init] = pod.initContainers;
  expect(init.command).toEqual(
    ensureLogDirCommand('s3a://zenml-spark-artifacts-1a2b/spark-events/', 'eu-west-1'),
  );
  expect(init.command.slice(-3)).toEqual(['-mkdir', '-p', 's3a://zenml-spark-artifacts-1a2b/spark-events/']);
  expect(init.command).toContain(
    'fs.s3a.aws.credentials.provider=software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider',
  );
});
