/**
 * A moto server (local AWS endpoint) on 127.0.0.1 and a free port, for tests and rehearsals.
 * Its log goes to a file the caller can read (moto says there which CloudFormation resource types
 * it skipped: "No Moto CloudFormation support for ..."). The server stops on stop(), on the shared
 * shutdown (Ctrl-C, a time limit), when this process exits, and, through moto_launcher.py, when
 * this process is killed.
 *
 *   const moto = await startMotoServer({ accountId: '111122223333' });
 *   process.env.AWS_ENDPOINT_URL = moto.endpoint; ... ; await moto.stop();
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { onShutdown } from '../../lib/processes';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LAUNCHER = path.join(__dirname, 'moto_launcher.py');

export interface MotoServerOptions {
  /** Account id moto answers with (MOTO_ACCOUNT_ID). @default '123456789012' */
  readonly accountId?: string;
  /** Where moto's output goes. @default a file in a new directory of the OS temp dir, removed on stop */
  readonly logFile?: string;
  /** Bound on waiting for the server to answer. @default 60_000 */
  readonly startTimeoutMs?: number;
  /** A venv with moto[server]; by default scripts/verify/venv.sh creates/reuses it from requirements/moto.txt. */
  readonly venvDir?: string;
  /** Extra environment for the server (MOTO_* settings). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface MotoServer {
  /** http://127.0.0.1:<port>, for AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  readonly port: number;
  readonly accountId: string;
  readonly logFile: string;
  /** moto's output so far. */
  readLog(): string;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Sets a stack's status (moto never rolls back by itself; see moto_launcher.py). */
  setStackStatus(region: string, stackName: string, status: string): Promise<void>;
  /** Stops the server; resolves when it has exited (SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

/** The moto venv's directory: created on first use (about a minute), then reused. */
export function motoVenv(): string {
  return execFileSync(
    'bash',
    [path.join(ROOT, 'scripts', 'verify', 'venv.sh'), 'moto', 'requirements/moto.txt'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 600_000,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  ).trim();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(url: string, body?: unknown): Promise<Response> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`moto: POST ${url} answered ${res.status}: ${await res.text()}`);
  return res;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  const accountId = options.accountId ?? '123456789012';
  if (!/^\d{12}$/.test(accountId)) throw new Error(`accountId '${accountId}': expected 12 digits`);
  const venv = options.venvDir ?? motoVenv();
  const python = path.join(venv, 'bin', 'python');
  // A log file of its own goes into a directory of its own, removed when the server stops (or fails
  // to start): every test file starts a server, and none may leave a directory behind.
  const ownDir = options.logFile ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'moto-'));
  const logFile = options.logFile ?? path.join(ownDir as string, 'moto.log');
  const removeOwnDir = () => {
    if (ownDir) fs.rmSync(ownDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);

  // A port can be taken between freePort() and moto binding it: try a few times.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const log = fs.openSync(logFile, 'a');
    const child = spawn(python, [LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
      env: { ...process.env, ...options.env, MOTO_ACCOUNT_ID: accountId, PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    const killOnExit = () => {
      child.kill('SIGKILL');
      removeOwnDir();
    };
    process.once('exit', killOnExit);
    const endpoint = `http://127.0.0.1:${port}`;

    let up = false;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        const res = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) {
          up = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(150);
    }
    if (up) {
      let stopped: Promise<void> | undefined;
      // Ctrl-C or a time limit in the entry point that started it stops it too (scripts/lib/processes.ts).
      const forget = onShutdown(() => server.stop());
      const server: MotoServer = {
        endpoint,
        port,
        accountId,
        logFile,
        readLog: () => fs.readFileSync(logFile, 'utf8'),
        reset: async () => {
          await post(`${endpoint}/moto-api/reset`);
        },
        setStackStatus: async (region, stackName, status) => {
          await post(`${endpoint}/moto-api/static/cloudformation/stack-status`, {
            account_id: accountId,
            region,
            stack_name: stackName,
            status,
          });
        },
        stop: () => {
          stopped ??= (async () => {
            child.kill('SIGTERM');
            if (!(await waitForExit(child, 5_000))) {
              child.kill('SIGKILL');
              await waitForExit(child, 5_000);
            }
            process.removeListener('exit', killOnExit);
            forget();
            removeOwnDir();
          })();
          return stopped;
        },
      };
      return server;
    }
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
    process.removeListener('exit', killOnExit);
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    const bindFailed = /Address already in use/.test(tail);
    if (!bindFailed || attempt >= 3 || Date.now() >= deadline) {
      removeOwnDir();
      throw new Error(
        `moto server did not answer on ${endpoint} within ${options.startTimeoutMs ?? 60_000} ms` +
          `${ownDir ? '' : ` (log ${logFile})`}:\n${tail}`,
      );
    }
  }
}
