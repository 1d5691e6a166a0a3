/** The CDK bootstrap stack's version, which `cdk deploy` checks before it deploys. */
import { type CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import * as YAML from 'yaml';
import type { DeployedStack } from './stack-outputs';

/** aws-cdk-lib 2.276's DefaultStackSynthesizer needs bootstrap version 6 to deploy (8 for lookups). */
export const MIN_BOOTSTRAP_VERSION = 6;

/**
 * From the BootstrapVersion output, or else from the deployed bootstrap template's
 * CdkBootstrapVersion parameter (the value the deploy's version check reads; some endpoints, moto
 * among them, return no outputs for this stack). Undefined when neither can be read.
 */
export async function bootstrapVersion(
  cfn: CloudFormationClient,
  toolkit: DeployedStack,
): Promise<number | undefined> {
  const fromOutput = Number(toolkit.rawOutputs.BootstrapVersion);
  if (Number.isInteger(fromOutput)) return fromOutput;
  try {
    const body =
      (await cfn.send(new GetTemplateCommand({ StackName: toolkit.stackName }))).TemplateBody ?? '';
    // Short-form tags (!Sub, !Ref) are irrelevant here; parse them as plain values, silently.
    const template = YAML.parse(body, { logLevel: 'silent' });
    const value = Number(template?.Resources?.CdkBootstrapVersion?.Properties?.Value);
    return Number.isInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
