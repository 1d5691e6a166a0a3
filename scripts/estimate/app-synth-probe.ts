/**
 * One synthesis of the app in this process, timed by phase, for `npm run bench`:
 *
 *   tsx scripts/estimate/app-synth-probe.ts [--checks] OUTDIR
 *
 * Without --checks: the app as the unit tests and `npm run cost` build it (no policy plugins, no
 * built-in CloudFormation validation): "app synth alone". With --checks: the app exactly as
 * `cdk synth` runs it (cdk-nag, cfn-guard and the built-in validation). Both through defineApp
 * (lib/app.ts). Prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { defineApp } from '../../lib/app';
import { cdkJsonContext } from '../lib/settings';

const loaded = performance.now();
const args = process.argv.slice(2);
const checks = args.includes('--checks');
const outdir = args.find((a) => !a.startsWith('--'));
if (!outdir) throw new Error('usage: app-synth-probe.ts [--checks] OUTDIR');

const { app } = defineApp({ env: {}, context: cdkJsonContext(), outdir, policyChecks: checks });
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
