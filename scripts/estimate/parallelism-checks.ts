/**
 * The parallelism checks of the critical-path estimate: the database and the cluster on separate
 * branches, no node group (system or Spark pool) waiting for the database, every node group
 * declaring its wait for the NAT route, and the deploy within a tolerance of the EKS chain it
 * cannot avoid. The unit tests hold them; `npm run critical-path` prints them.
 */
import {
  type DeployGraph,
  dependencyPath,
  describeChain,
  durationOf,
  formatDuration,
  type GraphResource,
  idsOfType,
  type ResourceTimes,
  type Schedule,
  schedule,
} from './deploy-graph';

/**
 * The EKS chain a deploy cannot avoid: cluster, add-ons, node group and the kubectl-applied
 * manifests, each at its typical duration, everything else free. A deploy much longer than this
 * chain means something slow runs in series with the cluster when it could run beside it.
 */
export function isEksChainResource(r: GraphResource): boolean {
  return r.type.startsWith('AWS::EKS::') || r.type.startsWith('Custom::AWSCDK-EKS-');
}

export function eksChain(graph: DeployGraph, times: ResourceTimes): Schedule {
  return schedule(graph, times, 'deploy', (r) =>
    isEksChainResource(r) ? durationOf(r, times, 'deploy') : 0,
  );
}

/** The deploy may exceed the unavoidable EKS chain by this much before it counts as serialized. */
export const CHAIN_TOLERANCE = 0.1;

export interface ParallelismCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export function parallelismChecks(graph: DeployGraph, times: ResourceTimes): ParallelismCheck[] {
  const checks: ParallelismCheck[] = [];
  const dbs = idsOfType(graph, 'AWS::RDS::DBInstance');
  const clusters = idsOfType(graph, 'AWS::EKS::Cluster');
  const nodegroups = idsOfType(graph, 'AWS::EKS::Nodegroup');
  for (const db of dbs) {
    for (const cluster of clusters) {
      const a = dependencyPath(graph, db, cluster);
      const b = dependencyPath(graph, cluster, db);
      checks.push({
        name: 'database and cluster on separate branches',
        ok: !a && !b,
        detail: a
          ? `${db} waits for ${cluster}:\n${describeChain(a, graph)}`
          : b
            ? `${cluster} waits for ${db}:\n${describeChain(b, graph)}`
            : 'neither waits for the other',
      });
    }
    for (const ng of nodegroups) {
      const p = dependencyPath(graph, ng, db);
      checks.push({
        name: `node group ${ng} does not wait for the database`,
        ok: !p,
        detail: p ? `${ng} waits for ${db}:\n${describeChain(p, graph)}` : 'it does not',
      });
    }
  }
  for (const ng of nodegroups) {
    // Read from the declared edges only: the graph adds none of its own.
    const routes = graph.nodegroupRoutes.get(ng) ?? [];
    const missing = routes.filter((route) => !dependencyPath(graph, ng, route));
    checks.push({
      name: `node group ${ng} declares a wait for its subnets' default routes`,
      ok: routes.length > 0 && missing.length === 0,
      detail:
        routes.length === 0
          ? 'its subnets have no default (0.0.0.0/0) route in the template: nodes could not join the cluster'
          : missing.length > 0
            ? `no DependsOn/reference chain from ${ng} to ${missing.join(', ')}: CloudFormation may start it before the NAT route exists, and its nodes would not join`
            : `waits for ${routes.join(', ')}`,
    });
  }
  if (clusters.length > 0) {
    const deploy = schedule(graph, times, 'deploy');
    const chain = eksChain(graph, times);
    const ratio = deploy.total / chain.total;
    const costly = deploy.criticalPath.filter(
      (s) => s.duration > 0 && !isEksChainResource(graph.resources.get(s.id) as GraphResource),
    );
    checks.push({
      name: `deploy within ${CHAIN_TOLERANCE * 100}% of the EKS chain`,
      ok: ratio <= 1 + CHAIN_TOLERANCE,
      detail: [
        `deploy ${formatDuration(deploy.total)} vs EKS chain ${formatDuration(chain.total)} (x${ratio.toFixed(2)}); ` +
          `non-EKS time on the critical path ${formatDuration(costly.reduce((a, s) => a + s.duration, 0))}:`,
        ...costly.map(
          (s) =>
            `  ${s.id} (${s.type}, ${formatDuration(s.duration)}), waited for by ${nextOnPath(deploy, s.id) ?? '-'}`,
        ),
      ].join('\n'),
    });
  }
  return checks;
}

/** The resource that waited for `id` on the critical path, and through which edge. */
function nextOnPath(s: Schedule, id: string): string | undefined {
  const i = s.criticalPath.findIndex((r) => r.id === id);
  const next = s.criticalPath[i + 1];
  return next?.edge ? `${next.id} [${next.edge.kinds.join('+')}]` : undefined;
}
