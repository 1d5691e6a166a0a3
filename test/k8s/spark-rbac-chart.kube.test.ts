/**
 * The Spark namespace, service account and RBAC, as the stack's kubectl provider applies them at
 * deploy, met by a real API server (scripts/verify/test-kubernetes.sh): applied server-side, a
 * second apply changes nothing, and the service account can do exactly what the driver Role
 * means to grant, checked by the API server's own authorizer (SubjectAccessReview through
 * `kubectl auth can-i --as`).
 */
import { SPARK_DRIVER_RESOURCES, SPARK_DRIVER_VERBS } from '../../k8s/spark-rbac-chart';
import { SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT } from '../../lib/settings/names';
import {
  type ControlPlane,
  canI,
  controlPlane,
  kubectl,
  kubectlOk,
  serviceAccountUser,
} from '../../scripts/verify/kube/cluster';
import { applyServerSide, sparkRbacManifest, specVersions } from './kube-fixtures';
import { SPARK_DRIVER_API_CALLS } from './spark-driver-api';

const SA = serviceAccountUser(SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT);
let cp: ControlPlane;
let rbacObjects: object[];

function resourceVersions(): Record<string, string> {
  const list = (args: string[]) =>
    (JSON.parse(kubectlOk(cp, ['get', ...args, '-o', 'json'])).items ?? []) as Array<{
      kind: string;
      metadata: { name: string; resourceVersion: string };
    }>;
  const items = [
    ...list(['namespaces', '--field-selector', `metadata.name=${SPARK_NAMESPACE}`]),
    ...list(['serviceaccounts,roles,rolebindings', '-n', SPARK_NAMESPACE, '-l', 'app.kubernetes.io/part-of']),
  ];
  return specVersions(items);
}

beforeAll(() => {
  cp = controlPlane();
  rbacObjects = sparkRbacManifest().objects;
});

describe('the deploy-time Spark RBAC manifest on a real API server', () => {
  test('GIVEN the manifest from the synthesized template WHEN applied server-side twice THEN the second apply changes nothing', () => {
    applyServerSide(cp, rbacObjects);
    const first = resourceVersions();
    expect(Object.keys(first).sort()).toEqual([
      'Namespace/spark-namespace',
      'Role/spark-driver',
      'Role/zenml-step-submitter',
      'RoleBinding/spark-driver',
      'RoleBinding/zenml-step-submitter',
      'ServiceAccount/spark-service-account',
    ]);
    applyServerSide(cp, rbacObjects);
    expect(resourceVersions()).toEqual(first);
  });

  test('the namespace enforces its Pod Security level: a privileged pod is refused', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'privileged-probe', namespace: SPARK_NAMESPACE },
      spec: { hostNetwork: true, containers: [{ name: 'c', image: 'example.invalid/x:1' }] },
    };
    const r = kubectl(cp, ['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(pod) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /violates PodSecurity "restricted:latest": host namespaces \(hostNetwork=true\)/,
    );
  });

  test('every call a Spark driver makes (both deploy modes) is allowed in the namespace', () => {
    const denied = SPARK_DRIVER_API_CALLS.filter((c) => !canI(cp, SA, c.verb, c.resource, SPARK_NAMESPACE));
    expect(denied).toEqual([]);
  });

  test('the Role grants exactly its verbs on its resources, nothing more in the namespace', () => {
    for (const resource of SPARK_DRIVER_RESOURCES) {
      for (const verb of SPARK_DRIVER_VERBS)
        expect([resource, verb, canI(cp, SA, verb, resource, SPARK_NAMESPACE)]).toEqual([
          resource,
          verb,
          true,
        ]);
    }
    const beyond: Array<[string, string]> = [
      ['get', 'secrets'],
      ['list', 'secrets'],
      ['create', 'secrets'],
      ['get', 'pods/log'],
      ['create', 'pods/exec'],
      ['create', 'pods/portforward'],
      ['create', 'roles.rbac.authorization.k8s.io'],
      ['create', 'rolebindings.rbac.authorization.k8s.io'],
      ['bind', 'roles.rbac.authorization.k8s.io'],
      ['escalate', 'roles.rbac.authorization.k8s.io'],
      ['create', 'jobs.batch'],
      ['create', 'deployments.apps'],
      ['create', 'serviceaccounts/token'],
      ['impersonate', 'serviceaccounts'],
      ['update', 'pods/status'],
      ['create', 'events'],
    ];
    const allowed = beyond.filter(([verb, resource]) => canI(cp, SA, verb, resource, SPARK_NAMESPACE));
    expect(allowed).toEqual([]);
  });

  test('nothing outside the namespace: other namespaces and cluster-scoped kinds are denied', () => {
    const elsewhere = ['default', 'kube-system'].flatMap((ns) =>
      SPARK_DRIVER_RESOURCES.flatMap((resource) =>
        ['get', 'list', 'create', 'delete'].map((verb) => [verb, resource, ns] as const),
      ),
    );
    const clusterScoped: Array<readonly [string, string, string | undefined]> = [
      ['list', 'nodes', undefined],
      ['list', 'namespaces', undefined],
      ['create', 'namespaces', undefined],
      ['list', 'persistentvolumes', undefined],
      ['create', 'clusterroles.rbac.authorization.k8s.io', undefined],
      ['create', 'clusterrolebindings.rbac.authorization.k8s.io', undefined],
      ['list', 'pods', '*'],
    ];
    const allowed = [...elsewhere, ...clusterScoped].filter(([verb, resource, ns]) =>
      canI(cp, SA, verb, resource, ns),
    );
    expect(allowed).toEqual([]);
  });
});
