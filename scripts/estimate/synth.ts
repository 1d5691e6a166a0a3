/**
 * The main job: synthesize every CloudFormation template into cdk.out/ (through the CDK CLI, with
 * all policy checks) and every Kubernetes manifest into dist/, offline and without credentials,
 * then print a summary a reviewer can read.
 *
 *   npm run synth [-- -c key=value ...]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeManifests } from '../../k8s/manifests';
import type { EnvironmentConfig } from '../../lib/settings/config';
import { physicalNames } from '../../lib/settings/names';
import {
  ZENML_DB_IAM_USER,
  ZENML_NAMESPACE,
  ZENML_SECRETS_STORE_PREFIX,
  ZENML_SERVER_IMAGE,
  ZENML_SERVER_IN_CLUSTER_URL,
} from '../../lib/settings/zenml';
import { EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { REPO_ROOT, settingsFromFlags } from '../lib/settings';
import { markFailed, writeOkStamp } from '../lib/synth-stamp';
import { table } from '../lib/table';
import { type CloudAssemblySummary, summarizeCloudAssembly } from './cloud-assembly';
import { costSummaryLines } from './cost-report';
import { checkOutputDirs, createOutputDir } from './output-dirs';

const HELP = `Usage: npm run synth [-- -c key=value ...] [--out cdk.out] [--dist dist]

Synthesizes the CloudFormation template(s) into cdk.out/ with the CDK CLI (cdk-nag, cfn-guard and
CloudFormation validation run as part of it) and the Kubernetes manifests into dist/, then prints
a summary. Needs no AWS credentials. Settings: cdk.json context, -c key=value, ZENML_SPARK_* env.
--out and --dist are rewritten as a whole, so each must be new, empty, or an earlier synth's output
(never the repository, your home, a source folder, or the same as the other).

${EXIT_CODES_HELP}`;

const OPTIONS = {
  context: { type: 'string', short: 'c', multiple: true, default: [] },
  out: { type: 'string', default: 'cdk.out' },
  dist: { type: 'string', default: 'dist' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;

async function main(argv: readonly string[]): Promise<number> {
  const started = Date.now();
  const values = parseFlags(argv, OPTIONS, HELP.split('\n')[0]);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  // Before anything is written or removed: synth rewrites both directories as a whole.
  const out = { flag: '--out', value: values.out as string, defaultValue: OPTIONS.out.default };
  const dist = { flag: '--dist', value: values.dist as string, defaultValue: OPTIONS.dist.default };
  const { outDir, distDir } = checkOutputDirs(out, dist, { repoRoot: REPO_ROOT });
  createOutputDir(out, outDir);
  createOutputDir(dist, distDir);
  try {
    return await synthesize(values.context, outDir, distDir, started);
  } catch (e) {
    // Whatever stopped the synth, the output of an earlier one must not pass for this one's.
    const message = (e as Error).message;
    markFailed(outDir, 'cdk.out', message);
    markFailed(distDir, 'dist', message);
    throw e;
  }
}

async function synthesize(
  context: string[] | undefined,
  outDir: string,
  distDir: string,
  started: number,
): Promise<number> {
  // Validate settings first: a bad value is reported in one line, before the CLI even starts.
  const { cliContext, config } = settingsFromFlags(context);
  markFailed(outDir, 'cdk.out', 'a synth started and did not finish');
  markFailed(distDir, 'dist', 'a synth started and did not finish');
  const cdk = path.join(REPO_ROOT, 'node_modules', '.bin', 'cdk');
  const args = ['synth', '--quiet', '--no-notices', '--output', outDir];
  for (const [k, v] of Object.entries(cliContext)) args.push('-c', `${k}=${v}`);
  const result = spawnSync(cdk, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  if (result.status !== 0) {
    const failure = `cdk synth failed (exit ${result.status ?? result.signal})`;
    markFailed(outDir, 'cdk.out', failure);
    markFailed(distDir, 'dist', failure);
    console.error(
      `\n${failure}: ${path.relative(process.cwd(), outDir)}/ and ${path.relative(process.cwd(), distDir)}/ are marked ` +
        'failed (cost, critical-path, gates and the manifest tests refuse them) until a synth succeeds.',
    );
    return result.status ?? 1;
  }
  const assembly = summarizeCloudAssembly(outDir);

  fs.rmSync(distDir, { recursive: true, force: true });
  const manifests = writeManifests(distDir, {
    region: config.region,
    accountId: config.account,
    nodeInstanceType: config.nodeInstanceType,
    clusterName: physicalNames(config).clusterName,
    kubernetesVersion: config.kubernetesVersion,
    zenmlServer: config.zenmlServer,
    zenmlDatabaseAuth: config.zenmlDatabaseAuth,
    sparkHistoryServer: config.sparkHistoryServer,
    eventLogPrefix: config.sparkEventLogPrefix,
  });
  writeOkStamp(outDir, 'cdk.out', config);
  writeOkStamp(distDir, 'dist', config);

  printSummary(config, assembly, manifests, outDir, distDir, Date.now() - started);
  return 0;
}

/** What the summary says about the ZenML server and its database (exported for the test). */
export function zenmlServerSummary(config: EnvironmentConfig): string[] {
  if (!config.zenmlServer) {
    return [
      `  database none (zenmlServer=false); removal mode ${config.removalMode}`,
      `  zenml    your server at ${config.zenmlServerUrl}: the registration commands target it; nothing ZenML runs on the cluster`,
    ];
  }
  const auth =
    config.zenmlDatabaseAuth === 'iam'
      ? `RDS IAM auth as ${ZENML_DB_IAM_USER} (Pod Identity; user made by a bootstrap Job)`
      : 'the master password, read from Secrets Manager at run time (zenmlDatabaseAuth=password)';
  return [
    `  database ${config.dbInstanceClass} MySQL ${config.mysqlEngineVersion}; removal mode ${config.removalMode}`,
    `  zenml    server ${ZENML_SERVER_IMAGE} in namespace ${ZENML_NAMESPACE}, Service ${ZENML_SERVER_IN_CLUSTER_URL}`,
    `           database: ${auth}; TLS verified against the RDS rsa2048-g1 root`,
    `           secrets store: AWS Secrets Manager, ${ZENML_SECRETS_STORE_PREFIX}* in the account/region, via Pod Identity`,
    '           reach: private (ClusterIP); `npm run zenml-login` port-forwards and logs your client in',
  ];
}

