/**
 * CDK's singleton custom-resource providers (S3 auto-delete, default-security-group lockdown) are
 * raw Lambda functions with generated names: Lambda would create `/aws/lambda/<name>` on first
 * invocation, outside CloudFormation, and it would outlive `cdk destroy`. This aspect gives each
 * one a log group the stack owns, created before the function and deleted after it.
 */
import { CfnResource, type IAspect } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { ownedLogGroup } from './owned-log-group';

export class OwnedHandlerLogs implements IAspect {
  visit(node: IConstruct): void {
    // L2 functions already get a CDK-managed log group (@aws-cdk/aws-lambda:useCdkManagedLogGroup).
    if (!(node instanceof CfnResource) || node instanceof lambda.CfnFunction) return;
    if (node.cfnResourceType !== 'AWS::Lambda::Function') return;
    const provider = node.node.scope;
    if (!provider || provider.node.tryFindChild('LogGroup')) return;
    const group = ownedLogGroup(provider, 'LogGroup');
    node.addPropertyOverride('LoggingConfig.LogGroup', group.logGroupName);
    node.node.addDependency(group);
  }
}
