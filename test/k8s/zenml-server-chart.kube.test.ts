/**
 * The ZenML server chart, as the stack's kubectl provider applies it at deploy (read from the
 * synthesized template, CloudFormation values as stand-ins), met by a real API server: it applies
 * server-side and re-applies as a no-op; the Deployment controller makes a ReplicaSet and the
 * ReplicaSet controller a pod, and the Job controller the bootstrap pod, each admitted under the
 * namespace's enforced `restricted` Pod Security level with no audit violation; a pod that breaks
 * the profile is refused. (No kubelet here: the containers never start; the zenml-server suite
 * runs the server itself.)
 */
import { ZENML_NAMESPACE } from '../../lib/settings/zenml';
import {
  auditEvents,
  type ControlPlane,
  controlPlane,
  kubectl,
  kubectlOk,
} from '../../scripts/verify/kube/cluster';
import type { DeployTimeManifest } from '../../scripts/verify/kube/deploy-time-manifests';
import { applyServerSide, defaultStackManifests, specVersions } from './kube-fixtures';

let cp: ControlPlane;
let manifest: DeployTimeManifest;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function zenmlServerManifest(): DeployTimeManifest {
  const found = defaultStackManifests().find((m) =>
    m.objects.some(
      (o) => o.kind === 'Namespace' && (o.metadata as { name?: string }).name === ZENML_NAMESPACE,
    ),
  );
  if (!found) throw new Error('no deploy-time manifest creates the zenml namespace');
  return found;
}

async function podsWhere(
  label: string,
  want: number,
): Promise<Array<{ metadata: { name: string; ownerReferences?: Array<{ kind: string }> } }>> {
  const deadline = Date.now() + 60_000;
  let pods: Array<{ metadata: { name: string; ownerReferences?: Array<{ kind: string }> } }> = [];
  while (Date.now() < deadline) {
    pods = JSON.parse(kubectlOk(cp, ['get', 'pods', '-n', ZENML_NAMESPACE, '-l', label, '-o', 'json'])).items;
    if (pods.length >= want) return pods;
    await sleep(500);
  }
  return pods;
}

beforeAll(() => {
  cp = controlPlane();
  manifest = zenmlServerManifest();
});

afterAll(() => {
  kubectl(cp, ['delete', 'namespace', ZENML_NAMESPACE, '--wait=false', '--ignore-not-found']);
});

describe('the ZenML server chart on a real API server', () => {
  test('GIVEN the deploy-time manifest WHEN applied server-side twice THEN the second apply changes nothing', () => {
    applyServerSide(cp, manifest.objects);
    const versions = () =>
      specVersions(
        JSON.parse(
          kubectlOk(cp, [
            'get',
            'serviceaccounts,configmaps,deployments,services,jobs',
            '-n',
            ZENML_NAMESPACE,
            '-l',
            'app.kubernetes.io/part-of',
            '-o',
            'json',
          ]),
        ).items,
      );
    const first = versions();
    expect(Object.keys(first)).toEqual(
      expect.arrayContaining([
        'Deployment/zenml-server',
        expect.stringMatching(/^Job\/zenml-db-bootstrap-[0-9a-f]{10}$/),
      ]),
    );
    applyServerSide(cp, manifest.objects);
    expect(versions()).toEqual(first);
    expect(kubectlOk(cp, ['get', 'namespace', ZENML_NAMESPACE, '-o', 'jsonpath={.metadata.labels}'])).toMatch(
      /"pod-security.kubernetes.io\/enforce":"restricted"/,
    );
  });

  test('the controllers create the server pod (Deployment -> ReplicaSet -> pod) and the bootstrap pod, admitted under restricted', async () => {
    const server = await podsWhere('app.kubernetes.io/name=zenml-server', 1);
    expect(server).toHaveLength(1);
    expect(server[0].metadata.ownerReferences?.[0].kind).toBe('ReplicaSet');
    const bootstrap = await podsWhere('app.kubernetes.io/name=zenml-db-bootstrap', 1);
    expect(bootstrap.length).toBeGreaterThanOrEqual(1);
    expect(bootstrap[0].metadata.ownerReferences?.[0].kind).toBe('Job');

    const creates = auditEvents(cp).filter(
      (e) =>
        e.verb === 'create' &&
        e.objectRef?.resource === 'pods' &&
        e.objectRef.namespace === ZENML_NAMESPACE &&
        e.responseStatus?.code === 201,
    );
    expect(creates.map((e) => e.user.username).sort()).toEqual(
      expect.arrayContaining([
        'system:serviceaccount:kube-system:job-controller',
        'system:serviceaccount:kube-system:replicaset-controller',
      ]),
    );
    for (const e of creates) {
      expect(e.annotations?.['pod-security.kubernetes.io/enforce-policy']).toBe('restricted:latest');
      expect(e.annotations?.['pod-security.kubernetes.io/audit-violations']).toBeUndefined();
    }
  });

  test('the namespace enforces restricted: a pod that may escalate privileges is refused', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'not-restricted', namespace: ZENML_NAMESPACE },
      spec: { containers: [{ name: 'c', image: 'example.invalid/x:1' }] },
    };
    const r = kubectl(cp, ['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(pod) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/violates PodSecurity "restricted:latest"/);
  });
});
