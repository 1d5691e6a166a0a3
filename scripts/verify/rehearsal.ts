/**
 * Deploy/destroy rehearsal of the real CDK lifecycle against a local AWS endpoint (moto server on
 * 127.0.0.1), with no AWS account and no credentials:
 *
 *   cdk synth -c emulator=true  ->  cdk bootstrap  ->  cdk deploy --all  ->  cdk deploy (no changes)
 *   ->  AWS SDK checks of what was created  ->  cdk destroy --all --force  ->  checks nothing remains
 *
 * It is honest about the emulator: it prints which resources were really created, which the
 * emulator skipped (moto logs "No Moto CloudFormation support for X") and which the emulator build
 * leaves out compared with the real template, and fails if a resource of a type moto implements
 * was not created. Bounded: one overall time limit, per-command limits, and the server is stopped
 * on success, failure, time-out and Ctrl-C.
 *
 *   bash scripts/verify/rehearsal.sh [--region eu-west-1] [--time-limit 900] [--real-out cdk.out]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { physicalNames } from '../../lib/settings/names';
import { CliError, EXIT, EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { timeLimit } from '../lib/processes';
import { loadSettings, REPO_ROOT } from '../lib/settings';
import { staleReason } from '../lib/synth-stamp';
import { table } from '../lib/table';
import { type MotoServer, startMotoServer } from './moto/moto-server';
import { runCdk } from './rehearsal/cdk-cli';
import { Recorder, RehearsalError } from './rehearsal/checks';
import { checkDeployed, checkOutputValues } from './rehearsal/deployed';
import { checkDestroyed } from './rehearsal/destroyed';
import {
  ACCOUNT,
  emulatorClients,
  listStackResources,
  REHEARSAL_CREDENTIALS,
  readTemplate,
} from './rehearsal/emulator';
import {
  classifyResources,
  reportsNoChanges,
  shimmedDeleteTypes,
  skippedTypesFromLog,
} from './rehearsal/outcomes';
import { report } from './rehearsal/report';

const HELP = `Usage: bash scripts/verify/rehearsal.sh [--region REGION] [--time-limit SECONDS] [--real-out DIR]

Runs cdk bootstrap / deploy / deploy (no changes) / destroy with the real CDK CLI against a moto
server on 127.0.0.1 (emulator build: -c emulator=true), checks the resources with the AWS SDK, and
reports what the emulator created, skipped and what the emulator build leaves out.
  --region       region the rehearsal deploys to (default eu-west-1)
  --time-limit   overall limit in seconds (default 900); the server is stopped when it is reached
  --real-out     cloud assembly of the real build to compare with; refused unless a successful
                 npm run synth of the current settings wrote it (default cdk.out, and when that is
                 absent or not current: synthesized into .cache/rehearsal/, with a line saying why)
The emulator assembly, the CDK CLI log and the moto log stay in .cache/rehearsal/ for a look after.

${EXIT_CODES_HELP}`;

const WORK = path.join(REPO_ROOT, '.cache', 'rehearsal');

const OPTIONS = {
  region: { type: 'string', default: 'eu-west-1' },
  'time-limit': { type: 'string', default: '900' },
  'real-out': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;

async function main(argv: readonly string[]): Promise<number> {
  const started = Date.now();
  const values = parseFlags(argv, OPTIONS, HELP.split('\n')[0]);
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const limitS = Number(values['time-limit']);
  if (!Number.isInteger(limitS) || limitS < 60) {
    throw new CliError(`--time-limit ${values['time-limit']}: expected whole seconds >= 60`, EXIT.usage);
  }
  // The moto server registers its own stop with the shutdown handler, which also kills the CDK CLI.
  timeLimit(limitS * 1000, 124, `\nrehearsal: time limit of ${limitS} s reached; stopping`);

  const realOut = realBuild(values['real-out']);
  const r = new Recorder();
  const run: { moto?: MotoServer } = {};
  try {
    return await rehearse(r, run, values.region, realOut, started);
  } catch (e) {
    console.error(`\nrehearsal failed: ${(e as Error).message}`);
    if (r.phases.length > 0) {
      console.error(
        table(
          ['phase', 'result', 'time', 'note'],
          r.phases.map((p) => [p.name, p.ok ? 'ok' : 'FAIL', `${(p.ms / 1000).toFixed(1)} s`, p.note]),
        ),
      );
    }
    if (run.moto) {
      const tail = run.moto.readLog().split('\n').slice(-15).join('\n');
      console.error(`\nlast lines of the moto log (${run.moto.logFile}):\n${tail}`);
    }
    return EXIT.failed;
  } finally {
    await run.moto?.stop().catch(() => undefined);
  }
}

/**
 * The real build's assembly to compare with, if it is what the current settings and code
 * synthesize; undefined to synthesize one. A --real-out that is not current is refused.
 */
function realBuild(realOutFlag: string | undefined): string | undefined {
  const realOut = path.resolve(REPO_ROOT, realOutFlag ?? 'cdk.out');
  const stale = staleReason(realOut, 'cdk.out', loadSettings());
  if (!stale) return realOut;
  if (realOutFlag !== undefined) throw new CliError(`--real-out: refusing: ${stale}`);
  console.log(
    `rehearsal: not comparing with ${stale.replace(/: run npm run synth.*$/, '')}; synthesizing the real build`,
  );
  return undefined;
}

