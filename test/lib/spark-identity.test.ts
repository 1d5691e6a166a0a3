import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SparkWorkloadIdentity } from '../../lib/spark-identity';
import { bareStack } from './bare-stack';

describe('SparkWorkloadIdentity in a bare Stack', () => {
  test('GIVEN a cluster name WHEN created THEN only the Pod Identity agent for that cluster may assume the role', () => {
    // GIVEN
    const stack = bareStack();
    // WHEN
    new SparkWorkloadIdentity(stack, 'Identity', { clusterName: 'team-a', roleName: 'team-a-spark-pods' });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'team-a-spark-pods',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnEquals: {
                'aws:SourceArn': {
                  'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':cluster/team-a$')])],
                },
              },
            },
          },
        ],
      },
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('WHEN grantSecretRead THEN read of that one secret, nothing else in Secrets Manager', () => {
    // GIVEN
    const stack = bareStack();
    const identity = new SparkWorkloadIdentity(stack, 'Identity', { clusterName: 'c', roleName: 'r' });
    const secret = new secretsmanager.Secret(stack, 'Secret');
    // WHEN
    identity.grantSecretRead(secret);
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(identity.role.node.defaultChild as CfnElement) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Resource: { Ref: stack.getLogicalId(secret.node.defaultChild as CfnElement) },
          },
        ],
      },
    });
  });
});
