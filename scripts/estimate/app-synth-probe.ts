/**
 * One synthesis of the app in this process, timed by phase, for `npm run bench`:
 *
 *   tsx scripts/estimate/app-synth-probe.ts [--checks] --out OUTDIR
 *
 * Without --checks: the app as the unit tests and `npm run cost` build it (no policy plugins, no
 * built-in CloudFormation validation): "app synth alone". With --checks: the app exactly as
 * `cdk synth` runs it (cdk-nag, cfn-guard and the built-in validation). Both through defineApp
 * (lib/app.ts). Prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { defineApp } from '../../lib/app';
import { CliError, EXIT, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { cdkJsonContext } from '../lib/settings';

const loaded = performance.now();
const USAGE = 'Usage: tsx scripts/estimate/app-synth-probe.ts [--checks] --out OUTDIR';

const OPTIONS = {
  checks: { type: 'boolean', default: false },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;

async function main(argv: readonly string[]): Promise<number> {
  const values = parseFlags(argv, OPTIONS, USAGE);
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (!values.out) throw new CliError(`--out is required\n${USAGE}`, EXIT.usage);
  const checks = values.checks;
  const { app } = defineApp({ env: {}, context: cdkJsonContext(), outdir: values.out, policyChecks: checks });
  const constructed = performance.now();
  app.synth();
  const synthesized = performance.now();
  process.stdout.write(
    `${JSON.stringify({
      checks,
      loadMs: Math.round(loaded),
      constructMs: Math.round(constructed - loaded),
      synthMs: Math.round(synthesized - constructed),
    })}\n`,
  );
  return EXIT.ok;
}

runMain(() => main(process.argv.slice(2)));
