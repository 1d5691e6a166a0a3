import { App } from 'cdk8s';
import { POD_SECURITY_LABELS } from '../../k8s/pod-security';
import { ZenmlServerChart, type ZenmlServerChartProps } from '../../k8s/zenml-server-chart';
import { envObject, zenmlServerEnv } from '../../k8s/zenml-server-env';
import { rdsCaBundle } from '../../lib/settings/rds-ca';

const PROPS: ZenmlServerChartProps = {
  databaseAuth: 'iam',
  region: 'eu-west-1',
  databaseHost: 'db.abc.eu-west-1.rds.amazonaws.com',
  databasePort: '3306',
  databaseName: 'zenml',
  adminSecretId: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:p/zenml-server-admin-a',
  jwtSecretId: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:p/zenml-server-jwt-b',
  databaseSecretId: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:p/rds_authentication-c',
  rdsCaBundle: rdsCaBundle('eu-west-1'),
};

type Obj = {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects, read field by field
  spec?: any;
  data?: Record<string, string>;
};
const objects = (props: Partial<ZenmlServerChartProps> = {}) =>
  new ZenmlServerChart(new App(), 'zenml-server', { ...PROPS, ...props }).toJson() as Obj[];
const find = (objs: Obj[], kind: string) => objs.find((o) => o.kind === kind) as Obj;

