/**
 * run-pipeline's kubectl runner: the user's own kubectl and credentials, every call bounded in
 * time and registered with the shared shutdown handler (Ctrl-C stops it), and one CliError with
 * exit code 3 when kubectl cannot be used at all.
 */
import { execFile } from 'node:child_process';
import { CliError } from '../../lib/cli';
import { trackChild } from '../../lib/processes';

/** run-pipeline's documented exit code: kubectl is missing or unusable. */
export const EXIT_KUBECTL_UNUSABLE = 3;

export interface Kubectl {
  /** The kubectl executable (--kubectl). */
  readonly path: string;
  /** The kubectl context (--context); undefined: the current one. */
  readonly context?: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const KUBECTL_CALL_TIMEOUT_MS = 60_000;

export function kubectl(k: Kubectl, args: string[]): Promise<KubectlResult> {
  const full = [...(k.context ? ['--context', k.context] : []), '--request-timeout=30s', ...args];
  return new Promise((resolve, reject) => {
    trackChild(
      execFile(
        k.path,
        full,
        { env: k.env, timeout: KUBECTL_CALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(
              new CliError(
                `kubectl not found (--kubectl=${k.path}): install kubectl and point it at the cluster ` +
                  '(aws eks update-kubeconfig --name <cluster>), or pass --kubectl PATH',
                EXIT_KUBECTL_UNUSABLE,
              ),
            );
            return;
          }
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      ),
    );
  });
}

export async function kubectlOk(k: Kubectl, args: string[]): Promise<string> {
  const result = await kubectl(k, args);
  if (result.code !== 0) {
    throw new CliError(
      `kubectl ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`,
      EXIT_KUBECTL_UNUSABLE,
    );
  }
  return result.stdout;
}

/** The newest driver pod's log tail: with retries, the last attempt is the interesting one. */
export async function driverLogTail(
  k: Kubectl,
  namespace: string,
  jobName: string,
  lines: number,
): Promise<string> {
  const pods = await kubectl(k, [
    'get',
    'pods',
    '-n',
    namespace,
    '-l',
    `batch.kubernetes.io/job-name=${jobName}`,
    '-o',
    'json',
  ]);
  if (pods.code !== 0) return `(could not list the driver pods: ${pods.stderr.trim()})`;
  const items = (JSON.parse(pods.stdout).items ?? []) as Array<{
    metadata: { name: string; creationTimestamp?: string };
  }>;
  const newest = items
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))
    .at(-1);
  if (!newest) return '(no driver pod was created: see kubectl describe job)';
  const logs = await kubectl(k, [
    'logs',
    '-n',
    namespace,
    newest.metadata.name,
    '-c',
    'driver',
    `--tail=${lines}`,
  ]);
  return logs.code === 0
    ? logs.stdout.trimEnd()
    : `(no log from ${newest.metadata.name}: ${logs.stderr.trim()})`;
}
