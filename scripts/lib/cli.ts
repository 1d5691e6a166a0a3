/**
 * The CLI skeleton every TypeScript entry point in scripts/ uses: flag parsing with errors that
 * name the flag, one error type that carries its exit code, and runMain, which runs an entry
 * point's main, prints a failure as one line and installs the one signal/exit handler
 * (processes.ts) that stops child processes.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { installShutdownHandlers, stopChildren } from './processes';

/** Exit codes every entry point shares; an entry point may document more (run-pipeline: 3). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The exit-code line every entry point's --help ends with (an entry point may add its own codes). */
export const EXIT_CODES_HELP =
  'Exit codes: 0 done, 1 failed (an invalid setting included), 2 bad flags or flag values.';

/** A problem the user can fix; printed as one line, exit code 1 (2 for a bad flag). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Flag definitions, as node:util parseArgs takes them; declare with `satisfies FlagOptions`. */
export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs with errors rewritten to name the flag and what is allowed. Unknown flags
 * and stray positionals are usage errors (exit 2).
 */
export function parseFlags<O extends FlagOptions>(argv: readonly string[], options: O, usage: string) {
  try {
    return parseArgs<{ args: string[]; options: O; allowPositionals: false; strict: true }>({
      args: [...argv],
      options,
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    // parseArgs explains a value that starts with '-' (`--timeout -5`) on three lines: the first says
    // what is wrong, the last how to pass such a value.
    const [first, ...rest] = (e as Error).message.split('\n');
    const hint = rest
      .at(-1)
      ?.replace(/^To specify/, 'to specify')
      .replace(/\.$/, '');
    const msg = (hint ? `${first.replace(/\.$/, '')}: ${hint}` : first).replace(
      /\. To specify a positional argument.*$/s,
      '',
    );
    // One line: the problem, then how to call it.
    throw new CliError(`${msg}; ${usage.replace(/^Usage: /, 'usage: ')}`, EXIT.usage);
  }
}

/**
 * Runs a CLI body and turns a CliError into its exit code after passing its message to `report`;
 * anything else propagates. For entry points whose main is also called in process (tests).
 */
export async function runCli(
  body: () => Promise<number>,
  report: (message: string) => void,
): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    report(e.message);
    return e.exitCode;
  }
}

/**
 * Runs a CLI's main function: a CliError (or any error with a message) is printed as one line
 * on stderr with the exit code; a stack trace only with DEBUG set, for bugs. Ctrl-C and SIGTERM
 * stop the child processes the run started.
 */
export function runMain(main: () => Promise<number>, env = process.env): void {
  // `npm run <script>` runs on the Node on PATH, which may be older than the Node 24 this repo
  // targets (the two README commands install 24 themselves); the SDK's notice about its Node floor
  // would then open every run. An explicit setting by the user wins.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  installShutdownHandlers();
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      stopChildren();
      const err = e as Error;
      process.stderr.write(`error: ${err.message}\n`);
      if (env.DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = e instanceof CliError ? e.exitCode : EXIT.failed;
    },
  );
}
