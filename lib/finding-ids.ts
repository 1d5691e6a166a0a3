/**
 * Exact ids of cdk-nag findings that carry a sub-id, so acknowledgements stay as narrow as the
 * finding itself (one policy, one resource) instead of silencing the whole rule.
 */
import { type CfnElement, Stack } from 'aws-cdk-lib';
// cdk-nag's own flattening of an intrinsic into the string its finding ids carry; not re-exported
// from the package index, so imported by path (cdk-nag is pinned: package.json).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/** AwsSolutions-IAM4 for one AWS managed policy, e.g. `service-role/AWSLambdaBasicExecutionRole`. */
export function managedPolicyFinding(policyPath: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policyPath}]`;
}

/** AwsSolutions-IAM5 for a wildcard under one resource's ARN, e.g. `<Bucket.Arn>/*`. */
export function wildcardUnderResourceFinding(resource: CfnElement, suffix: string): string {
  return `AwsSolutions-IAM5[Resource::<${Stack.of(resource).getLogicalId(resource)}.Arn>${suffix}]`;
}

/**
 * AwsSolutions-IAM5 for one wildcard resource ARN, written exactly as cdk-nag will see it: the ARN
 * resolved in its stack and flattened by cdk-nag's own rule. Partition, region and account appear
 * as `<AWS::Partition>`-style references when the stack is environment-agnostic, and as literals
 * (`aws`, `eu-west-1`, the account id) when the `region`/`account` settings pin them; a hand-written
 * id matches only one of the two.
 * @param scope any construct in the stack that uses the ARN
 * @param arn the ARN as the policy statement holds it (a token string, e.g. from Stack.formatArn)
 */
export function wildcardArnFinding(scope: IConstruct, arn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(arn))}]`;
}
