/**
 * runCommands against a real program (node), standing in for zenml only as "an executable that
 * records what it was given": the secret file must arrive, be private, and be gone afterwards.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findExecutable, lastMeaningfulLine, runCommands } from '../../../scripts/operate/run-commands';

const RECORDER = `
const fs = require('node:fs');
const arg = process.argv.find((a) => a.startsWith('--values=@'));
const file = arg && arg.slice('--values=@'.length);
fs.appendFileSync(process.env.RECORD, JSON.stringify({
  argv: process.argv.slice(2),
  content: file ? fs.readFileSync(file, 'utf8') : null,
  mode: file ? (fs.statSync(file).mode & 0o777).toString(8) : null,
  file,
}) + '\\n');
if (process.argv.includes('fail')) { console.error('Error: it failed on purpose'); process.exit(3); }
`;

describe('runCommands', () => {
  let dir: string;
  let record: string;
  let script: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-commands-'));
    record = path.join(dir, 'record.jsonl');
    script = path.join(dir, 'recorder.js');
    fs.writeFileSync(script, RECORDER);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const calls = () =>
    fs
      .readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));

  test('secret values reach the program in a 0600 file that is removed afterwards', () => {
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:x';
    const results = runCommands(
      [
        {
          title: 't',
          argv: ['node', script, 'secret', 'create', 'x'],
          secretFrom: { secretArn, region: 'eu-west-1' },
        },
      ],
      new Map([[secretArn, { password: 's3cr3t' }]]),
      { programs: {}, env: { ...process.env, RECORD: record } },
    );
    const [call] = calls();
    expect(results.map((r) => r.result)).toEqual(['ok']);
    expect(JSON.parse(call.content)).toEqual({ password: 's3cr3t' });
    expect(call.mode).toBe('600');
    expect(call.argv.join(' ')).not.toContain('s3cr3t');
    expect(fs.existsSync(call.file)).toBe(false);
    expect(results[0].command).not.toContain('s3cr3t');
  });

  test('a secret without values is skipped; the others still run', () => {
    const results = runCommands(
      [
        { title: 'a', argv: ['node', script, 'one'], secretFrom: { secretArn: 'arn:x', region: 'r' } },
        { title: 'b', argv: ['node', script, 'two'] },
      ],
      new Map(),
      { programs: {}, env: { ...process.env, RECORD: record } },
    );
    expect(results.map((r) => [r.result, r.note])).toEqual([
      ['skipped', 'needs --with-secret-values'],
      ['ok', undefined],
    ]);
    expect(calls().map((c) => c.argv[0])).toEqual(['two']);
  });

  test('the first failure stops the run with the program error line', () => {
    const seen: string[] = [];
    expect(() =>
      runCommands(
        [
          { title: 'a', argv: ['node', script, 'fail'] },
          { title: 'b', argv: ['node', script, 'never'] },
        ],
        new Map(),
        { programs: {}, env: { ...process.env, RECORD: record }, onResult: (r) => seen.push(r.result) },
      ),
    ).toThrow(/failed \(exit 3: Error: it failed on purpose\)/);
    expect(seen).toEqual(['failed']);
    expect(calls()).toHaveLength(1);
  });

  test('a command is killed at its time limit', () => {
    expect(() =>
      runCommands([{ title: 'slow', argv: ['node', '-e', 'setTimeout(() => {}, 60000)'] }], new Map(), {
        programs: {},
        env: process.env,
        timeoutMs: 500,
      }),
    ).toThrow(/timed out after/);
  });
});

describe('findExecutable', () => {
  test('finds node on PATH and rejects what is not there', () => {
    expect(findExecutable('node', process.env)).toMatch(/node$/);
    expect(findExecutable('no-such-program-here', process.env)).toBeUndefined();
  });
});

describe('lastMeaningfulLine', () => {
  test('prefers the Error: line over trailing hints and table borders', () => {
    const out =
      'progress\nEntityExistsError: Found an existing component\n╰────╯\nYou can display ... Dashboard\n';
    expect(lastMeaningfulLine(out)).toBe('EntityExistsError: Found an existing component');
  });
});
