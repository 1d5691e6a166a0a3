/**
 * One signal and exit handler for every entry point in scripts/. Child processes are registered
 * here as they start (trackChild), cleanups as they become necessary (onShutdown: a moto server to
 * stop); Ctrl-C, SIGTERM, a time limit or a failed run then stops them all the same way.
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
const cleanups = new Set<() => unknown>();
let shuttingDown = false;
let installed = false;

/** Registers a child process until it exits; shutdown() kills it. Returns the child. */
export function trackChild<C extends ChildProcess>(child: C): C {
  children.add(child);
  const forget = () => children.delete(child);
  child.once('exit', forget);
  child.once('error', forget);
  return child;
}

/** Registers a cleanup that shutdown() runs (after killing the children); returns its removal. */
export function onShutdown(cleanup: () => unknown): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Kills every registered child process still running. */
export function stopChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}

/**
 * Stops everything and exits: prints `message` (if any) on stderr, kills the children, runs the
 * cleanups (each bounded by its own logic; failures ignored), then exits with `code`.
 */
export async function shutdown(code: number, message?: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  if (message) process.stderr.write(`${message}\n`);
  stopChildren();
  for (const cleanup of cleanups)
    await Promise.resolve()
      .then(cleanup)
      .catch(() => undefined);
  process.exit(code);
}

/**
 * Ctrl-C and SIGTERM shut down with exit code 130 (what a shell reports for an interrupted command).
 * A closed stdout (`npm run cost | head`: head exits once it has its lines) shuts down with 0: the
 * reader wanted no more, as for `cat file | head`. Unhandled, Node would raise the write's EPIPE as
 * an 'error' event and print its stack trace.
 */
export function installShutdownHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown(130));
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    void shutdown(0);
  });
}

/** After `ms`, shut down with `code` and `message`, unless the process has ended by then. */
export function timeLimit(ms: number, code: number, message: string): void {
  setTimeout(() => void shutdown(code, message), ms).unref();
}
