/**
 * Carrying out a pause or resume plan (plan.ts): each step is one AWS call or one kubectl call,
 * printed as it is made; and, for resume, the bounded wait until the cluster can run a step.
 */
import { UpdateNodegroupConfigCommand } from '@aws-sdk/client-eks';
import {
  AddTagsToResourceCommand,
  RemoveTagsFromResourceCommand,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { CLUSTER_AUTOSCALER } from '../../../lib/settings/names';
import { type AwsClients, explainAwsError } from '../../lib/aws-clients';
import { CliError } from '../../lib/cli';
import { type Kubectl, kubectl } from '../pipeline/kubectl';
import { type KubeNow, observeDatabase, observeKube, PAUSED_AT_TAG } from './observe';
import { describeScaling, type Step } from './plan';

export interface ApplyContext {
  readonly clients: AwsClients;
  readonly kubectl: Kubectl;
  readonly clusterName: string;
  readonly now: () => Date;
  readonly out: (line: string) => void;
}

export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'autoscaler':
      return `cluster autoscaler: ${step.from} -> ${step.to} replica${step.to === 1 ? '' : 's'}`;
    case 'nodegroup':
      return `node group ${step.name} (${step.pool} pool): ${describeScaling(step.from)} -> ${describeScaling(step.to)}`;
    case 'database':
      return `database ${step.id}: ${step.action === 'stop' ? 'available -> stopping' : 'stopped -> starting'}`;
  }
}

export async function applyStep(ctx: ApplyContext, step: Step): Promise<void> {
  switch (step.kind) {
    case 'autoscaler': {
      const r = await kubectl(ctx.kubectl, [
        'scale',
        'deployment',
        CLUSTER_AUTOSCALER.deployment,
        '-n',
        CLUSTER_AUTOSCALER.namespace,
        `--replicas=${step.to}`,
      ]);
      if (r.code !== 0)
        throw new CliError(`scaling the cluster autoscaler to ${step.to} failed: ${r.stderr.trim()}`);
      break;
    }
    case 'nodegroup':
      try {
        await ctx.clients.eks.send(
          new UpdateNodegroupConfigCommand({
            clusterName: ctx.clusterName,
            nodegroupName: step.name,
            scalingConfig: { minSize: step.to.min, desiredSize: step.to.desired, maxSize: step.to.max },
          }),
        );
      } catch (e) {
        throw explainAwsError(e, `resizing node group ${step.name}`);
      }
      break;
    case 'database':
      try {
        if (step.action === 'stop') {
          await ctx.clients.rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: step.id }));
          // Recorded on the instance, so `npm run status` can say when AWS will start it again.
          if (step.arn) {
            await ctx.clients.rds.send(
              new AddTagsToResourceCommand({
                ResourceName: step.arn,
                Tags: [{ Key: PAUSED_AT_TAG, Value: ctx.now().toISOString() }],
              }),
            );
          }
        } else {
          await ctx.clients.rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: step.id }));
          if (step.arn) {
            await ctx.clients.rds.send(
              new RemoveTagsFromResourceCommand({ ResourceName: step.arn, TagKeys: [PAUSED_AT_TAG] }),
            );
          }
        }
      } catch (e) {
        throw explainAwsError(e, `${step.action === 'stop' ? 'stopping' : 'starting'} database ${step.id}`);
      }
      break;
  }
}

export interface Readiness {
  readonly systemNode: boolean;
  readonly coredns: boolean;
  /** undefined: the cluster has no autoscaler Deployment to wait for. */
  readonly autoscaler: boolean | undefined;
  readonly database: boolean;
}

export function readiness(kube: KubeNow, databaseStatus: string): Readiness {
  return {
    systemNode: kube.systemNodesReady > 0,
    coredns: kube.corednsAvailable > 0,
    autoscaler: kube.autoscaler ? kube.autoscaler.available > 0 : undefined,
    database: databaseStatus === 'available',
  };
}

/** What is still missing, in words; empty when the cluster can run a step. */
export function waitingFor(r: Readiness, databaseStatus: string): string[] {
  return [
    ...(r.systemNode ? [] : ['a Ready system node']),
    ...(r.coredns ? [] : ['CoreDNS']),
    ...(r.autoscaler === false ? ['the cluster autoscaler'] : []),
    ...(r.database ? [] : [`the database (${databaseStatus})`]),
  ];
}

export interface WaitOptions {
  readonly databaseId: string;
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Waits, bounded, until a system node is Ready, CoreDNS and the autoscaler are available and the
 * database is available: then a Spark step can run (the autoscaler adds its Spark node). Prints a
 * line whenever what it waits for changes, and one a minute otherwise.
 */
export async function waitUntilRunnable(ctx: ApplyContext, opts: WaitOptions): Promise<number> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const started = ctx.now().getTime();
  let last = '';
  let lastPrinted = started;
  for (;;) {
    const kube = await observeKube(ctx.kubectl);
    const db = await observeDatabase(ctx.clients, opts.databaseId);
    const missing = waitingFor(readiness(kube, db.status), db.status);
    const elapsed = ctx.now().getTime() - started;
    const seconds = `${Math.round(elapsed / 1000)}s`;
    if (missing.length === 0) {
      ctx.out(`  ready after ${seconds}: a system node, CoreDNS, the autoscaler and the database are up`);
      return elapsed;
    }
    const line = missing.join(', ');
    if (line !== last || ctx.now().getTime() - lastPrinted >= 60_000) {
      ctx.out(`  ${seconds.padStart(5)}  waiting for ${line}`);
      last = line;
      lastPrinted = ctx.now().getTime();
    }
    if (elapsed >= opts.timeoutMs) {
      throw new CliError(
        `not ready after ${Math.round(opts.timeoutMs / 1000)}s: still waiting for ${line}; npm run status shows where it stands (resume again to keep waiting)`,
      );
    }
    await sleep(opts.pollMs);
  }
}
