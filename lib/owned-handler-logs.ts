/**
 * Every Lambda function in the stack logs to a log group the stack owns and deletes.
 *
 * - CDK's singleton custom-resource providers (S3 auto-delete, default-security-group lockdown) are
 *   raw Lambda functions with generated names: Lambda would create `/aws/lambda/<name>` on first
 *   invocation, outside CloudFormation, and it would outlive `cdk destroy`. Each gets a log group
 *   created before the function and deleted after it.
 * - L2 functions (the kubectl provider) get a CDK-managed log group, child `LogGroup` of the
 *   function, through the `@aws-cdk/aws-lambda:useCdkManagedLogGroup` flag (cdk.json), but with
 *   DeletionPolicy Retain and two years of retention: those are handler logs, not data, so they go
 *   with the stack, and the month of retention is acknowledged here, where it is set.
 * - Any function that has no `LogGroup` sibling yet (a raw provider, or an L2 function with the
 *   flag off) gets an owned one; one that has one (visited twice, or CDK-managed) is left alone.
 */
import { CfnResource, type IAspect, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { acknowledgeLogGroupControls, ownedLogGroup } from './owned-log-group';

export class OwnedHandlerLogs implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof logs.CfnLogGroup && node.node.scope?.node.scope instanceof lambda.Function) {
      node.applyRemovalPolicy(RemovalPolicy.DESTROY);
      node.retentionInDays = logs.RetentionDays.ONE_MONTH;
      acknowledgeLogGroupControls(node);
      return;
    }
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function') return;
    const provider = node.node.scope;
    if (!provider || provider.node.tryFindChild('LogGroup')) return;
    const group = ownedLogGroup(provider, 'LogGroup');
    node.addPropertyOverride('LoggingConfig.LogGroup', group.logGroupName);
    node.node.addDependency(group);
  }
}
