/**
 * Runs planned commands one after another, bounded in time, and stops at the first failure with
 * the command's own last error line. Secret values reach `zenml secret create` through a file
 * only this user can read (`--values=@file`, a ZenML CLI feature), never through argv or output.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError } from '../lib/cli';
import type { PlannedCommand } from './zenml-commands';

export interface RunResult {
  readonly title: string;
  readonly command: string;
  readonly result: 'ok' | 'skipped' | 'failed';
  readonly seconds: number;
  readonly note?: string;
}

export interface RunOptions {
  /** Program name (argv[0]) -> executable to run instead, e.g. zenml -> .venvs/zenml/bin/zenml. */
  readonly programs: Readonly<Record<string, string>>;
  readonly env: NodeJS.ProcessEnv;
  /** Per command; ZenML's CLI takes 5-10 s to start, an image-less registration a few more. */
  readonly timeoutMs?: number;
  /** Called after each command, for progress output. */
  readonly onResult?: (r: RunResult) => void;
}

/** Finds an executable on PATH (or checks a path), so a missing CLI fails before anything runs. */
export function findExecutable(program: string, env: NodeJS.ProcessEnv): string | undefined {
  const candidates = program.includes('/')
    ? [program]
    : (env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, program));
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

// Built from a string: a literal escape character in a regex literal reads as a typo.
const ANSI_COLOR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The last line of output that says something (ZenML ends errors with `Error: ...`). */
export function lastMeaningfulLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.replace(ANSI_COLOR, '').trim())
    .filter((l) => l !== '' && !/^[─━╭╰│╮╯]+/.test(l));
  const error = [...lines].reverse().find((l) => /^(Error|[A-Za-z]+Error|[A-Za-z]+Exception)\b/.test(l));
  return error ?? lines[lines.length - 1] ?? '(no output)';
}

/**
 * Runs the commands in order. `secretValues` maps a secret ARN to its values; a secret command
 * whose values are not given is skipped (the caller explains why). Throws a CliError naming the
 * failed command after reporting it.
 */
export function runCommands(
  commands: readonly PlannedCommand[],
  secretValues: ReadonlyMap<string, Record<string, string>>,
  options: RunOptions,
): RunResult[] {
  const results: RunResult[] = [];
  const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zenml-spark-secrets-'));
  fs.chmodSync(privateDir, 0o700);
  const report = (r: RunResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  try {
    for (const [i, cmd] of commands.entries()) {
      const shown = cmd.argv.join(' ');
      const args = [...cmd.argv.slice(1)];
      if (cmd.secretFrom) {
        const values = secretValues.get(cmd.secretFrom.secretArn);
        if (!values) {
          report({
            title: cmd.title,
            command: shown,
            result: 'skipped',
            seconds: 0,
            note: 'needs --with-secret-values',
          });
          continue;
        }
        const file = path.join(privateDir, `secret-${i}.json`);
        fs.writeFileSync(file, JSON.stringify(values), { mode: 0o600 });
        args.push(`--values=@${file}`);
      }
      const program = options.programs[cmd.argv[0]] ?? cmd.argv[0];
      const started = Date.now();
      const res = spawnSync(program, args, {
        env: options.env,
        encoding: 'utf8',
        timeout: options.timeoutMs ?? 300_000,
        killSignal: 'SIGKILL',
        maxBuffer: 32 * 1024 * 1024,
      });
      const seconds = (Date.now() - started) / 1000;
      if (res.status === 0) {
        report({ title: cmd.title, command: shown, result: 'ok', seconds });
        continue;
      }
      const why = res.error
        ? (res.error as NodeJS.ErrnoException).code === 'ETIMEDOUT'
          ? `timed out after ${Math.round(seconds)} s`
          : res.error.message
        : `exit ${res.status ?? res.signal}: ${lastMeaningfulLine(`${res.stdout ?? ''}\n${res.stderr ?? ''}`)}`;
      report({ title: cmd.title, command: shown, result: 'failed', seconds, note: why });
      throw new CliError(`'${shown}' failed (${why}); the commands before it were applied`);
    }
  } finally {
    fs.rmSync(privateDir, { recursive: true, force: true });
  }
  return results;
}
