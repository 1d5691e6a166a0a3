/**
 * What the deployed resources look like through the service APIs, against the configured
 * properties: one small checker per service, run in this order (the report lists them so).
 */
import type { DeployedContext } from './context';
import { checkEc2 } from './ec2';
import { checkEcr } from './ecr';
import { checkIam } from './iam';
import { checkRds } from './rds';
import { checkS3 } from './s3';
import { checkSecrets } from './secrets';

export type { DeployedContext } from './context';
export { checkOutputValues } from './outputs';

export async function checkDeployed(ctx: DeployedContext): Promise<void> {
  for (const checker of [checkS3, checkEcr, checkEc2, checkRds, checkIam, checkSecrets]) await checker(ctx);
}
