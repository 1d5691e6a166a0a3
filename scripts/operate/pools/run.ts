/**
 * `npm run pause` and `npm run resume`: observe (observe.ts), decide (plan.ts), then change
 * (apply.ts), printing what changed and the monthly cost before and after, priced by the cost
 * model on the deployed template. Both are idempotent (a second run finds nothing to change) and
 * refuse with one line when the stack, a node group or the database is changing, or (pause) when
 * Spark work still runs.
 */
import { OUTPUT_KEYS } from '../../../lib/settings/outputs';
import { estimateCost, priceState } from '../../estimate/cost-model';
import { loadPriceTable, usd } from '../../estimate/price-table';
import { awsClients, endpointFromEnv, resolvedRegion } from '../../lib/aws-clients';
import { CliError, EXIT, EXIT_CODES_HELP, type FlagOptions, parseFlags, runCli } from '../../lib/cli';
import type { Kubectl } from '../pipeline/kubectl';
import { COMMON_HELP, COMMON_OPTIONS, resolveTarget } from '../target';
import { applyStep, describeStep, waitUntilRunnable } from './apply';
import {
  observeDatabase,
  observeKube,
  observeNodegroups,
  RDS_AUTO_START_DAYS,
  readDeployed,
} from './observe';
import { isRunning, type Observed, planPause, planResume, Refusal, stateAfter } from './plan';

export type Mode = 'pause' | 'resume';

export interface Io {
  readonly out: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** @default the clock */
  readonly now?: () => Date;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

const OPTIONS = {
  ...COMMON_OPTIONS,
  force: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  kubectl: { type: 'string' },
  'kube-context': { type: 'string' },
  timeout: { type: 'string', default: '1200' },
  'poll-interval': { type: 'string', default: '10' },
} satisfies FlagOptions;

const HELP: Record<Mode, string> = {
  pause: `Usage: npm run pause -- [--force] [--dry-run] [--kubectl PATH] [--kube-context NAME] [common options]

Stops what costs money while no pipeline runs and nothing is lost: scales the cluster autoscaler to
0 (so it cannot add Spark nodes back), sets both node pools to 0 nodes (their maximum stays: EKS
needs it >= 1) and stops the database (its storage is kept). The EKS control plane, the NAT gateway
and storage keep billing. AWS starts a stopped database by itself after ${RDS_AUTO_START_DAYS} days: pause
prints the date, and npm run status warns when it has happened (pause again to stop it again).

Refuses, changing nothing, while the stack, a node group or the database is changing, and while
Spark pods or Jobs still run in spark-namespace (--force pauses anyway and kills them). Running it
again finds nothing to change. Needs kubectl access to the cluster (aws eks update-kubeconfig).

  --force              pause even though Spark work is running
  --dry-run            print what would change, change nothing
  --kubectl PATH       kubectl executable (default: kubectl on PATH)
  --kube-context NAME  kubectl context (default: the current one)
${COMMON_HELP}

${EXIT_CODES_HELP}`,
  resume: `Usage: npm run resume -- [--dry-run] [--timeout SECONDS] [--kubectl PATH] [--kube-context NAME] [common options]

Undoes npm run pause: starts the database, gives both node pools the sizes the deployed stack's
template configures, scales the cluster autoscaler back to one replica, then waits (bounded) until
the cluster can run a step: a Ready system node, CoreDNS, the autoscaler and the database available.
Refuses while the stack, a node group or the database is changing. Running it again finds nothing
to change and returns as soon as the cluster is ready.

  --dry-run                print what would change, change nothing, do not wait
  --timeout SECONDS        bound on the wait (default 1200: an RDS start takes minutes)
  --poll-interval SECONDS  default 10
  --kubectl PATH           kubectl executable (default: kubectl on PATH)
  --kube-context NAME      kubectl context (default: the current one)
${COMMON_HELP}

${EXIT_CODES_HELP}`,
};

function seconds(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new CliError(`--${flag}=${text}: a number of seconds from ${min} to ${max}`, EXIT.usage);
  }
  return n * 1000;
}

