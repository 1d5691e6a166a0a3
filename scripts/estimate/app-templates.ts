/**
 * The synthesized CloudFormation template(s) of the app, for scripts that read them (cost,
 * critical path): either synthesized here, in process, for the given settings, or read from an
 * existing cloud assembly (cdk.out/ from `npm run synth`).
 *
 * In-process synthesis builds the app through defineApp (lib/app.ts), as bin/app.ts does, but
 * without the policy checks: they check the template, they do not change it, and they cost most
 * of synth's time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { defineApp } from '../../lib/app';
import type { EnvironmentConfig } from '../../lib/settings/config';
import { cdkJsonContext, loadSettings } from '../lib/settings';
import { requireCurrent } from '../lib/synth-stamp';
import { type CfnTemplate, summarizeCloudAssembly } from './cloud-assembly';

export interface AppTemplates {
  readonly config: EnvironmentConfig;
  readonly stacks: readonly { readonly stackName: string; readonly template: CfnTemplate }[];
  /** Where the templates came from, for the output. */
  readonly origin: string;
}

export function synthesizeTemplates(
  cliContext: Record<string, string>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): AppTemplates {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'zenml-spark-templates-'));
  try {
    const { app, stack, config } = defineApp({
      env,
      outdir,
      context: {
        ...cdkJsonContext(),
        ...cliContext,
        // Only the template is read: no asset copies (the kubectl layers are tens of MB).
        [cxapi.DISABLE_ASSET_STAGING_CONTEXT]: true,
      },
      stackTraces: false,
    });
    const artifact = app.synth().getStackByName(stack.stackName);
    return {
      config,
      stacks: [{ stackName: artifact.stackName, template: artifact.template as CfnTemplate }],
      origin:
        'synthesized in process for these settings (policy checks skipped: they do not change templates)',
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export function readTemplates(
  assemblyDir: string,
  cliContext: Record<string, string>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): AppTemplates {
  const config = loadSettings(cliContext, env);
  // Priced or timed as if it were these settings' template: only if it is (scripts/lib/synth-stamp.ts).
  if (fs.existsSync(path.join(assemblyDir, 'manifest.json'))) requireCurrent(assemblyDir, 'cdk.out', config);
  const summary = summarizeCloudAssembly(assemblyDir);
  return {
    config,
    stacks: summary.stacks.map((s) => ({ stackName: s.stackName, template: s.template })),
    origin: `read from ${path.relative(process.cwd(), assemblyDir) || '.'}`,
  };
}

/**
 * The templates a CLI reports on: an existing assembly when `--assembly` names one (refused unless a
 * successful `npm run synth` of these settings wrote it), else a fresh synth.
 */
export function templatesFor(assembly: string | undefined, cliContext: Record<string, string>): AppTemplates {
  return assembly
    ? readTemplates(path.resolve(process.cwd(), assembly), cliContext)
    : synthesizeTemplates(cliContext);
}
