/**
 * What pause and resume change, decided from what they observed, or one refusal saying why not.
 * Pure: no AWS, no kubectl, so every refusal and every idempotent re-run is a unit test.
 *
 * Pause: the autoscaler to 0 replicas first (or it would add Spark nodes back for pending pods),
 * then both pools to 0 (EKS needs maxSize >= 1, so max stays and min/desired go to 0), then the
 * database stopped. Resume, the other way round: the database started, the pools at the sizes the
 * deployed template gives them, the autoscaler back to one replica.
 */
import type { PoolName } from '../../../lib/settings/scheduling';
import { stackCondition } from '../stack-outputs';
import type { DatabaseNow, Deployed, KubeNow, NodegroupNow, PoolScaling } from './observe';

export type Step =
  | { readonly kind: 'autoscaler'; readonly from: number; readonly to: number }
  | {
      readonly kind: 'nodegroup';
      readonly name: string;
      readonly pool: PoolName;
      readonly from: PoolScaling;
      readonly to: PoolScaling;
    }
  | {
      readonly kind: 'database';
      readonly id: string;
      readonly arn?: string;
      readonly action: 'stop' | 'start';
    };

export interface Observed {
  readonly deployed: Deployed;
  readonly nodegroups: Partial<Record<PoolName, NodegroupNow>>;
  readonly database: DatabaseNow;
  readonly kube: KubeNow;
}

export interface Plan {
  readonly steps: readonly Step[];
  /** What is already where the command wants it, one line each. */
  readonly unchanged: readonly string[];
}

/** A reason to change nothing at all; the CLI prints it as one line and exits 1. */
export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Refusal';
  }
}

const POOL_ORDER_PAUSE: readonly PoolName[] = ['spark', 'system'];
const POOL_ORDER_RESUME: readonly PoolName[] = ['system', 'spark'];

/** RDS states in which the instance is neither settled nor moving towards what pause/resume want. */
const DB_SETTLED = new Set(['available', 'stopped']);

export function describeScaling(s: PoolScaling): string {
  return `min ${s.min} / desired ${s.desired} / max ${s.max}`;
}

function sameScaling(a: PoolScaling, b: PoolScaling): boolean {
  return a.min === b.min && a.desired === b.desired && a.max === b.max;
}

/** Checks every command shares: the stack settled, both node groups found and not changing. */
function commonRefusals(o: Observed, verb: string): Record<PoolName, NodegroupNow> {
  const { stack } = o.deployed;
  const condition = stackCondition(stack.status);
  if (condition !== 'ready' && condition !== 'rolled-back-update') {
    throw new Refusal(
      `stack '${stack.stackName}' is ${stack.status}: ${verb} would change node groups and a database CloudFormation ` +
        `may be changing too; wait until it settles (npm run status), then retry`,
    );
  }
  const found: Partial<Record<PoolName, NodegroupNow>> = {};
  for (const pool of POOL_ORDER_RESUME) {
    const ng = o.nodegroups[pool];
    if (!ng) {
      throw new Refusal(
        `cluster '${o.deployed.clusterName}' has no ${pool} node group (labelled zenml-spark-eks/pool=${pool}); is the stack fully deployed?`,
      );
    }
    if (ng.status !== 'ACTIVE') {
      throw new Refusal(
        `node group ${ng.name} (${pool} pool) is ${ng.status}: a change is under way; retry when it is ACTIVE (npm run status)`,
      );
    }
    found[pool] = ng;
  }
  return found as Record<PoolName, NodegroupNow>;
}

