/**
 * `kubectl port-forward` to a private (ClusterIP) Service, shared by the entry points that open
 * one (`npm run zenml-login`, `npm run spark-ui`): a free-port check up front, the forward started
 * and tracked (the one shutdown handler stops it), a bounded wait for kubectl's "Forwarding from"
 * line, and a bounded wait until the service answers over HTTP. Every failure is one CliError line
 * that says what to check.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { CliError, EXIT } from './cli';
import { trackChild } from './processes';

/** kubectl connects in seconds. */
export const FORWARD_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port number from a flag value, or a usage error naming the flag. */
export function portFlag(flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CliError(`${flag} '${value}': a TCP port number (1-65535)`, EXIT.usage);
  }
  return port;
}

/** Rejects with one line when 127.0.0.1:port cannot be bound (in use, or not allowed). */
export function assertPortFree(port: number, flag = '--local-port'): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new CliError(
          e.code === 'EADDRINUSE'
            ? `port ${port} on 127.0.0.1 is in use (another port-forward?): pick a free one with ${flag} N`
            : `port ${port} on 127.0.0.1 cannot be used (${e.code ?? e.message}): pick another with ${flag} N`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** What to check after kubectl port-forward exited: fixed, or chosen from what kubectl said. */
export type ForwardHint = string | ((kubectlOutput: string) => string);

/** Waits for kubectl's "Forwarding from" line; rejects with its own words if it exits first. */
export function waitForForward(child: ChildProcess, timeoutMs: number, hint: ForwardHint): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () =>
        reject(new CliError(`kubectl port-forward did not start in ${timeoutMs / 1000} s: ${output.trim()}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/Forwarding from/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    // 'close', not 'exit': 'exit' can come before the last output is read, losing kubectl's own words.
    child.once('close', (code) => {
      clearTimeout(timer);
      const said = output.trim();
      const what = typeof hint === 'string' ? hint : hint(said);
      reject(new CliError(`kubectl port-forward exited (${code}): ${said || 'no output'}; ${what}`));
    });
  });
}

export interface PortForward {
  readonly child: ChildProcess;
  /** kubectl's arguments, for the user to see what runs. */
  readonly args: readonly string[];
  readonly url: string;
}

/**
 * Starts `kubectl port-forward -n <namespace> svc/<service> <localPort>:<remotePort>` on 127.0.0.1
 * and waits for it. `hint` ends the error line when kubectl exits (what to check; a function
 * chooses it from kubectl's output).
 */
export async function openPortForward(o: {
  kubectl: string;
  env: NodeJS.ProcessEnv;
  namespace: string;
  service: string;
  localPort: number;
  remotePort: number;
  context?: string;
  hint: ForwardHint;
  timeoutMs?: number;
}): Promise<PortForward> {
  const args = [
    'port-forward',
    ...(o.context ? ['--context', o.context] : []),
    '-n',
    o.namespace,
    `svc/${o.service}`,
    `${o.localPort}:${o.remotePort}`,
    '--address',
    '127.0.0.1',
  ];
  const child = trackChild(spawn(o.kubectl, args, { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] }));
  await waitForForward(child, o.timeoutMs ?? FORWARD_TIMEOUT_MS, o.hint);
  return { child, args, url: `http://127.0.0.1:${o.localPort}` };
}

/** Polls `url` until it answers 200, bounded; the CliError names `what` and ends with `hint`. */
export async function waitForHttp(url: string, timeoutMs: number, what: string, hint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(1_000);
  }
  throw new CliError(`${what} at ${url} was not ready in ${timeoutMs / 1000} s (${last}); ${hint}`);
}
