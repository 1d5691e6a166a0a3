/**
 * The policy checks every synth runs, registered on the app: cdk-nag's AwsSolutions pack and the
 * cfn-guard Control Tower rules, next to aws-cdk-lib's built-in CloudFormation validation (made
 * blocking by the `@aws-cdk/core:validateAgainstDefaultRules` flag in cdk.json). A finding fails
 * synth unless acknowledged, with a reason, on the construct that causes it.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  type App,
  type IPolicyValidationContextBeta1,
  type PolicyValidationPluginReportBeta1,
  Validations,
} from 'aws-cdk-lib';
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

/**
 * The cfn-guard Control Tower rules, with every finding an error.
 *
 * cdk-validator-cfnguard 0.0.62 reports findings without a severity. aws-cdk-lib 2.276.0 prints a
 * missing severity as "error", but after it removes the acknowledged findings it re-judges the
 * report counting only "error" and "fatal" (core/lib/private/synthesis-validation.js,
 * collectSuppressions): with one cfn-guard acknowledgement anywhere in the app, every other
 * cfn-guard finding was printed as ERROR and synth still succeeded. Found by mutation testing
 * (2026-12-01): dropping the artifact bucket's versioning acknowledgement failed nothing.
 */
export class BlockingCfnGuardValidator extends CfnGuardValidator {
  override validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = super.validate(context);
    return {
      ...report,
      violations: report.violations.map((v) => ({ ...v, severity: v.severity ?? 'error' })),
    };
  }
}

export function registerPolicyChecks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new BlockingCfnGuardValidator({ disabledRules: Object.keys(DISABLED_GUARD_RULES) }),
  );
}
