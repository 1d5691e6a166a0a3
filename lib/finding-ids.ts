/**
 * Exact ids of cdk-nag findings that carry a sub-id, so acknowledgements stay as narrow as the
 * finding itself (one policy, one resource) instead of silencing the whole rule.
 */
import { type CfnElement, Stack } from 'aws-cdk-lib';

/** AwsSolutions-IAM4 for one AWS managed policy, e.g. `service-role/AWSLambdaBasicExecutionRole`. */
export function managedPolicyFinding(policyPath: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policyPath}]`;
}

/** AwsSolutions-IAM5 for a wildcard under one resource's ARN, e.g. `<Bucket.Arn>/*`. */
export function wildcardUnderResourceFinding(resource: CfnElement, suffix: string): string {
  return `AwsSolutions-IAM5[Resource::<${Stack.of(resource).getLogicalId(resource)}.Arn>${suffix}]`;
}