/** The lifecycle, phase by phase; throws on the first phase that fails. */
async function rehearse(
  r: Recorder,
  run: { moto?: MotoServer },
  region: string,
  realOutGiven: string | undefined,
  started: number,
): Promise<number> {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const emuOut = path.join(WORK, 'cdk.out.emulator');
  const cliLog = path.join(WORK, 'cdk-cli.log');
  const config = loadSettings({ emulator: 'true' });
  const stackName = physicalNames(config).stackName;
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => k.startsWith('ZENML_SPARK_') || k === 'XDG_CACHE_HOME'),
    ),
  };

  await r.phase('synth (emulator build, -c emulator=true)', () =>
    runCdk(['synth', '--quiet', '-c', 'emulator=true', '--output', emuOut], baseEnv, cliLog),
  );
  const manifest = JSON.parse(fs.readFileSync(path.join(emuOut, 'manifest.json'), 'utf8'));
  const artifactId = Object.entries<{ type: string }>(manifest.artifacts).find(
    ([, a]) => a.type === 'aws:cloudformation:stack',
  )?.[0];
  if (!artifactId) throw new RehearsalError('the emulator assembly has no stack');
  const emuTemplate = readTemplate(emuOut, artifactId);

  let realOut = realOutGiven ?? '';
  if (!realOutGiven) {
    realOut = path.join(WORK, 'cdk.out.real');
    await r.phase('synth (real build, to compare)', () =>
      runCdk(['synth', '--quiet', '--output', realOut], baseEnv, cliLog),
    );
  }
  const realTemplate = readTemplate(realOut, artifactId);

  const moto = await r.phase(
    'start moto server',
    () =>
      startMotoServer({
        accountId: ACCOUNT,
        logFile: path.join(WORK, 'moto.log'),
        // Loads moto-shims/sitecustomize.py: the CloudFormation deletes moto lacks for nine EC2 types.
        env: { PYTHONPATH: path.join(__dirname, 'rehearsal', 'moto-shims') },
      }),
    (m) => m.endpoint,
  );
  run.moto = moto;
  if (!shimmedDeleteTypes(moto.readLog()).loaded) {
    throw new RehearsalError(
      'the moto server did not load scripts/verify/rehearsal/moto-shims/sitecustomize.py',
    );
  }
  // moto resolves a change set's TemplateURL as path-style only when the URL says "localhost";
  // localhost is the same loopback server (127.0.0.1 in /etc/hosts).
  const endpoint = `http://localhost:${moto.port}`;
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: REHEARSAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: REHEARSAL_CREDENTIALS.secretAccessKey,
  };
  const c = emulatorClients(endpoint, region);
  const app = ['--app', emuOut];

  await r.phase('cdk bootstrap', () =>
    runCdk(['bootstrap', ...app, `aws://${ACCOUNT}/${region}`], env, cliLog),
  );
  await r.phase('cdk deploy --all', () =>
    runCdk(['deploy', ...app, '--all', '--require-approval', 'never'], env, cliLog),
  );
  const second = await r.phase(
    'cdk deploy --all (again: must report no changes)',
    () => runCdk(['deploy', ...app, '--all', '--require-approval', 'never'], env, cliLog),
    (out) => (reportsNoChanges(out, stackName) ? 'no changes' : 'CHANGES'),
  );
  r.check(
    'lifecycle',
    'second deploy reports no changes',
    reportsNoChanges(second, stackName),
    reportsNoChanges(second, stackName) ? '(no changes)' : 'the CLI deployed again',
  );

  const deployed = await r.phase('inspect the deployed stack (CloudFormation + service APIs)', async () => {
    const stack = (await c.cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    r.check(
      'lifecycle',
      'stack CREATE_COMPLETE after deploy',
      /^(CREATE|UPDATE)_COMPLETE$/.test(stack?.StackStatus ?? ''),
      `${stack?.StackStatus}`,
    );
    const deployedTemplate = JSON.parse(
      (await c.cfn.send(new GetTemplateCommand({ StackName: stackName }))).TemplateBody ?? '{}',
    );
    r.check(
      'lifecycle',
      'deployed template = emulator build',
      Object.keys(deployedTemplate.Resources ?? {}).length === Object.keys(emuTemplate.Resources).length,
      `${Object.keys(deployedTemplate.Resources ?? {}).length} resources`,
    );
    const resources = await listStackResources(c.cfn, stackName);
    const skippedTypes = skippedTypesFromLog(moto?.readLog() ?? '');
    const outcomes = classifyResources(emuTemplate, resources, skippedTypes);
    const outputs = Object.fromEntries(
      (stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
    );
    await checkDeployed({ c, config, outcomes, r });
    checkOutputValues(r, config, region, emuTemplate, outcomes, outputs);
    return { outcomes, outputs, skippedTypes };
  });

  await r.phase('cdk destroy --all --force', () =>
    runCdk(['destroy', ...app, '--all', '--force'], env, cliLog),
  );
  await r.phase('check nothing remains', () => checkDestroyed(r, c, config, stackName, deployed.outcomes));

  report(
    r,
    realTemplate,
    emuTemplate,
    deployed.outcomes,
    deployed.outputs,
    shimmedDeleteTypes(moto.readLog()),
    Date.now() - started,
  );
  const notCreated = deployed.outcomes.filter((o) => o.outcome === 'NOT CREATED');
  const failedChecks = r.checks.filter((x) => !x.ok);
  return notCreated.length === 0 && failedChecks.length === 0 ? 0 : 1;
}

runMain(() => main(process.argv.slice(2)));
