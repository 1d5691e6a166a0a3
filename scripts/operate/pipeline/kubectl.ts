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

/** The last lines of a driver pod's log, or why there are none (no kubelet has run it yet, ...). */
export async function driverLogTail(
  k: Kubectl,
  namespace: string,
  pod: string,
  lines: number,
): Promise<string> {
  const logs = await kubectl(k, ['logs', '-n', namespace, pod, '-c', 'driver', `--tail=${lines}`]);
  if (logs.code !== 0) return `(no log from ${pod}: ${logs.stderr.trim()})`;
  return logs.stdout.trimEnd() || `(the log of ${pod} is empty: its container has not written anything)`;
}
