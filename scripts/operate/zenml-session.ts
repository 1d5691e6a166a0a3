/**
 * Logging a ZenML client in to a server non-interactively, with the bootstrap admin's credentials
 * read from Secrets Manager: the admin creates an API key for a service account, and the client
 * logs in with that key (`zenml login URL --api-key` reads it from stdin). Neither the password nor
 * the key ever reaches a command line, the output or a file of ours: the password goes to one
 * child process's environment, the key from one child's stdout to the next one's stdin.
 *
 * Used by `npm run zenml-login` and, against a real server on MariaDB, by the zenml-server suite.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { trackChild } from '../lib/processes';

/** The service account `npm run zenml-login` creates on the server, and its keys' name prefix. */
export const LOGIN_SERVICE_ACCOUNT = 'zenml-spark-eks-login';

export interface AdminCredentials {
  readonly username: string;
  readonly password: string;
}

/** Parses the admin secret ({"username", "password"}); the error never shows its content. */
export function adminCredentials(secretString: string, secretId: string): AdminCredentials {
  let v: unknown;
  try {
    v = JSON.parse(secretString);
  } catch {
    throw new Error(`secret ${secretId} is not JSON`);
  }
  const { username, password } = (v ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || !username || typeof password !== 'string' || !password) {
    throw new Error(`secret ${secretId} lacks a non-empty username and password`);
  }
  return { username, password };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs one program, bounded, with stdin given; never throws on a non-zero exit. */
export function runBounded(
  program: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = trackChild(spawn(program, args, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${program}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** The API key in `zenml service-account create` / `api-key create` output (rich may colour it). */
export function apiKeyIn(output: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
  return /ZENKEY_[A-Za-z0-9_=+/-]+/.exec(output.replace(/\u001b\[[0-9;]*m/g, ''))?.[0];
}

/** Never shows a key or the password, even in an error. */
function redact(text: string, password: string): string {
  return text
    .replace(/ZENKEY_[A-Za-z0-9_=+/-]+/g, 'ZENKEY_<redacted>')
    .split(password)
    .join('<password>');
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /^(Error|[A-Za-z]*Error)\b/.test(l)) ?? lines[lines.length - 1] ?? '(no output)';
}

export interface LoginOptions {
  /** The zenml executable. */
  readonly zenml: string;
  /** URL the client logs in to (http://127.0.0.1:<port> through a port-forward). */
  readonly url: string;
  readonly admin: AdminCredentials;
  /** The client's environment (its ZENML_CONFIG_PATH is where the login is kept). */
  readonly env: NodeJS.ProcessEnv;
  readonly serviceAccount?: string;
  /** Per zenml command; its CLI takes 3-10 s to start. @default 120 s */
  readonly timeoutMs?: number;
}

export interface LoginResult {
  readonly serviceAccount: string;
  readonly keyName: string;
  readonly createdServiceAccount: boolean;
}

/**
 * As the admin (a throwaway client config, so the user's own is untouched), creates the service
 * account with its first API key, or a new key when it exists; then logs the client in with it.
 */
export async function loginWithNewApiKey(o: LoginOptions): Promise<LoginResult> {
  const timeoutMs = o.timeoutMs ?? 120_000;
  const serviceAccount = o.serviceAccount ?? LOGIN_SERVICE_ACCOUNT;
  const keyName = `key-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
  const adminConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'zenml-admin-'));
  fs.chmodSync(adminConfig, 0o700);
  const adminEnv: NodeJS.ProcessEnv = {
    ...o.env,
    ZENML_CONFIG_PATH: adminConfig,
    ZENML_STORE_URL: o.url,
    ZENML_STORE_USERNAME: o.admin.username,
    ZENML_STORE_PASSWORD: o.admin.password,
    ZENML_ANALYTICS_OPT_IN: 'false',
    // rich wraps a long key across lines at the terminal width.
    COLUMNS: '2000',
  };
  try {
    let created = true;
    let r = await runBounded(o.zenml, ['service-account', 'create', serviceAccount], {
      env: adminEnv,
      timeoutMs,
    });
    if (r.code !== 0 && /already exists|existing service account/i.test(r.stdout + r.stderr)) {
      created = false;
      r = await runBounded(o.zenml, ['service-account', 'api-key', serviceAccount, 'create', keyName], {
        env: adminEnv,
        timeoutMs,
      });
    }
    // The CLI prints the key on stdout or stderr depending on the terminal: look in both.
    const key = apiKeyIn(`${r.stdout}\n${r.stderr}`);
    if (r.timedOut)
      throw new Error(`zenml service-account: no answer from ${o.url} in ${timeoutMs / 1000} s`);
    if (r.code !== 0 || !key) {
      throw new Error(
        `zenml could not create an API key for '${serviceAccount}' as '${o.admin.username}' (exit ${r.code}): ${redact(lastLine(r.stderr || r.stdout), o.admin.password)}`,
      );
    }
    const login = await runBounded(o.zenml, ['login', o.url, '--api-key'], {
      env: { ...o.env, ZENML_ANALYTICS_OPT_IN: 'false' },
      input: `${key}\n`,
      timeoutMs,
    });
    if (login.timedOut || login.code !== 0) {
      throw new Error(
        `zenml login ${o.url} --api-key failed: ${redact(lastLine(login.stderr || login.stdout), o.admin.password)}`,
      );
    }
    return { serviceAccount, keyName: created ? 'default' : keyName, createdServiceAccount: created };
  } finally {
    fs.rmSync(adminConfig, { recursive: true, force: true });
  }
}
