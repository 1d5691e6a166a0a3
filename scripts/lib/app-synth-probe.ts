/**
 * One synthesis of the app in this process, timed by phase, for `npm run bench`:
 *
 *   tsx scripts/lib/app-synth-probe.ts [--checks] OUTDIR
 *
 * Without --checks: the app as the unit tests and `npm run cost` build it (no policy plugins, no
 * built-in CloudFormation validation): "app synth alone". With --checks: the app exactly as
 * `cdk synth` runs it (cdk-nag, cfn-guard and the built-in validation). Prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { App } from 'aws-cdk-lib';
import { physicalNames } from '../../lib/settings/names';
import { registerPolicyChecks } from '../../lib/validation';
import { ZenmlSparkStack } from '../../lib/zenml-spark-stack';
import { cdkJsonContext, loadSettings } from './app-settings';

const loaded = performance.now();
const args = process.argv.slice(2);
const checks = args.includes('--checks');
const outdir = args.find((a) => !a.startsWith('--'));
if (!outdir) throw new Error('usage: app-synth-probe.ts [--checks] OUTDIR');

const config = loadSettings({}, {});
const app = new App({ outdir, context: cdkJsonContext(), builtinCloudFormationValidation: checks });
if (checks) registerPolicyChecks(app);
new ZenmlSparkStack(app, 'ZenmlSpark', { stackName: physicalNames(config).stackName, config });
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
