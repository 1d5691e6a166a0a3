/**
 * Log groups the stack creates itself, so that `cdk destroy` deletes them: left to AWS (EKS
 * control plane, RDS exports, Lambda), they appear outside CloudFormation and outlive the stack.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface OwnedLogGroupProps {
  /** The name the AWS service writes to; omit for a generated name. */
  readonly logGroupName?: string;
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
  /** @default one month */
  readonly retention?: logs.RetentionDays;
}

export function ownedLogGroup(scope: Construct, id: string, props: OwnedLogGroupProps = {}): logs.LogGroup {
  const group = new logs.LogGroup(scope, id, {
    logGroupName: props.logGroupName,
    retention: props.retention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
  });
  acknowledgeLogGroupControls(group);
  return group;
}

/** The two Control Tower log-group controls this project deliberately does not follow, and why. */
export function acknowledgeLogGroupControls(scope: Construct): void {
  Validations.of(scope).acknowledge(
    {
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
      reason:
        'A disposable dev environment keeps operational logs for a month; a year of EKS audit and flow logs would cost more than the cluster. Raise it for production.',
    },
    {
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
      reason:
        'CloudWatch Logs encrypts all log data at rest with service keys; access is governed by IAM. A customer-managed key would add a key policy to every reader without narrowing who can read.',
    },
  );
}