describe('ZenmlServerChart', () => {
  test('namespace zenml enforces restricted; one Recreate replica of the pinned image; a ClusterIP Service', () => {
    const objs = objects();
    expect(find(objs, 'Namespace').metadata).toEqual(
      expect.objectContaining({ name: 'zenml', labels: expect.objectContaining(POD_SECURITY_LABELS) }),
    );
    const deploy = find(objs, 'Deployment');
    expect(deploy.spec.replicas).toBe(1);
    expect(deploy.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = deploy.spec.template.spec;
    expect(pod.serviceAccountName).toBe('zenml-server');
    expect(pod.automountServiceAccountToken).toBe(false);
    const [c] = pod.containers;
    expect(c.image).toBe('zenmldocker/zenml-server:0.98.0');
    expect(c.securityContext).toEqual(
      expect.objectContaining({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      }),
    );
    expect(c.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toEqual([
      '/opt/zenml-server',
      '/zenml/.zenconfig',
      '/tmp',
    ]);
    expect(c.startupProbe.httpGet.path).toBe('/health');
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBe(300);
    expect(c.livenessProbe.httpGet.path).toBe('/health');
    expect(c.readinessProbe.httpGet.path).toBe('/api/v1/info');
    expect(c.resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { cpu: '1000m', memory: '1024Mi' },
    });
    expect(find(objs, 'Service').spec).toEqual(
      expect.objectContaining({ type: 'ClusterIP', ports: [expect.objectContaining({ port: 8080 })] }),
    );
  });

  test('the container env is exactly the env function, and holds no secret', () => {
    const [c] = find(objects(), 'Deployment').spec.template.spec.containers;
    expect(c.env).toEqual(zenmlServerEnv(PROPS));
    const env = envObject(c.env);
    expect(env.ZENML_STORE_AUTH_MODE).toBe('aws_rds_iam');
    expect(env.ZENML_STORE_SSL_CA).toBeUndefined();
    expect(env.ZENML_STORE_URL).toBe('mysql://db.abc.eu-west-1.rds.amazonaws.com:3306/zenml');
    for (const name of ['ZENML_STORE_PASSWORD', 'ZENML_SERVER_JWT_SECRET_KEY', 'ZENML_DEFAULT_USER_PASSWORD'])
      expect(env[name]).toBeUndefined();
    expect(c.envFrom).toBeUndefined();
    expect(JSON.stringify(c)).not.toMatch(/secretKeyRef/);
  });

  test('the ConfigMap ships the launcher, the bootstrap script and only the region root', () => {
    const data = find(objects(), 'ConfigMap').data ?? {};
    expect(Object.keys(data).sort()).toEqual(['db_bootstrap.py', 'launcher.py', 'rds-ca-rsa2048-g1.pem']);
    expect(data['rds-ca-rsa2048-g1.pem'].match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
  });

  test('iam: a bootstrap Job with its own service account; password: none, and the CA for ZENML_STORE_SSL_CA', () => {
    const job = find(objects(), 'Job');
    expect(job.metadata.name).toMatch(/^zenml-db-bootstrap-[0-9a-f]{10}$/);
    expect(job.spec.template.spec.serviceAccountName).toBe('zenml-db-bootstrap');
    expect(job.spec.backoffLimit).toBeLessThanOrEqual(6);
    expect(job.spec.activeDeadlineSeconds).toBe(900);
    const password = objects({ databaseAuth: 'password' });
    expect(password.map((o) => o.kind)).not.toContain('Job');
    const env = envObject(find(password, 'Deployment').spec.template.spec.containers[0].env);
    expect(env.ZENML_STORE_SSL_CA).toBe('/opt/zenml-server/rds-ca-rsa2048-g1.pem');
    expect(env.ZENML_LAUNCHER_DB_SECRET_ID).toBe(PROPS.databaseSecretId);
  });

  test('the Job name changes with its pod template only, not with a token-valued endpoint', () => {
    const name = (p: Partial<ZenmlServerChartProps>) => find(objects(p), 'Job').metadata.name;
    expect(name({ image: 'zenmldocker/zenml-server:0.99.0' })).not.toBe(name({}));
    const token = (n: number) => `\${Token[TOKEN.${n}]}`;
    expect(name({ databaseHost: token(1) })).toBe(name({ databaseHost: token(2) }));
  });

  describe('every field of the pod specs (the env is asserted in zenml-server-env.test.ts)', () => {
    /** The image's `zenml` user (UID/GID 1000) under the restricted profile, in pod and container. */
    const podSecurity = {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    };
    const containerSecurity = {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
    const filesVolume = { name: 'files', configMap: { name: 'zenml-server-files', defaultMode: 0o444 } };
    const filesMount = { name: 'files', mountPath: '/opt/zenml-server', readOnly: true };
    const withoutEnv = (pod: Obj['spec']) => ({
      ...pod,
      containers: pod.containers.map(({ env: _env, ...c }: Record<string, unknown>) => c),
    });

    test('the server: one Recreate replica on the system pool, the launcher as its command, probes on the named port', () => {
      const deploy = find(objects(), 'Deployment');
      expect(deploy.metadata).toEqual(
        expect.objectContaining({
          name: 'zenml-server',
          labels: expect.objectContaining({ 'app.kubernetes.io/name': 'zenml-server' }),
        }),
      );
      expect(deploy.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'zenml-server' } });
      expect(deploy.spec.template.metadata.labels).toEqual({
        'app.kubernetes.io/name': 'zenml-server',
        'app.kubernetes.io/part-of': 'zenml-spark-eks',
      });
      expect(Object.keys(deploy.spec.template.metadata.annotations)).toEqual([
        'zenml-spark-eks/files-sha256',
      ]);
      expect(withoutEnv(deploy.spec.template.spec)).toEqual({
        serviceAccountName: 'zenml-server',
        automountServiceAccountToken: false,
        nodeSelector: { 'zenml-spark-eks/pool': 'system' },
        securityContext: podSecurity,
        enableServiceLinks: false,
        containers: [
          {
            name: 'server',
            image: 'zenmldocker/zenml-server:0.98.0',
            imagePullPolicy: 'IfNotPresent',
            args: ['python', '/opt/zenml-server/launcher.py'],
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            resources: {
              requests: { cpu: '250m', memory: '512Mi' },
              limits: { cpu: '1000m', memory: '1024Mi' },
            },
            // Start-up bounded at 5 min (5 s x 60); liveness on /health; readiness on a call that needs the database.
            startupProbe: {
              httpGet: { path: '/health', port: 'http' },
              periodSeconds: 5,
              failureThreshold: 60,
              timeoutSeconds: 3,
            },
            livenessProbe: {
              httpGet: { path: '/health', port: 'http' },
              periodSeconds: 20,
              failureThreshold: 3,
              timeoutSeconds: 5,
            },
            readinessProbe: {
              httpGet: { path: '/api/v1/info', port: 'http' },
              periodSeconds: 10,
              failureThreshold: 3,
              timeoutSeconds: 5,
            },
            securityContext: containerSecurity,
            volumeMounts: [
              filesMount,
              { name: 'zenconfig', mountPath: '/zenml/.zenconfig' },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          },
        ],
        volumes: [
          filesVolume,
          { name: 'zenconfig', emptyDir: { sizeLimit: '256Mi' } },
          { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
        ],
      });
    });

    test('the Service: ClusterIP on 8080 to the named port of the server pods; service accounts mount no token', () => {
      const objs = objects();
      const service = find(objs, 'Service');
      expect(service.metadata.name).toBe('zenml-server');
      expect(service.metadata.labels).toEqual(
        expect.objectContaining({ 'app.kubernetes.io/name': 'zenml-server' }),
      );
      // Every object says what it belongs to.
      for (const o of objs)
        expect([o.kind, o.metadata]).toEqual([
          o.kind,
          expect.objectContaining({
            labels: expect.objectContaining({
              'app.kubernetes.io/part-of': 'zenml-spark-eks',
              'app.kubernetes.io/component': 'zenml-server',
            }),
          }),
        ]);
      expect(service.spec).toEqual({
        type: 'ClusterIP',
        selector: { 'app.kubernetes.io/name': 'zenml-server' },
        ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }],
      });
      expect(
        objs
          .filter((o) => o.kind === 'ServiceAccount')
          .map((o) => [
            o.metadata.name,
            (o as { automountServiceAccountToken?: boolean }).automountServiceAccountToken,
          ]),
      ).toEqual([
        ['zenml-server', false],
        ['zenml-db-bootstrap', false],
      ]);
      expect(find(objs, 'ConfigMap').metadata.name).toBe('zenml-server-files');
      // Everything in the zenml namespace, the Namespace first (the rest is applied into it).
      expect(objs[0].kind).toBe('Namespace');
      expect(objs.every((o) => (o.metadata as { namespace?: string }).namespace === 'zenml')).toBe(true);
    });

    test('the bootstrap Job: small, bounded in time, removed an hour after it ends, on the system pool', () => {
      const job = find(objects(), 'Job');
      expect(job.metadata).toEqual(
        expect.objectContaining({
          labels: expect.objectContaining({ 'app.kubernetes.io/name': 'zenml-db-bootstrap' }),
        }),
      );
      const { template, ...spec } = job.spec;
      expect(spec).toEqual({ backoffLimit: 6, activeDeadlineSeconds: 900, ttlSecondsAfterFinished: 3600 });
      expect(template.metadata).toEqual({
        labels: {
          'app.kubernetes.io/name': 'zenml-db-bootstrap',
          'app.kubernetes.io/part-of': 'zenml-spark-eks',
        },
      });
      expect(withoutEnv(template.spec)).toEqual({
        serviceAccountName: 'zenml-db-bootstrap',
        automountServiceAccountToken: false,
        nodeSelector: { 'zenml-spark-eks/pool': 'system' },
        restartPolicy: 'Never',
        enableServiceLinks: false,
        securityContext: podSecurity,
        containers: [
          {
            name: 'bootstrap',
            image: 'zenmldocker/zenml-server:0.98.0',
            imagePullPolicy: 'IfNotPresent',
            args: ['python', '/opt/zenml-server/db_bootstrap.py'],
            resources: {
              requests: { cpu: '50m', memory: '128Mi' },
              limits: { cpu: '500m', memory: '256Mi' },
            },
            securityContext: containerSecurity,
            volumeMounts: [filesMount, { name: 'tmp', mountPath: '/tmp' }],
          },
        ],
        volumes: [filesVolume, { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }],
      });
    });

    test('a changed CA bundle rolls the server pod (its files hash) and renames the Job; the same inputs change nothing', () => {
      const hash = (p: Partial<ZenmlServerChartProps>) =>
        find(objects(p), 'Deployment').spec.template.metadata.annotations['zenml-spark-eks/files-sha256'];
      const job = (p: Partial<ZenmlServerChartProps>) => find(objects(p), 'Job').metadata.name;
      expect(hash({})).toMatch(/^[0-9a-f]{64}$/);
      expect(hash({})).toBe(hash({}));
      expect(hash({ rdsCaBundle: rdsCaBundle('us-east-1') })).not.toBe(hash({}));
      expect(job({ rdsCaBundle: rdsCaBundle('us-east-1') })).not.toBe(job({}));
    });
  });
});
