/**
 * Logs your ZenML client in to the in-cluster ZenML server, which is private (a ClusterIP
 * Service): opens `kubectl port-forward -n zenml svc/zenml-server`, waits until the server
 * answers, reads the bootstrap admin's credentials from Secrets Manager (never printed), creates an
 * API key for a service account as that admin, logs the client in with it, says what it did, and
 * keeps the port-forward open in the foreground until Ctrl-C.
 *
 *   npm run zenml-login [-- --local-port 8237] [--stack NAME] [--region R] [-c key=value]
 */
import type { ChildProcess } from 'node:child_process';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ZENML_NAMESPACE, ZENML_SERVER_PORT, ZENML_SERVER_SERVICE } from '../../lib/settings/zenml';
import { awsClients, endpointFromEnv, explainAwsError, resolvedRegion } from '../lib/aws-clients';
import { CliError, EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import {
  assertPortFree,
  openPortForward,
  portFlag,
  waitForHttp,
  waitForForward as waitForKubectlForward,
} from '../lib/port-forward';
import { shutdown } from '../lib/processes';
import { findExecutable } from './run-commands';
import { readStackOutputs } from './stack-outputs';
import { COMMON_HELP, COMMON_OPTIONS, resolveTarget } from './target';
import { adminCredentials, LOGIN_SERVICE_ACCOUNT, loginWithNewApiKey } from './zenml-session';

const USAGE = 'Usage: npm run zenml-login -- [--local-port N] [--kubectl PATH] [--zenml-bin PATH] [options]';
const HELP = `${USAGE}

Port-forwards the in-cluster ZenML server to 127.0.0.1, logs your ZenML client in to it with a
new API key of the service account '${LOGIN_SERVICE_ACCOUNT}' (created by the bootstrap admin,
whose password is read from Secrets Manager and never shown), and keeps the port-forward open
until Ctrl-C. Register the stack meanwhile, in another terminal: npm run outputs -- --run.
Needs kubectl access to the cluster (aws eks update-kubeconfig) and ZenML (requirements/zenml.txt).

Options:
  --local-port N     local port of the port-forward (default ${ZENML_SERVER_PORT})
  --kubectl PATH     the kubectl executable (default: kubectl on PATH)
  --zenml-bin PATH   the zenml executable (default: zenml on PATH)
${COMMON_HELP}

${EXIT_CODES_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  'local-port': { type: 'string', default: String(ZENML_SERVER_PORT) },
  kubectl: { type: 'string', default: 'kubectl' },
  'zenml-bin': { type: 'string', default: 'zenml' },
} satisfies FlagOptions;

/** Bounds: kubectl connects in seconds; a server that just started may need its start-up probe's time. */
export { FORWARD_TIMEOUT_MS } from '../lib/port-forward';
export const SERVER_READY_TIMEOUT_MS = 120_000;
const FORWARD_HINT = `check 'kubectl get svc -n ${ZENML_NAMESPACE}' and your kubeconfig (npm run outputs prints aws eks update-kubeconfig)`;

/** Waits for kubectl's "Forwarding from" line; rejects with its own words if it exits first. */
export function waitForForward(child: ChildProcess, timeoutMs: number): Promise<void> {
  return waitForKubectlForward(child, timeoutMs, FORWARD_HINT);
}

/** Polls the server until /api/v1/info (which reads the database) answers 200, bounded. */
export function waitForServer(url: string, timeoutMs: number): Promise<void> {
  return waitForHttp(
    `${url}/api/v1/info`,
    timeoutMs,
    'the ZenML server',
    `see 'kubectl logs -n ${ZENML_NAMESPACE} deploy/${ZENML_SERVER_SERVICE}'`,
  );
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parseFlags(argv, OPTIONS, USAGE);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const localPort = portFlag('--local-port', flags['local-port']);
  const target = resolveTarget(flags, env);
  const endpoint = endpointFromEnv(env);
  const clients = awsClients({ region: target.region, endpoint });
  const region = await resolvedRegion(clients);
  const { outputs } = await readStackOutputs(clients.cloudFormation, target.stackName, `region ${region}`);
  if (!outputs.zenmlServerNamespace || !outputs.zenmlAdminSecretArn) {
    throw new CliError(
      `stack '${target.stackName}' runs no ZenML server (zenmlServer=false): log in to yours with 'zenml login ${outputs.zenmlServerUrl}'`,
    );
  }
  const kubectl = findExecutable(flags.kubectl, env);
  if (!kubectl) throw new CliError(`'${flags.kubectl}' (--kubectl) is not on PATH: install kubectl`);
  const zenml = findExecutable(flags['zenml-bin'], env);
  if (!zenml) {
    throw new CliError(
      `'${flags['zenml-bin']}' (--zenml-bin) is not on PATH: pip install -r requirements/zenml.txt`,
    );
  }

  let secretString: string | undefined;
  try {
    secretString = (
      await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: outputs.zenmlAdminSecretArn }))
    ).SecretString;
  } catch (e) {
    throw explainAwsError(e, `reading the ZenML admin secret ${outputs.zenmlAdminSecretArn}`, region);
  }
  let admin: ReturnType<typeof adminCredentials>;
  try {
    admin = adminCredentials(secretString ?? '', outputs.zenmlAdminSecretArn);
  } catch (e) {
    throw new CliError((e as Error).message);
  }

  await assertPortFree(localPort);
  const {
    child: forward,
    args: forwardArgs,
    url,
  } = await openPortForward({
    kubectl,
    env,
    namespace: outputs.zenmlServerNamespace,
    service: ZENML_SERVER_SERVICE,
    localPort,
    remotePort: ZENML_SERVER_PORT,
    hint: FORWARD_HINT,
  });
  await waitForServer(url, SERVER_READY_TIMEOUT_MS);
  const login = await loginWithNewApiKey({ zenml, url, admin, env });

  console.log(
    [
      `port-forward: kubectl ${forwardArgs.join(' ')}  (${url} -> ${outputs.zenmlServerUrl})`,
      `admin:        '${admin.username}', password read from ${outputs.zenmlAdminSecretArn} (not shown)`,
      `API key:      ${login.createdServiceAccount ? 'created service account' : 'new key of service account'} '${login.serviceAccount}' (key '${login.keyName}'; not shown, handed to zenml login on stdin)`,
      `logged in:    zenml login ${url} --api-key; 'zenml status' shows it`,
      '',
      'Next, in another terminal: npm run outputs -- --run   (registers the stack on this server)',
      `Steps inside the cluster reach the server as ${outputs.zenmlServerUrl}. Ctrl-C stops the port-forward.`,
    ].join('\n'),
  );
  return new Promise<number>(() => {
    forward.once('exit', (code) => {
      void shutdown(1, `kubectl port-forward exited (${code}); run npm run zenml-login again`);
    });
  });
}

if (require.main === module) runMain(() => main(process.argv.slice(2), process.env));