export async function main(mode: Mode, argv: readonly string[], io: Io): Promise<number> {
  return runCli(
    async () => {
      const usage = HELP[mode].split('\n')[0];
      const flags = parseFlags(argv, OPTIONS, usage);
      if (flags.help) {
        io.out(HELP[mode]);
        return EXIT.ok;
      }
      if (mode === 'resume' && flags.force)
        throw new CliError(`--force is for pause only; ${usage.replace(/^Usage: /, 'usage: ')}`, EXIT.usage);
      const timeoutMs = seconds('timeout', flags.timeout, 1, 86_400);
      const pollMs = seconds('poll-interval', flags['poll-interval'], 0.01, 600);
      const now = io.now ?? (() => new Date());

      const target = resolveTarget(flags, io.env);
      const endpoint = endpointFromEnv(io.env);
      const clients = awsClients({ region: target.region, endpoint });
      const region = await resolvedRegion(clients);
      const where = `region ${region}${endpoint ? ` at ${endpoint}` : ''}`;
      const deployed = await readDeployed(clients, target.stackName, where);
      const k: Kubectl = { path: flags.kubectl ?? 'kubectl', context: flags['kube-context'], env: io.env };

      let kube: Observed['kube'];
      try {
        kube = await observeKube(k);
      } catch (e) {
        throw new CliError(
          `cannot use the cluster's API server (${(e as Error).message}); ${mode} needs kubectl for the cluster autoscaler` +
            `${mode === 'pause' ? ' and to check for running Spark work' : ' and to wait until the cluster is ready'}: ` +
            `run '${deployed.stack.rawOutputs[OUTPUT_KEYS.updateKubeconfigCommand] ?? 'aws eks update-kubeconfig --name <cluster>'}' where the endpoint is reachable`,
        );
      }
      const observed: Observed = {
        deployed,
        nodegroups: await observeNodegroups(clients, deployed.clusterName),
        database: await observeDatabase(clients, deployed.databaseId),
        kube,
      };
      let plan: ReturnType<typeof planPause>;
      try {
        plan = mode === 'pause' ? planPause(observed, { force: flags.force }) : planResume(observed);
      } catch (e) {
        if (e instanceof Refusal) throw new CliError(`refused: ${e.message}`);
        throw e;
      }

      const estimate = estimateCost({ templates: [deployed.template], region, prices: loadPriceTable() });
      const price = (nodes: Record<string, number>, databaseRunning: boolean) =>
        priceState(estimate, { nodes: (g) => (g.pool ? (nodes[g.pool] ?? 0) : g.desired), databaseRunning })
          .monthly;
      const before = price(
        { system: observed.nodegroups.system?.desired ?? 0, spark: observed.nodegroups.spark?.desired ?? 0 },
        isRunning(observed.database.status),
      );
      const after = stateAfter(observed, plan);

      io.out(
        `${mode === 'pause' ? 'Pause' : 'Resume'} ${deployed.stack.stackName} (${where})${flags['dry-run'] ? ': dry run, nothing is changed' : ''}`,
      );
      if (mode === 'pause' && flags.force && kube.sparkWork.length > 0) {
        io.out(
          `  --force: ${kube.sparkWork.length} Spark pod(s)/Job(s) will lose their node: ${kube.sparkWork.join(', ')}`,
        );
      }
      const ctx = { clients, kubectl: k, clusterName: deployed.clusterName, now, out: io.out };
      for (const step of plan.steps) {
        if (!flags['dry-run']) await applyStep(ctx, step);
        io.out(`  ${flags['dry-run'] ? 'would change' : 'changed'}  ${describeStep(step)}`);
      }
      for (const line of plan.unchanged) io.out(`  unchanged  ${line}`);
      if (plan.steps.length === 0)
        io.out(`  nothing to change: already ${mode === 'pause' ? 'paused' : 'resumed'}`);

      io.out(
        `Monthly cost (npm run cost's model, on the deployed template, ${estimate.region} prices of ${estimate.pricesRetrieved}): ` +
          `${usd(before)} -> ${usd(price(after.nodes, after.databaseRunning))}${estimate.unpriced.length > 0 ? ' (lower bounds: some lines unpriced)' : ''}`,
      );
      if (mode === 'pause') {
        const stoppedAt = plan.steps.some((s) => s.kind === 'database') ? now() : observed.database.pausedAt;
        if (stoppedAt) {
          const restart = new Date(stoppedAt.getTime() + RDS_AUTO_START_DAYS * 86_400_000);
          io.out(
            `AWS starts a stopped database again by itself after ${RDS_AUTO_START_DAYS} days: ${deployed.databaseId} on ${restart.toISOString().slice(0, 16).replace('T', ' ')} UTC. ` +
              'npm run status warns once it has; run npm run pause again then to stop it for another 7 days.',
          );
        }
        return EXIT.ok;
      }
      if (flags['dry-run']) return EXIT.ok;
      io.out(`Waiting until the cluster can run a step (at most ${Math.round(timeoutMs / 1000)}s):`);
      await waitUntilRunnable(ctx, { databaseId: deployed.databaseId, timeoutMs, pollMs, sleep: io.sleep });
      return EXIT.ok;
    },
    (message) => io.out(`${mode}: ${message}`),
  );
}
