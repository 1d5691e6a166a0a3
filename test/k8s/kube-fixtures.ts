/**
 * What the *.kube.test.ts files share: the deploy-time manifests of the default stack, read from
 * its synthesized template, and applying the Spark RBAC one (idempotent, server-side), which every
 * test that runs something in the spark namespace needs first.
 */
import { stringify } from 'yaml';
import { SPARK_NAMESPACE } from '../../lib/settings/names';
import { POOL_LABEL, POOLS, SPARK_TAINT } from '../../lib/settings/scheduling';
import { type ControlPlane, kubectlOk } from '../../scripts/verify/kube/cluster';
import {
  type CfnTemplateLike,
  type DeployTimeManifest,
  deployTimeManifests,
} from '../../scripts/verify/kube/deploy-time-manifests';
import { synth } from '../lib/fixtures';

/** The kubectl provider's manifests in the default stack's template. */
export function defaultStackManifests(settings: Record<string, unknown> = {}): DeployTimeManifest[] {
  return deployTimeManifests(synth(settings).template.toJSON() as CfnTemplateLike);
}

/** The manifest that creates the spark namespace (namespace, service account, driver Role). */
export function sparkRbacManifest(): DeployTimeManifest {
  const rbac = defaultStackManifests().find((m) =>
    m.objects.some(
      (o) => o.kind === 'Namespace' && (o.metadata as { name?: string }).name === SPARK_NAMESPACE,
    ),
  );
  if (!rbac) throw new Error('no deploy-time manifest creates the spark namespace');
  return rbac;
}

export function toYamlStream(objects: readonly object[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/** Server-side apply, as one field manager for every test. */
export function applyServerSide(cp: ControlPlane, objects: readonly object[]): void {
  kubectlOk(cp, ['apply', '--server-side', '--field-manager=zenml-spark-eks-test', '-f', '-'], {
    input: toYamlStream(objects),
  });
}

export function applySparkRbac(cp: ControlPlane): void {
  applyServerSide(cp, sparkRbacManifest().objects);
}

interface Versioned {
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly resourceVersion: string;
    readonly generation?: number;
  };
}

/**
 * What a second apply must leave unchanged, per object: `metadata.generation` where the API server
 * keeps one (Deployments, Jobs: it moves with the spec only, while their controllers keep writing
 * status, which moves resourceVersion), else `resourceVersion`.
 */
export function specVersions(items: readonly Versioned[]): Record<string, string> {
  return Object.fromEntries(
    items.map((i) => [
      `${i.kind}/${i.metadata.name}`,
      i.metadata.generation !== undefined
        ? `generation ${i.metadata.generation}`
        : i.metadata.resourceVersion,
    ]),
  );
}

/**
 * A fake Node of one pool (labels and, for the Spark pool, the taint, as the node groups give them),
 * Ready, with the allocatable of a t3a.medium or t3a.xlarge; there is no kubelet, so its pods never
 * start, but the real scheduler places pods on it. The control plane runs no node lifecycle
 * controller, so nothing removes it: the test deletes it.
 */
export function createFakeNode(cp: ControlPlane, name: string, pool: 'system' | 'spark'): void {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { [POOL_LABEL]: POOLS[pool], 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': name },
    },
    spec: pool === 'spark' ? { taints: [{ ...SPARK_TAINT }] } : {},
  };
  kubectlOk(cp, ['apply', '-f', '-'], { input: JSON.stringify(node) });
  // Allocatable of a t3a.medium and a t3a.xlarge (lib/settings/sizing.ts).
  const [cpu, memory] = pool === 'spark' ? ['3920m', '14162Mi'] : ['1930m', '3246Mi'];
  // The TaintNodesByCondition admission plugin marks a new Node not-ready; the node lifecycle
  // controller (not run here) would lift that once the node reports Ready, as below.
  kubectlOk(cp, ['taint', 'node', name, 'node.kubernetes.io/not-ready:NoSchedule-']);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  kubectlOk(cp, [
    'patch',
    'node',
    name,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({
      status: {
        capacity: { cpu, memory, pods: '58' },
        allocatable: { cpu, memory, pods: '58' },
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
        ],
      },
    }),
  ]);
}
