/**
 * defineApp is the one place the app is built (bin/app.ts, the estimate scripts, the test
 * fixtures): the stack's description and environment come from it, and settings are resolved once,
 * from what the caller passes in.
 */
import { CfnResource } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { defineApp, STACK_DESCRIPTION } from '../../lib/app';
import { ConfigError } from '../../lib/settings/config';
import { STACK_ID } from '../../lib/settings/names';
import { tempDir } from '../temp-dirs';
import { CDK_JSON_CONTEXT } from './fixtures';

/** The app with one planted finding each for cdk-nag (an open bucket) and the built-in validation (an unknown property). */
function withPlantedFindings(policyChecks: boolean | undefined) {
  const defined = defineApp({
    env: {},
    context: CDK_JSON_CONTEXT,
    stackTraces: false,
    outdir: tempDir('app-'),
    ...(policyChecks === undefined ? {} : { policyChecks }),
  });
  new s3.Bucket(defined.stack, 'PlantedOpenBucket', { enforceSSL: false });
  new CfnResource(defined.stack, 'PlantedBadProperty', {
    type: 'AWS::SQS::Queue',
    properties: { NotAQueueProperty: 1 },
  });
  return defined;
}

describe('defineApp', () => {
  test('GIVEN no account or region WHEN defined THEN an environment-agnostic stack with the description', () => {
    const { app, stack, config } = defineApp({ env: {}, context: CDK_JSON_CONTEXT, stackTraces: false });
    expect(stack.node.id).toBe(STACK_ID);
    expect(stack.node.scope).toBe(app);
    expect(stack.stackName).toBe(config.namePrefix);
    expect(stack.templateOptions.description).toBe(STACK_DESCRIPTION);
    // What the CloudFormation console shows beside the stack: the project and what it holds.
    for (const part of ['zenml-spark-eks', 'S3', 'ECR', 'RDS MySQL', 'EKS'])
      expect(STACK_DESCRIPTION).toContain(part);
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  test('GIVEN account and region settings WHEN defined THEN the stack is pinned to them', () => {
    const { stack } = defineApp({
      env: { ZENML_SPARK_ACCOUNT: '123456789012' },
      context: { ...CDK_JSON_CONTEXT, region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
      stackTraces: false,
    });
    expect([stack.account, stack.region]).toEqual(['123456789012', 'eu-west-1']);
    expect(stack.templateOptions.description).toBe(STACK_DESCRIPTION);
  });

  test('GIVEN only a region WHEN defined THEN pinned to the region, still account-agnostic', () => {
    const { stack } = defineApp({
      env: {},
      context: { ...CDK_JSON_CONTEXT, region: 'eu-west-1' },
      stackTraces: false,
    });
    expect(stack.environment).toBe('aws://unknown-account/eu-west-1');
  });

  test('GIVEN policyChecks WHEN synthesized THEN planted findings fail synth (cdk-nag and the built-in validation)', () => {
    const { app } = withPlantedFindings(true);
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    // One finding of each check: cdk-nag, cfn-guard, aws-cdk-lib's built-in CloudFormation validation.
    for (const id of [
      'AwsSolutions::AwsSolutions-S10',
      'cdk-validator-cfnguard::s3_bucket_level_public_access_prohibited_check',
      'CloudFormation-Validate::F3002',
    ])
      expect(message).toContain(`Acknowledge with '${id}'`);
  });

  test('GIVEN no policyChecks (the default) WHEN synthesized THEN the same planted findings pass: no check ran', () => {
    for (const policyChecks of [undefined, false]) {
      const { app } = withPlantedFindings(policyChecks);
      expect(() => app.synth()).not.toThrow();
    }
  });

  test('GIVEN ZENML_SPARK_* in the env passed in WHEN defined THEN it wins over the context', () => {
    const { stack, config } = defineApp({
      env: { ZENML_SPARK_NAME_PREFIX: 'team-b' },
      context: CDK_JSON_CONTEXT,
      stackTraces: false,
    });
    expect([config.namePrefix, stack.stackName]).toEqual(['team-b', 'team-b']);
  });

  test('GIVEN a bad setting WHEN defined THEN one ConfigError naming it, and no stack', () => {
    expect(() =>
      defineApp({ env: {}, context: { ...CDK_JSON_CONTEXT, nodeMinSize: 5, nodeMaxSize: 3 } }),
    ).toThrow(ConfigError);
    expect(() =>
      defineApp({ env: {}, context: { ...CDK_JSON_CONTEXT, nodeMinSize: 5, nodeMaxSize: 3 } }),
    ).toThrow('Invalid setting: nodeMinSize=5 (from context (cdk.json or -c)): at most nodeMaxSize (3)');
  });
});
