/**
 * Reads a synthesized cloud assembly (cdk.out/) the way a reviewer would: which stacks, how many
 * resources of which type, which outputs, and what the policy checks found and acknowledged.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CfnTemplate {
  readonly Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] }
  >;
  readonly Outputs?: Record<string, { Value: unknown }>;
  readonly Conditions?: Record<string, unknown>;
}

export interface StackSummary {
  readonly stackName: string;
  readonly artifactId: string;
  readonly templatePath: string;
  readonly template: CfnTemplate;
  readonly resourceCount: number;
  readonly resourceTypes: Record<string, number>;
  readonly outputs: string[];
}

export interface ValidationSummary {
  readonly plugin: string;
  readonly violations: number;
  readonly acknowledged: number;
}

export interface CloudAssemblySummary {
  readonly stacks: StackSummary[];
  readonly validation: ValidationSummary[];
}

/** Acknowledgement id prefixes of each validation plugin (aws-cdk-lib's namespacing). */
const PLUGIN_ACK_PREFIXES: Record<string, (id: string) => boolean> = {
  // aws-cdk-lib records acknowledgements of annotation-based plugins (cdk-nag 3) under `Annotation::`.
  'cdk-nag AwsSolutions': (id) => id.replace(/^Annotation::/, '').startsWith('AwsSolutions'),
  'cfn-guard Control Tower': (id) => id.startsWith('cdk-validator-cfnguard::'),
  'CloudFormation Validate (built-in)': (id) => id.startsWith('CloudFormation-Validate::'),
};
const REPORT_PLUGIN_NAMES: Record<string, string> = {
  'cfn-guard Control Tower': 'cdk-validator-cfnguard',
  'CloudFormation Validate (built-in)': 'CloudFormation Validate',
};

interface ManifestArtifact {
  readonly type: string;
  readonly displayName?: string;
  readonly properties: { readonly templateFile: string; readonly stackName?: string };
  readonly metadata?: Record<string, { type: string; data: unknown }[]>;
}

export function summarizeCloudAssembly(outDir: string): CloudAssemblySummary {
  const manifestPath = path.join(outDir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new Error(`${manifestPath} not found: run the main synth command (npm run synth) first`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  if (manifest.missing?.length) {
    // A context lookup would need credentials and network: synth must stay offline and deterministic.
    const keys = manifest.missing.map((m: { key: string }) => m.key).join(', ');
    throw new Error(
      `${manifestPath}: the app asked for context lookups (${keys}); synth must need no AWS account`,
    );
  }
  const stacks: StackSummary[] = [];
  const ackIds: string[] = [];
  for (const [artifactId, artifact] of Object.entries<ManifestArtifact>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templatePath = path.join(outDir, artifact.properties.templateFile);
    const template: CfnTemplate = JSON.parse(fs.readFileSync(templatePath, 'utf8'));
    const resourceTypes: Record<string, number> = {};
    for (const r of Object.values(template.Resources))
      resourceTypes[r.Type] = (resourceTypes[r.Type] ?? 0) + 1;
    stacks.push({
      stackName: artifact.properties.stackName ?? artifact.displayName ?? artifactId,
      artifactId,
      templatePath,
      template,
      resourceCount: Object.keys(template.Resources).length,
      resourceTypes,
      outputs: Object.keys(template.Outputs ?? {}),
    });
    const metadataFile = path.join(outDir, `${artifactId}.metadata.json`);
    const metadata: Record<string, { type: string; data: unknown }[]> = fs.existsSync(metadataFile)
      ? JSON.parse(fs.readFileSync(metadataFile, 'utf8'))
      : (artifact.metadata ?? {});
    for (const entries of Object.values(metadata)) {
      for (const e of entries) {
        if (e.type === 'aws:cdk:acknowledged-rules') ackIds.push(...Object.keys(e.data as object));
      }
    }
  }
  const reportPath = path.join(outDir, 'validation-report.json');
  const reports: { pluginName: string; violations: unknown[] }[] = fs.existsSync(reportPath)
    ? JSON.parse(fs.readFileSync(reportPath, 'utf8')).pluginReports
    : [];
  const validation = Object.entries(PLUGIN_ACK_PREFIXES).map(([plugin, matches]) => ({
    plugin,
    violations: reports.find((r) => r.pluginName === REPORT_PLUGIN_NAMES[plugin])?.violations.length ?? 0,
    acknowledged: ackIds.filter(matches).length,
  }));
  return { stacks, validation };
}
