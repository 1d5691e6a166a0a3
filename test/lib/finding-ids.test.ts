/**
 * lib/finding-ids.ts: the ids acknowledgements carry must be the ids cdk-nag reports, in an
 * environment-agnostic stack (references) and in one the region/account settings pin (literals).
 */
import { ArnFormat, type Stack } from 'aws-cdk-lib';
import { wildcardArnFinding } from '../../lib/finding-ids';
import { bareStack } from './bare-stack';

const secrets = (stack: Stack) =>
  stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: 'zenml/*',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

test('environment-agnostic stack: partition, region and account as cdk-nag writes references', () => {
  const stack = bareStack();
  expect(wildcardArnFinding(stack, secrets(stack))).toBe(
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:zenml/*]',
  );
});

test('region and account pinned: the literals cdk-nag sees', () => {
  const stack = bareStack({ env: { region: 'eu-west-1', account: '123456789012' } });
  expect(wildcardArnFinding(stack, secrets(stack))).toBe(
    'AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:eu-west-1:123456789012:secret:zenml/*]',
  );
});

test('region pinned, account not', () => {
  const stack = bareStack({ env: { region: 'cn-north-1' } });
  expect(wildcardArnFinding(stack, secrets(stack))).toBe(
    'AwsSolutions-IAM5[Resource::arn:aws-cn:secretsmanager:cn-north-1:<AWS::AccountId>:secret:zenml/*]',
  );
});