/**
 * The summary's first and last lines (exported for the test). The emulator build (emulator=true)
 * leaves out the EKS cluster and the custom resources: its summary must not read like one to
 * deploy.
 */
export function summaryFrame(
  config: EnvironmentConfig,
  outDir: string,
  elapsedMs: number,
): { first: string[]; next: string } {
  const synthesized = `zenml-spark-eks: synthesized offline in ${(elapsedMs / 1000).toFixed(1)} s`;
  if (!config.emulator) {
    return {
      first: [synthesized],
      next: `Templates in ${outDir}/. Next: npm test, or deploy with the commands in README.md.`,
    };
  }
  return {
    first: [
      'EMULATOR BUILD (emulator=true): the local moto build, without the EKS cluster and custom resources; not for deploying',
      synthesized,
    ],
    next:
      `Templates in ${outDir}/: the emulator (moto) build, for the local test suites ` +
      '(bash scripts/verify/test.sh emulator rehearsal), not for deploying; for a real build set emulator=false ' +
      '(unset ZENML_SPARK_EMULATOR, or -c emulator=false) and run npm run synth again.',
  };
}

function printSummary(
  config: EnvironmentConfig,
  assembly: CloudAssemblySummary,
  manifests: ReturnType<typeof writeManifests>,
  outDir: string,
  distDir: string,
  elapsedMs: number,
) {
  const rel = (p: string) => path.relative(process.cwd(), p) || '.';
  const names = physicalNames(config);
  const frame = summaryFrame(config, rel(outDir), elapsedMs);
  console.log(`\n${frame.first.join('\n')}`);
  console.log(
    `  target   ${config.account ?? 'any account'} / ${config.region ?? 'any region'} (set account/region to pin)`,
  );
  console.log(
    `  cluster  ${names.clusterName}: Kubernetes ${config.kubernetesVersion}; system pool ${config.systemNodeInstanceType} x ` +
      `${config.systemNodeCount}; Spark pool ${config.nodeInstanceType} x ${config.nodeMinSize}-${config.nodeMaxSize} (cluster autoscaler)`,
  );
  for (const line of zenmlServerSummary(config)) console.log(line);

  console.log('\nStacks');
  console.log(
    table(
      ['stack', 'resources', 'outputs', 'template'],
      assembly.stacks.map((s) => [
        s.stackName,
        String(s.resourceCount),
        String(s.outputs.length),
        rel(s.templatePath),
      ]),
    ),
  );
  for (const stack of assembly.stacks) {
    console.log(`\nResources in ${stack.stackName}`);
    console.log(
      table(
        ['type', 'count'],
        Object.entries(stack.resourceTypes)
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .map(([type, count]) => [type, String(count)]),
      ),
    );
    console.log(`\nOutputs of ${stack.stackName}: ${stack.outputs.join(', ')}`);
  }
  console.log('\nPolicy checks (blocking; acknowledgements carry reasons in the constructs)');
  console.log(
    table(
      ['check', 'unacknowledged', 'acknowledged'],
      assembly.validation.map((v) => [v.plugin, String(v.violations), String(v.acknowledged)]),
    ),
  );
  console.log(`\nKubernetes manifests in ${rel(distDir)}/`);
  console.log(
    table(
      ['chart', 'objects', 'file'],
      manifests.map((m) => [m.chart, String(m.objects), rel(m.file)]),
    ),
  );
  console.log(`\n${frame.next}`);
  console.log(costSummaryLines(assembly, config).join('\n'));
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