export function planPause(o: Observed, opts: { readonly force: boolean }): Plan {
  const nodegroups = commonRefusals(o, 'pause');
  const db = o.database;
  if (!DB_SETTLED.has(db.status) && db.status !== 'stopping') {
    throw new Refusal(
      `database ${db.id} is ${db.status}: it is changing; retry when it is available (npm run status)`,
    );
  }
  if (o.kube.sparkWork.length > 0 && !opts.force) {
    const shown = o.kube.sparkWork.slice(0, 5).join(', ');
    const more = o.kube.sparkWork.length > 5 ? ` and ${o.kube.sparkWork.length - 5} more` : '';
    throw new Refusal(
      `Spark work is still running in spark-namespace (${shown}${more}): pausing would kill it; wait for it to finish, or pass --force`,
    );
  }

  const steps: Step[] = [];
  const unchanged: string[] = [];
  const ca = o.kube.autoscaler;
  if (!ca)
    unchanged.push(
      'cluster autoscaler: no Deployment in the cluster (applyKubernetesManifests=false?): nothing to stop',
    );
  else if (ca.replicas > 0) steps.push({ kind: 'autoscaler', from: ca.replicas, to: 0 });
  else unchanged.push('cluster autoscaler: already at 0 replicas');

  for (const pool of POOL_ORDER_PAUSE) {
    const ng = nodegroups[pool];
    // EKS refuses maxSize 0: the maximum stays, so resume and the autoscaler find it unchanged.
    const to = { min: 0, desired: 0, max: ng.max };
    if (sameScaling(ng, to))
      unchanged.push(`node group ${ng.name} (${pool} pool): already ${describeScaling(ng)}`);
    else steps.push({ kind: 'nodegroup', name: ng.name, pool, from: scalingOf(ng), to });
  }

  if (db.status === 'available') steps.push({ kind: 'database', id: db.id, arn: db.arn, action: 'stop' });
  else unchanged.push(`database ${db.id}: already ${db.status}`);
  return { steps, unchanged };
}

export function planResume(o: Observed): Plan {
  const nodegroups = commonRefusals(o, 'resume');
  const db = o.database;
  if (db.status === 'stopping') {
    throw new Refusal(
      `database ${db.id} is stopping (a pause is under way): RDS cannot start it until it is stopped; retry in a few minutes`,
    );
  }
  if (!DB_SETTLED.has(db.status) && db.status !== 'starting') {
    throw new Refusal(
      `database ${db.id} is ${db.status}: it is changing; retry when it is available or stopped`,
    );
  }

  const steps: Step[] = [];
  const unchanged: string[] = [];
  if (db.status === 'stopped') steps.push({ kind: 'database', id: db.id, arn: db.arn, action: 'start' });
  else unchanged.push(`database ${db.id}: already ${db.status}`);

  for (const pool of POOL_ORDER_RESUME) {
    const ng = nodegroups[pool];
    const configured = o.deployed.configured[pool];
    // The sizes the deployed template gives the pool; the Spark pool keeps any nodes the autoscaler added.
    const to = {
      min: configured.min,
      desired:
        pool === 'spark'
          ? Math.min(configured.max, Math.max(configured.min, ng.desired))
          : configured.desired,
      max: configured.max,
    };
    if (sameScaling(ng, to))
      unchanged.push(`node group ${ng.name} (${pool} pool): already ${describeScaling(ng)}`);
    else steps.push({ kind: 'nodegroup', name: ng.name, pool, from: scalingOf(ng), to });
  }

  const ca = o.kube.autoscaler;
  if (!ca)
    unchanged.push(
      'cluster autoscaler: no Deployment in the cluster (applyKubernetesManifests=false?): nothing to start',
    );
  else if (ca.replicas === 0) steps.push({ kind: 'autoscaler', from: 0, to: 1 });
  else unchanged.push(`cluster autoscaler: already at ${ca.replicas} replica${ca.replicas === 1 ? '' : 's'}`);
  return { steps, unchanged };
}

function scalingOf(s: PoolScaling): PoolScaling {
  return { min: s.min, desired: s.desired, max: s.max };
}

/** The state a plan leaves the cluster in: desired nodes per pool and whether the database runs. */
export function stateAfter(
  o: Observed,
  plan: Plan,
): { nodes: Record<PoolName, number>; databaseRunning: boolean } {
  const nodes = { system: o.nodegroups.system?.desired ?? 0, spark: o.nodegroups.spark?.desired ?? 0 };
  let databaseRunning = isRunning(o.database.status);
  for (const step of plan.steps) {
    if (step.kind === 'nodegroup') nodes[step.pool] = step.to.desired;
    if (step.kind === 'database') databaseRunning = step.action === 'start';
  }
  return { nodes, databaseRunning };
}

/** Billed as running: everything but stopped (and on its way there). */
export function isRunning(dbStatus: string): boolean {
  return dbStatus !== 'stopped' && dbStatus !== 'stopping';
}
