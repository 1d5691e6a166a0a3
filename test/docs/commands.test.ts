/**
 * Issue 14, kind 6: every command README.md and docs/*.md show must run as shown. This test pulls
 * out every line of every ```bash block, and every inline `code` span that calls this repository's
 * own entry points (npm run / npm test / npx tsx / bash scripts/... / scripts/... with
 * arguments), and checks each one by the first rule of RULES that matches it:
 *
 *   run     as shown (placeholders such as <id> replaced by sample values, outputs.json by a fixture)
 *   dry-run as shown plus --dry-run (changes nothing; needs no cluster)
 *   help    its flags with --help (needs AWS, a cluster or Docker); -c pairs are resolved as settings
 *   synopsis  a `cmd [--flag X]` synopsis: every flag it names is in the command's --help
 *   skip    with the reason (another suite runs it as shown, or it is another tool's command)
 *
 * A command no rule matches fails the test: a new command in the docs needs a rule.
 * Inline mentions of third-party commands (zenml, aws, kubectl, docker, bare `cdk deploy` in
 * prose) are not picked up: the docs quote them to explain, some deliberately from the reference
 * guide (its obsolete `zenml secrets-manager ...`); the ones a user runs are in ```bash blocks.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { settingsFromFlags } from '../../scripts/lib/settings';

const ROOT = path.resolve(__dirname, '..', '..');
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith('.md'),
);
const SCRIPTS: Record<string, string> = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
).scripts;

type Action =
  | { readonly kind: 'run' }
  | { readonly kind: 'dry-run' }
  | { readonly kind: 'help' }
  | { readonly kind: 'synopsis' }
  | { readonly kind: 'skip'; readonly reason: string };

const run: Action = { kind: 'run' };
const dryRun: Action = { kind: 'dry-run' };
const help: Action = { kind: 'help' };
const synopsis: Action = { kind: 'synopsis' };
const skip = (reason: string): Action => ({ kind: 'skip', reason });

/** First match wins. */
const RULES: readonly [RegExp, Action][] = [
  [/^npm test$|^bash scripts\/verify\/test\.sh\b/, skip('the test command itself: what runs this test')],
  [/^npm run synth$/, skip('run exactly as shown by the synth suite (scripts/verify/test.sh synth)')],
  [/^(bash )?scripts\/verify\/test-\w+\.sh$/, skip('a suite of scripts/verify/test.sh, run by it as shown')],
  [/^(npm run gates|bash scripts\/verify\/gates\.sh)$/, skip('run as shown by the gates suite')],
  [/^(npm run rehearsal|bash scripts\/verify\/rehearsal\.sh)$/, skip('run as shown by the rehearsal suite')],
  [/\[--?[\w-]/, synopsis],
  [
    /^python pipeline\/run\.py$/,
    skip('needs a deployed stack; the pipeline suite runs it end to end (scripts/verify/test-pipeline.sh)'),
  ],
  [
    /^npm run build-spark-image -- --stack <\w+>/,
    skip("a placeholder for your stack's name; spark/tests/test_build_script.py runs the script's --dry-run"),
  ],
  [/^npm run (-s )?(cost|critical-path)( -- --json)?( > [\w.-]+)?$/, run],
  [/^npm run (cost|critical-path) -- --assembly cdk\.out$/, help],
  [
    /^npm run (-s )?(preflight|status|outputs|render-manifests|build-spark-image|bench|mutation|zenml-login|spark-ui|pause|resume)\b/,
    help,
  ],
  [/^npm run run-pipeline$/, help],
  [/^npm run synth -- /, help],
  [/^npm run run-pipeline -- /, dryRun],
  [/^npm run cdk( -- (bootstrap|deploy|destroy)\b.*)?$/, help],
  [/^npx tsx scripts\/operate\/run-pipeline\.ts /, dryRun],
  [/^npx tsx scripts\/generate\/[\w-]+\.ts --write$/, help],
  [/^(bash )?scripts\/verify\/(gates|rehearsal)\.sh /, help],
  [/^scripts\/operate\/build-spark-image\.sh (--print-tag|.*--dry-run)/, run],
  [/^scripts\/operate\/build-spark-image\.sh /, help],
  [/^python3 spark\/generate_dataset\.py /, help],
  [/^printf %s VALUE \| sha256sum \| cut -c1-16$/, run],
  [
    /^npx tsx bin\/app\.ts$/,
    skip('the app as the CDK CLI runs it (cdk.json app); test/bin/app.test.ts runs it so'),
  ],
  [
    /^\.venvs\/spark\/bin\/spark-submit /,
    skip('the spark suite runs spark-submit on local Spark (spark/tests/test_spark_submit.py)'),
  ],
  [
    /^pip install -r requirements\/zenml\.txt/,
    skip('installs into your Python; the zenml suite installs the same file into its venv'),
  ],
  [/^zenml login /, skip('needs a ZenML server')],
  [
    /^python pipeline\/run\.py$/,
    skip(
      'the pipeline suite runs it end to end (local ZenML server, moto S3); on EKS it needs the deployed stack',
    ),
  ],
  [/^aws /, skip('needs an AWS account')],
  [/^kubectl /, skip('needs a cluster')],
];

/** Sample values for the placeholders the docs use. */
const PLACEHOLDERS: readonly [RegExp, string][] = [
  [/\$\(curl -s https:\/\/checkip\.amazonaws\.com\)/g, '203.0.113.7'],
  [/<account>/g, '123456789012'],
  [/<your-role>/g, 'Admin'],
  [/<id>/g, 'demo-1'],
  [/<StackName>|<stack>/g, 'zenml-spark'],
  [/<tag>/g, 'spark-4.1.2-0123456789ab'],
  [/clusterAdminPrincipalArns=\.\.\./g, 'clusterAdminPrincipalArns=arn:aws:iam::123456789012:role/Admin'],
  [/-c key=value/g, '-c nodeMinSize=1'],
];

interface DocCommand {
  readonly where: string;
  readonly command: string;
}

/** Commands of ```bash blocks (continuations joined, comments dropped, `...` expanded) and inline spans. */
function docCommands(): DocCommand[] {
  const out: DocCommand[] = [];
  for (const file of DOCS) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const lines = text.split('\n');
    let block: string | undefined;
    let pending = '';
    let previous = '';
    lines.forEach((line, i) => {
      const fence = /^```(\w*)\s*$/.exec(line);
      if (fence) {
        block = block === undefined ? fence[1] : undefined;
        previous = '';
        return;
      }
      if (block !== 'bash') return;
      const joined = pending + line.replace(/\\$/, '');
      if (line.endsWith('\\')) {
        pending = `${joined.trimEnd()} `;
        return;
      }
      pending = '';
      let command = joined.replace(/(^|\s{2,})#.*$/, '').trim();
      if (!command) return;
      // `prog ... --flag`: the arguments of the previous command of the same program.
      const [prog] = command.split(' ... ');
      if (command.includes(' ... ') && previous.startsWith(`${prog} `)) {
        command = command.replace(' ... ', ` ${previous.slice(prog.length + 1)} `);
      } else {
        previous = command;
      }
      out.push({ where: `${file}:${i + 1}`, command });
    });
    const prose = text.replace(/^```[\s\S]*?^```/gm, '');
    for (const m of prose.matchAll(/`([^`\n]+)`/g)) {
      const command = m[1].trim();
      if (/^(npm (run|test)|npx (tsx|cdk) |bash scripts\/|scripts\/\S+\.(sh|ts) )/.test(command)) {
        out.push({ where: `${file} (inline)`, command });
      }
    }
  }
  return out;
}

function substitute(command: string, outputsJson: string): string {
  let c = command;
  for (const [pattern, value] of PLACEHOLDERS) c = c.replace(pattern, value);
  return c.replace(/(^|\s)outputs\.json(\s|$)/g, `$1${outputsJson}$2`);
}

/** `npm run X -- args` as npm runs it (package.json script, node_modules/.bin first on PATH). */
function shellCommand(command: string, extra: string): string {
  // `-s` (silent) changes only what npm itself prints, not what the script does.
  const npm = /^npm run (?:-s )?([\w-]+)(?: -- (.*))?$/.exec(command);
  if (npm) {
    const script = SCRIPTS[npm[1]];
    if (!script) throw new Error(`${command}: package.json has no script ${npm[1]}`);
    return `${script} ${npm[2] ?? ''} ${extra}`;
  }
  return `${command} ${extra}`;
}

interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function sh(command: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd: ROOT,
      env: {
        PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}`,
        HOME: process.env.HOME,
        TMPDIR: process.env.TMPDIR,
        XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
        // Nothing here may reach AWS.
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        CDK_DISABLE_CLI_TELEMETRY: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => {
      stdout += b;
    });
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const COMMANDS = docCommands();
const actionOf = (command: string) => RULES.find(([pattern]) => pattern.test(command))?.[1];

let work: string;
let outputsJson: string;
const results = new Map<string, Result>();

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'zse-docs-'));
  outputsJson = path.join(work, 'outputs.json');
  // What `aws cloudformation describe-stacks --stack-name zenml-spark > outputs.json` writes.
  fs.writeFileSync(
    outputsJson,
    JSON.stringify({
      Stacks: [
        {
          StackName: 'zenml-spark',
          Outputs: [
            ['ArtifactBucketName', 'zenml-spark-artifactstorebucket-0123456789ab'],
            ['EcrRepositoryUri', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml'],
            ['Region', 'eu-west-1'],
            ['SparkNamespace', 'spark-namespace'],
            ['SparkRoleArn', 'arn:aws:iam::123456789012:role/zenml-spark-spark-pods'],
          ].map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    }),
  );
  const jobs = COMMANDS.flatMap(({ command }) => {
    const action = actionOf(command);
    if (!action || action.kind === 'skip') return [];
    // `cmd > file` writes its output into the test's directory, not into the repository.
    const [c, redirect] = substitute(command, outputsJson).split(/\s+>\s+/);
    const into = redirect ? ` > ${path.join(work, path.basename(redirect.trim()))}` : '';
    if (action.kind === 'synopsis') {
      return [[command, shellCommand(c.replace(/\s*\[.*$/, ''), '--help')] as const];
    }
    // npm run X is run as its package.json script, so a flag is appended without npm's `--`.
    const extra =
      action.kind === 'help'
        ? '--help'
        : action.kind === 'dry-run' && !/--dry-run\b/.test(c)
          ? '--dry-run'
          : '';
    return [[command, `${shellCommand(c, extra)}${into}`] as const];
  });
  const queue = [...new Map(jobs).entries()];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) results.set(job[0], await sh(job[1]));
  };
  await Promise.all([worker(), worker(), worker()]);
}, 900_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('the docs show commands, and the README example that lacked its required flags is fixed', () => {
  expect(COMMANDS.length).toBeGreaterThan(20);
  expect(COMMANDS.map((c) => c.command)).toContain(
    'npm run run-pipeline -- --outputs outputs.json --image-tag <tag> --run-id <id>',
  );
});

// `npx cdk` runs the CDK CLI on whatever Node is on PATH; package.json's cdk script runs it on the
// pinned Node 24 (scripts/lib/on-node.sh), as every other npm script.
test('the docs run the CDK CLI as npm run cdk -- ..., never npx cdk', () => {
  const npx = DOCS.flatMap((file) =>
    fs
      .readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .flatMap((line, i) => (/\bnpx cdk\b/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
  expect(npx).toEqual([]);
  expect(COMMANDS.map((c) => c.command)).toContain('npm run cdk -- destroy --force');
});

/** An npm script's output piped or redirected: what npm prints itself would land in it too. */
const PIPES_NPM_OUTPUT = /^npm (run|test)\b.*\s(\||>|>>|&>|2>&1 \|)\s/;

test('a doc command that pipes or redirects npm output runs npm silently (npm run -s)', () => {
  const piped = COMMANDS.filter((c) => PIPES_NPM_OUTPUT.test(c.command));
  expect(piped.length).toBeGreaterThan(0);
  expect(piped.filter((c) => !/^npm run -s /.test(c.command))).toEqual([]);
});

test("npm run -s keeps npm's own lines out of the output; npm run does not", async () => {
  // Through npm itself: the rules above run package.json's script directly, without npm.
  const [loud, silent] = await Promise.all([sh('npm run cost -- --help'), sh('npm run -s cost -- --help')]);
  expect([loud.status, silent.status]).toEqual([0, 0]);
  expect(loud.stdout).toMatch(/^\s*> zenml-spark-eks@[\d.]+ cost\n/);
  expect(silent.stdout).toMatch(/^Usage: npm run cost /);
}, 120_000);

describe.each(COMMANDS.map((c) => [`${c.where}: ${c.command}`, c] as const))('%s', (_name, { command }) => {
  const action = actionOf(command);
  test(action?.kind === 'skip' ? `skipped: ${action.reason}` : `${action?.kind ?? 'NO RULE'}`, () => {
    expect(action).toBeDefined();
    if (!action || action.kind === 'skip') return;
    const r = results.get(command) as Result;
    expect({ command, status: r.status, stderr: r.status === 0 ? '' : r.stderr.slice(-2000) }).toEqual({
      command,
      status: 0,
      stderr: '',
    });
    // What a doc redirects --json output into is JSON (nothing else printed on stdout).
    const jsonInto = /--json\b.*\s>\s+(\S+)$/.exec(command);
    if (jsonInto && action.kind === 'run') {
      const file = path.join(work, path.basename(jsonInto[1]));
      expect(() => JSON.parse(fs.readFileSync(file, 'utf8'))).not.toThrow();
    }
    if (action.kind === 'synopsis') {
      for (const flag of command.match(/--[a-z][\w-]*/g) ?? []) {
        expect([flag, r.stdout.includes(flag)]).toEqual([flag, true]);
      }
    }
    // The settings a command passes with -c are valid settings.
    const pairs = [...substitute(command, outputsJson).matchAll(/(?:^|\s)-c\s+([^\s=]+=[^\s\]]*)/g)].map(
      (m) => m[1],
    );
    if (pairs.length > 0) expect(() => settingsFromFlags(pairs, {})).not.toThrow();
  });
});
