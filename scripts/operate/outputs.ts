/**
 * From a deployed stack to a registered ZenML stack: reads the stack outputs and prints the
 * kubeconfig and ZenML commands (ready to paste), or runs them with --run.
 *
 *   npm run outputs [-- --run] [--with-secret-values] [--stack NAME] [--region R] [-c key=value]
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { awsClients, endpointFromEnv, resolvedRegion } from '../lib/aws-clients';
import { CliError, EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { REPO_ROOT } from '../lib/settings';
import { table } from '../lib/table';
import { findExecutable, type RunResult, runCommands } from './run-commands';
import { readSecretValues } from './secrets';
import { accountOf, readStackOutputs, type StackOutputs } from './stack-outputs';
import { COMMON_HELP, COMMON_OPTIONS, resolveTarget } from './target';
import { buildPlan, type Plan, renderShell, ZENML_VERSION } from './zenml-commands';

const USAGE = 'Usage: npm run outputs -- [--run] [--with-secret-values] [--json] [options]';
const HELP = `${USAGE}

Reads the outputs of the deployed stack and prints the commands that connect it to ZenML
${ZENML_VERSION}: aws eks update-kubeconfig, zenml secret create s3_authentication (when the stack
has one), the S3 artifact store, the ECR container registry, this project's spark-eks step-operator
flavor and the step operator (the step image's tag is computed from the sources, as
build-spark-image.sh --target zenml-step tags it), and the stack that joins them, set active. They register on the
server your ZenML client is logged in to: the in-cluster one through 'npm run zenml-login' (keep it
running in another terminal), or your own (zenmlServerUrl). The output is a shell script: paste
it, or save it and review it.

Options:
  --run                  run the commands instead of printing them (needs aws and zenml on PATH)
  --with-secret-values   read the secrets from Secrets Manager: printed inline, or with --run
                         passed to zenml through a private temporary file. Without it, printed
                         commands fetch the values themselves when pasted, and --run skips them
  --no-kubeconfig        leave out aws eks update-kubeconfig
  --zenml-prefix P       prefix of the ZenML component names (default: spark -> spark_stack, ...)
  --zenml-bin PATH       the zenml executable for --run (default: zenml on PATH)
  --aws-bin PATH         the aws executable for --run (default: aws on PATH)
  --json                 print the checked outputs and planned commands as JSON (no secret values)
${COMMON_HELP}

${EXIT_CODES_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  run: { type: 'boolean', default: false },
  'with-secret-values': { type: 'boolean', default: false },
  'no-kubeconfig': { type: 'boolean', default: false },
  'zenml-prefix': { type: 'string', default: 'spark' },
  'zenml-bin': { type: 'string', default: 'zenml' },
  'aws-bin': { type: 'string', default: 'aws' },
  json: { type: 'boolean', default: false },
} satisfies FlagOptions;

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parseFlags(argv, OPTIONS, USAGE);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  if (flags.run && flags.json) throw new CliError('--run and --json: choose one', 2);
  const target = resolveTarget(flags, env);
  const endpoint = endpointFromEnv(env);
  const clients = awsClients({ region: target.region, endpoint });
  const region = await resolvedRegion(clients);
  const where = `region ${region}${endpoint ? ` at ${endpoint}` : ''}`;
  const { stack, outputs } = await readStackOutputs(clients.cloudFormation, target.stackName, where);
  let plan: Plan;
  try {
    plan = buildPlan(outputs, {
      prefix: flags['zenml-prefix'],
      stepImageTag: stepImageTag(),
      nodeInstanceType: target.config.nodeInstanceType,
    });
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
  const commands = flags['no-kubeconfig'] ? plan.zenml : [plan.kubeconfig, ...plan.zenml];
  if (stack.status.includes('ROLLBACK')) {
    process.stderr.write(
      `warning: the last update of '${stack.stackName}' rolled back (${stack.status}); outputs are from the deploy before it\n`,
    );
  }

  const secretValues = new Map<string, Record<string, string>>();
  if (flags['with-secret-values']) {
    for (const cmd of commands) {
      if (cmd.secretFrom)
        secretValues.set(
          cmd.secretFrom.secretArn,
          await readSecretValues(clients.secretsManager, cmd.secretFrom.secretArn),
        );
    }
  }

  if (flags.json) {
    const json = {
      stackName: stack.stackName,
      status: stack.status,
      region,
      outputs,
      zenmlNames: plan.names,
      commands: commands.map((c) => renderShell(c)),
    };
    console.log(JSON.stringify(json, null, 2));
    return 0;
  }
  if (flags.run) return run(commands, secretValues, flags, env);

  if (secretValues.size > 0)
    process.stderr.write('warning: secret values are printed below; keep this output private\n');
  console.log(renderScript(stack.stackName, stack.status, outputs, commands, secretValues));
  return 0;
}

/** The content tag build-spark-image.sh gives (or gave) the step image of these sources. */
function stepImageTag(): string {
  const r = spawnSync(
    'bash',
    [path.join(REPO_ROOT, 'scripts/operate/build-spark-image.sh'), '--print-tag', '--target', 'zenml-step'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (r.status !== 0)
    throw new CliError(
      `build-spark-image.sh --print-tag failed: ${(r.stderr || r.error?.message || '').trim()}`,
    );
  return r.stdout.trim();
}

function run(
  commands: Plan['zenml'],
  secretValues: ReadonlyMap<string, Record<string, string>>,
  flags: { 'zenml-bin': string; 'aws-bin': string },
  env: NodeJS.ProcessEnv,
): number {
  const programs: Record<string, string> = {};
  for (const [program, flag] of [
    ['zenml', 'zenml-bin'],
    ['aws', 'aws-bin'],
  ] as const) {
    if (!commands.some((c) => c.argv[0] === program)) continue;
    const found = findExecutable(flags[flag], env);
    if (!found) {
      const hint =
        program === 'zenml'
          ? `pip install -r requirements/zenml.txt`
          : 'install the AWS CLI v2, or pass --no-kubeconfig';
      throw new CliError(`--run needs '${flags[flag]}' (--${flag}), which is not on PATH: ${hint}`);
    }
    programs[program] = found;
  }
  const started = Date.now();
  const results: RunResult[] = [];
  try {
    runCommands(commands, secretValues, {
      programs,
      env,
      onResult: (r) => {
        results.push(r);
        const mark = r.result === 'ok' ? 'ok  ' : r.result === 'skipped' ? 'skip' : 'FAIL';
        process.stderr.write(`${mark} ${r.command}${r.note ? `  (${r.note})` : ''}\n`);
      },
    });
  } finally {
    console.log(
      `\n${table(
        ['result', 'time', 'command'],
        results.map((r) => [r.result, `${r.seconds.toFixed(1)}s`, r.command]),
      )}\n  ${results.length}/${commands.length} commands in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const skipped = results.filter((r) => r.result === 'skipped');
  if (skipped.length > 0) {
    console.log(
      `\n${skipped.length} secret(s) not created: rerun with --with-secret-values, or paste them from 'npm run outputs'.`,
    );
  }
  return 0;
}

function renderScript(
  stackName: string,
  status: string,
  o: StackOutputs,
  commands: Plan['zenml'],
  secretValues: ReadonlyMap<string, Record<string, string>>,
): string {
  const comment = (text: string) => text.split('\n').map((l) => `#${l ? ` ${l}` : ''}`);
  const rows = [
    ['region', o.region],
    ['artifact store', o.artifactStorePath],
    ['container registry', o.containerRegistryUri],
    ['spark master', o.sparkMasterUrl],
    ['namespace / account', `${o.sparkNamespace} / ${o.sparkServiceAccount}`],
    ['spark pod role', o.sparkRoleArn],
    ['zenml server', o.zenmlServerUrl],
    [
      'database',
      o.databaseEndpoint ? `${o.databaseEndpoint}:${o.databasePort}` : '(none: your own ZenML server)',
    ],
    ['s3 secret', o.s3SecretArn ?? '(none: keyless S3 access)'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    ...comment(`Stack ${stackName} (${status}), account ${accountOf(o)}`),
    ...rows.map(([k, v]) => `#   ${k.padEnd(width)}  ${v}`),
    '#',
    ...comment(
      `Needs: the AWS CLI v2, python3, and ZenML ${ZENML_VERSION} with its s3, aws and kubernetes\n` +
        "integrations and this repo's spark-eks flavor (pip install -r requirements/zenml.txt), and the\n" +
        `step image in ECR (npm run build-spark-image -- --stack ${stackName} --target zenml-step, once).\n` +
        'Log in to the ZenML server first:\n' +
        (o.zenmlServerNamespace
          ? `npm run zenml-login (the in-cluster server, through a port-forward; keep it running)`
          : `zenml login ${o.zenmlServerUrl}`) +
        '. See docs/after-deploy.md.',
    ),
  ];
  for (const [i, cmd] of commands.entries()) {
    const values = cmd.secretFrom ? secretValues.get(cmd.secretFrom.secretArn) : undefined;
    lines.push('', `# ${i + 1}. ${cmd.title}`, renderShell(cmd, values));
  }
  return lines.join('\n');
}

// Only when run as a program: tests import the pure helpers above.
if (require.main === module) runMain(() => main(process.argv.slice(2), process.env));
