/**
 * How long `cdk deploy` and `cdk destroy` of the configured environment should take, and what
 * they wait on: the critical path of the synthesized template's dependency graph, weighted by the
 * typical per-type durations in timings/resource-times.json.
 *
 *   npm run critical-path [-- -c key=value ...] [--assembly cdk.out] [--json]
 */

import { CLUSTER_AUTOSCALER } from '../../lib/settings/names';
import { POOL_LABEL, POOLS } from '../../lib/settings/scheduling';
import { SPARK_HISTORY_SERVICE } from '../../lib/settings/spark-history';
import { EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { settingsFromFlags } from '../lib/settings';
import { table } from '../lib/table';
import { templatesFor } from './app-templates';
import type { CfnTemplate } from './cloud-assembly';
import {
  buildDeployGraph,
  type DeployGraph,
  durationOf,
  formatDuration,
  loadResourceTimes,
  type ResourceTimes,
  type Schedule,
  schedule,
} from './deploy-graph';
import { parallelismChecks } from './parallelism-checks';

const HELP = `Usage: npm run critical-path -- [-c key=value ...] [--assembly DIR] [--json]

Builds the resource dependency graph of the synthesized template(s) (Ref, Fn::GetAtt, Fn::Sub,
DependsOn: what the template declares, nothing added), weights each resource by its typical create or
delete time (timings/resource-times.json, with sources) and prints the critical path of a deploy
and of a destroy, the long-running resources with their start times, and the parallelism checks:
the database and the cluster on separate branches, no node group (system or Spark pool) waiting for the database,
every node group declaring a wait for its subnets' default routes (NAT), the deploy within 10% of the EKS chain (cluster, add-ons, node group, kubectl-applied manifests).

  -c key=value    a setting, as with cdk (repeatable)
  --assembly DIR  read the template(s) from an existing cloud assembly instead of synthesizing
  --json          machine-readable result
  -h, --help      this help
Needs no AWS credentials.

${EXIT_CODES_HELP}`;

function pathTable(s: Schedule): string {
  return table(
    ['#', 'start', 'takes', 'done', 'resource', 'type', 'waits via'],
    s.criticalPath.map((r, i) => [
      String(i + 1),
      formatDuration(r.start),
      formatDuration(r.duration),
      formatDuration(r.finish),
      r.id,
      r.type,
      r.edge ? r.edge.kinds.join('+') : '-',
    ]),
  );
}

/** Resources that take a minute or more: when they run and how much slack they have. */
function longRunnersTable(graph: DeployGraph, s: Schedule): string {
  const onPath = new Set(s.criticalPath.map((r) => r.id));
  const rows = [...s.resources.values()]
    .filter((r) => r.duration >= 60)
    .sort((a, b) => a.start - b.start || a.id.localeCompare(b.id))
    .map((r) => [
      r.id,
      r.type,
      formatDuration(r.start),
      formatDuration(r.finish),
      onPath.has(r.id) ? 'critical' : formatDuration(s.total - r.finish),
      r.waitedFor ? `${r.waitedFor} (${graph.resources.get(r.waitedFor)?.type})` : '-',
    ]);
  return table(['resource', 'type', 'start', 'done', 'slack', 'last waited for'], rows);
}

/**
 * When the cluster can take a Spark step: the autoscaler is applied and the system pool is up by
 * the end of the deploy; then each run's first pod waits for a Spark node while the pool is at 0.
 */
function afterDeploy(template: CfnTemplate, deploy: Schedule, times: ResourceTimes): string {
  const ofPool = (pool: string) =>
    Object.entries(template.Resources).find(
      ([, r]) =>
        r.Type === 'AWS::EKS::Nodegroup' &&
        (r.Properties?.Labels as Record<string, string> | undefined)?.[POOL_LABEL] === pool,
    )?.[0];
  const autoscaler = Object.entries(template.Resources).find(
    ([, r]) =>
      r.Type === 'Custom::AWSCDK-EKS-KubernetesResource' &&
      JSON.stringify(r.Properties?.Manifest ?? '').includes(CLUSTER_AUTOSCALER.deployment),
  )?.[0];
  const history = Object.entries(template.Resources).find(
    ([, r]) =>
      r.Type === 'Custom::AWSCDK-EKS-KubernetesResource' &&
      JSON.stringify(r.Properties?.Manifest ?? '').includes(SPARK_HISTORY_SERVICE),
  )?.[0];
  const done = (id: string | undefined) => (id ? deploy.resources.get(id)?.finish : undefined);
  const lines = ['\nAfter the deploy'];
  const system = done(ofPool(POOLS.system));
  const ca = done(autoscaler);
  if (system !== undefined) lines.push(`  system pool up               ${formatDuration(system)}`);
  if (ca !== undefined) lines.push(`  cluster autoscaler applied   ${formatDuration(ca)}`);
  const hs = done(history);
  if (hs !== undefined) {
    lines.push(
      `  history server applied       ${formatDuration(hs)} (its pod starts once build-spark-image.sh has pushed a steps image)`,
    );
  }
  if (ofPool(POOLS.spark)) {
    lines.push(
      `  then, per run while the Spark pool is at 0: a pending Spark pod gets a Ready node in ~${formatDuration(times.sparkNodeScaleUp.create)}` +
        ' (scan + EC2 launch + join; timings/resource-times.json sparkNodeScaleUp)',
    );
  }
  return lines.join('\n');
}

const OPTIONS = {
  context: { type: 'string', short: 'c', multiple: true, default: [] },
  assembly: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;

export async function main(argv: readonly string[]): Promise<number> {
  const values = parseFlags(argv, OPTIONS, HELP.split('\n')[0]);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const { cliContext } = settingsFromFlags(values.context);
  const templates = templatesFor(values.assembly, cliContext);
  const times = loadResourceTimes();
  let failed = 0;
  const json: unknown[] = [];
  for (const { stackName, template } of templates.stacks) {
    const graph = buildDeployGraph(template);
    const deploy = schedule(graph, times, 'deploy');
    const destroy = schedule(graph, times, 'destroy');
    const checks = parallelismChecks(graph, times);
    failed += checks.filter((c) => !c.ok).length;
    if (values.json) {
      json.push({
        stackName,
        deploySeconds: deploy.total,
        destroySeconds: destroy.total,
        deployCriticalPath: deploy.criticalPath,
        destroyCriticalPath: destroy.criticalPath,
        checks,
      });
      continue;
    }
    const edges = [...graph.deps.values()].reduce((a, m) => a + m.size, 0);
    console.log(`zenml-spark-eks: deploy and destroy time of ${stackName}`);
    console.log(`  template ${templates.origin}`);
    console.log(`  graph    ${graph.resources.size} resources, ${edges} dependencies`);
    console.log(
      `  timings  timings/resource-times.json (typical durations, sources inside, ${times.retrieved})`,
    );
    console.log(`\nEstimated deploy ${formatDuration(deploy.total)} (m:ss), critical path:`);
    console.log(pathTable(deploy));
    console.log('\nLong-running resources during deploy (slack = how much later they could finish)');
    console.log(longRunnersTable(graph, deploy));
    console.log(afterDeploy(template, deploy, times));
    console.log(
      `\nEstimated destroy ${formatDuration(destroy.total)}, critical path (reverse dependencies):`,
    );
    console.log(pathTable(destroy));
    console.log('\nParallelism checks');
    console.log(
      table(
        ['check', 'result'],
        checks.map((c) => [c.name, c.ok ? 'ok' : 'VIOLATED']),
      ),
    );
    for (const c of checks.filter((x) => !x.ok)) console.log(`\n${c.name}: ${c.detail}`);
    const untimed = [...graph.resources.values()].filter(
      (r) => !times.types[r.type] && !r.type.startsWith('Custom::') && durationOf(r, times, 'deploy') > 0,
    );
    if (untimed.length > 0) {
      console.log(
        `\nUntimed types (default ${times.default.create} s): ${[...new Set(untimed.map((r) => r.type))].join(', ')}`,
      );
    }
  }
  if (values.json) console.log(JSON.stringify(json, null, 2));
  // The estimate is informational (the unit tests hold the checks): report, exit 0.
  if (failed > 0 && !values.json) console.log(`\n${failed} check(s) violated: see docs/cost-and-timing.md`);
  return 0;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
