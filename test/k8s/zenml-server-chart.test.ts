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

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects, read field by field
type Obj = { kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> };
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
});
