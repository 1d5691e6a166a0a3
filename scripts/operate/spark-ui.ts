/**
 * Opens the Spark History Server, which is private (a ClusterIP Service in `spark-history`):
 * `kubectl port-forward` to it on 127.0.0.1, waits until its REST API answers, prints the URL (and
 * how to reach one step's application), and keeps the port-forward open until Ctrl-C.
 *
 *   npm run spark-ui [-- --local-port 18080] [--kubectl PATH] [--kube-context NAME] [-c key=value]
 *
 * Needs no AWS call: the namespace and Service are fixed names (lib/settings/spark-history.ts), and
 * kubectl's current context (or --kube-context) names the cluster.
 */
import { spawnSync } from 'node:child_process';
import {
  historyLink,
  SPARK_HISTORY_NAMESPACE,
  SPARK_HISTORY_PORT,
  SPARK_HISTORY_SERVICE,
} from '../../lib/settings/spark-history';
import { CliError, EXIT, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { assertPortFree, openPortForward, portFlag, waitForHttp } from '../lib/port-forward';
import { shutdown } from '../lib/processes';
import { settingsFromFlags } from '../lib/settings';
import { findExecutable } from './run-commands';

const USAGE =
  'Usage: npm run spark-ui -- [--local-port N] [--kubectl PATH] [--kube-context NAME] [-c key=value]';
const HELP = `${USAGE}

Port-forwards the Spark History Server (${SPARK_HISTORY_NAMESPACE}/svc/${SPARK_HISTORY_SERVICE}, private to
the cluster) to 127.0.0.1, waits until it answers, prints its URL, and keeps the port-forward open
until Ctrl-C. run-pipeline and the spark-eks step operator print each step's link on this port.
Needs kubectl access to the cluster (aws eks update-kubeconfig; npm run outputs prints the command).

Options:
  --local-port N       local port (default ${SPARK_HISTORY_PORT}, the port the printed step links use)
  --kubectl PATH       the kubectl executable (default: kubectl on PATH)
  --kube-context NAME  kubeconfig context (default: the current one)
  -c key=value         a setting, as with cdk (repeatable): the sparkHistoryServer setting is checked
  -h, --help           this help

Exit codes: 0 stopped with Ctrl-C, 1 it could not open (one line says why), 2 bad flags or flag values.`;

const OPTIONS = {
  'local-port': { type: 'string', default: String(SPARK_HISTORY_PORT) },
  kubectl: { type: 'string', default: 'kubectl' },
  'kube-context': { type: 'string' },
  context: { type: 'string', short: 'c', multiple: true, default: [] },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;

/** Bound on the wait for the server: a pod that just (re)started lists S3 before it answers. */
export const HISTORY_READY_TIMEOUT_MS = 120_000;

/**
 * What to check after kubectl port-forward failed, from what kubectl said: the image the server
 * runs from only when the server's pod is the problem, not for a missing context or connection.
 */
export function forwardHint(kubectlOutput: string): string {
  if (/\bpods?\b|ImagePull|CrashLoopBackOff/i.test(kubectlOutput)) {
    return `check 'kubectl get pods -n ${SPARK_HISTORY_NAMESPACE}' (the server runs from the image build-spark-image.sh pushes)`;
  }
  if (/\b(services?|namespaces?)\b.*not found/i.test(kubectlOutput)) {
    return (
      `no history server on this cluster: deploy with sparkHistoryServer=true (the default), or check that the ` +
      'kube context names the right cluster (kubectl config current-context)'
    );
  }
  return (
    'check your kubeconfig: kubectl config get-contexts lists the contexts (pass one with --kube-context); ' +
    'aws eks update-kubeconfig --name <cluster> --region <region> adds the cluster (npm run outputs prints it)'
  );
}

/** The kubeconfig context kubectl would use, or a CliError saying there is none. */
export function kubeContext(kubectl: string, env: NodeJS.ProcessEnv, explicit?: string): string {
  if (explicit !== undefined) {
    if (!/^\S+$/.test(explicit))
      throw new CliError(`--kube-context '${explicit}': a context name`, EXIT.usage);
    return explicit;
  }
  const r = spawnSync(kubectl, ['config', 'current-context'], { env, encoding: 'utf8', timeout: 15_000 });
  const name = r.status === 0 ? r.stdout.trim() : '';
  if (!name) {
    throw new CliError(
      'no kubeconfig context: run aws eks update-kubeconfig --name <cluster> --region <region> (npm run outputs prints it), or pass --kube-context',
    );
  }
  return name;
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parseFlags(argv, OPTIONS, USAGE);
  if (flags.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const localPort = portFlag('--local-port', flags['local-port']);
  const { config } = settingsFromFlags(flags.context, env);
  if (!config.sparkHistoryServer) {
    throw new CliError(
      'the history server is off (sparkHistoryServer=false): set it to true and deploy; event logs are still written to ' +
        `s3://<artifact bucket>/${config.sparkEventLogPrefix}`,
    );
  }
  await assertPortFree(localPort);
  const kubectl = findExecutable(flags.kubectl, env);
  if (!kubectl) throw new CliError(`'${flags.kubectl}' (--kubectl) is not on PATH: install kubectl`);
  const context = kubeContext(kubectl, env, flags['kube-context']);
  const forward = await openPortForward({
    kubectl,
    env,
    context,
    namespace: SPARK_HISTORY_NAMESPACE,
    service: SPARK_HISTORY_SERVICE,
    localPort,
    remotePort: SPARK_HISTORY_PORT,
    hint: forwardHint,
  });
  await waitForHttp(
    `${forward.url}/api/v1/applications?limit=1`,
    HISTORY_READY_TIMEOUT_MS,
    'the Spark History Server',
    `see 'kubectl logs -n ${SPARK_HISTORY_NAMESPACE} deploy/${SPARK_HISTORY_SERVICE}'`,
  );
  console.log(
    [
      `Spark History Server: http://localhost:${localPort}/`,
      `port-forward: kubectl ${forward.args.join(' ')}`,
      `one application:      ${historyLink('<application id>', localPort)}  (run-pipeline prints each step's)`,
      'Ctrl-C stops the port-forward.',
    ].join('\n'),
  );
  return new Promise<number>(() => {
    forward.child.once('exit', (code) => {
      void shutdown(1, `kubectl port-forward exited (${code}); run npm run spark-ui again`);
    });
  });
}

if (require.main === module) runMain(() => main(process.argv.slice(2), process.env));
