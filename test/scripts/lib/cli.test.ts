import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CliError, parseFlags } from '../../../scripts/lib/cli';
import { COMMON_OPTIONS } from '../../../scripts/operate/target';

const USAGE = 'Usage: test';
const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('parseFlags', () => {
  test('repeated -c pairs and --stack are parsed', () => {
    const flags = parseFlags(
      ['-c', 'namePrefix=abc', '-c', 'nodeMinSize=2', '--stack', 's'],
      COMMON_OPTIONS,
      USAGE,
    );
    expect(flags.context).toEqual(['namePrefix=abc', 'nodeMinSize=2']);
    expect(flags.stack).toBe('s');
  });

  test('an unknown flag is a usage error (exit 2) naming it', () => {
    expect(() => parseFlags(['--stak', 'x'], COMMON_OPTIONS, USAGE)).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/^Unknown option '--stak'/) }),
    );
  });

  test("a value that starts with '-' (--timeout -5) is one line saying how to pass it", () => {
    expect(() => parseFlags(['--timeout', '-5'], { timeout: { type: 'string' } }, USAGE)).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message:
          "Option '--timeout' argument is ambiguous: to specify an option argument starting with a dash use " +
          "'--timeout=-XYZ'; usage: test",
      }),
    );
  });

  test('a stray positional is a usage error', () => {
    expect(() => parseFlags(['zenml-spark'], COMMON_OPTIONS, USAGE)).toThrow(CliError);
  });
});

// Every TypeScript entry point stands on the skeleton; run-pipeline's own prefix is tested beside it.
describe.each([
  'estimate/synth',
  'estimate/cost',
  'estimate/critical-path',
  'estimate/bench',
  'verify/gates',
  'verify/rehearsal',
])('scripts/%s.ts', (name) => {
  test('an unknown flag is one error line with the usage, exit 2, no stack trace', () => {
    const r = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'tsx'),
      [path.join(ROOT, 'scripts', `${name}.ts`), '--bogus'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: Unknown option '--bogus'; usage: \S.*\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

// `npm run cost | head`: the reader closes the pipe before the writer is done. `| true` closes it
// before the first line (tsx starts in ~1 s; true exits at once), so every run hits the closed pipe.
describe.each(['estimate/cost', 'estimate/critical-path'])('scripts/%s.ts into a closed pipe', (name) => {
  test('ends quietly with exit 0: no EPIPE stack trace', () => {
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const script = path.join(ROOT, 'scripts', `${name}.ts`);
    const r = spawnSync('bash', ['-c', `"${tsx}" "${script}" --help | true; exit "\${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });
});

test('npm run resume -- --timeout -5 is one line (pause and resume report on stdout), exit 2', () => {
  const r = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    [path.join(ROOT, 'scripts', 'operate', 'resume.ts'), '--timeout', '-5'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  expect({ status: r.status, lines: `${r.stdout}${r.stderr}`.trim().split('\n') }).toEqual({
    status: 2,
    lines: [
      expect.stringMatching(
        /^resume: Option '--timeout' argument is ambiguous: .*'--timeout=-XYZ'; usage: npm run resume /,
      ),
    ],
  });
});
