/**
 * The policy checks every synth runs, registered on the app: cdk-nag's AwsSolutions pack and the
 * cfn-guard Control Tower rules, next to aws-cdk-lib's built-in CloudFormation validation (made
 * blocking by the `@aws-cdk/core:validateAgainstDefaultRules` flag in cdk.json). A finding fails
 * synth unless acknowledged, with a reason, on the construct that causes it.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Control Tower rules switched off for the whole app. Only rules whose findings cfn-guard reports
 * without a resource (so no construct can carry a narrow acknowledgement) belong here.
 */
export const DISABLED_GUARD_RULES: Readonly<Record<string, string>> = {
  'ct-lambda-pr-3':
    "The only Lambda functions are CDK's own custom-resource handlers. The kubectl ones already run in the VPC's private subnets (the rule cannot resolve their tokenized subnet list and reports a resource-less finding); the S3 auto-delete and security-group ones only call AWS APIs.",
  'ct-rds-pr-14':
    'The database exports its error and slow-query logs. The general log would double I/O on a small instance and the audit log needs the MariaDB audit plugin option group; cfn-guard reports this rule without a resource, so it cannot be acknowledged on the database.',
};

export function registerPolicyChecks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new CfnGuardValidator({ disabledRules: Object.keys(DISABLED_GUARD_RULES) }),
  );
}
