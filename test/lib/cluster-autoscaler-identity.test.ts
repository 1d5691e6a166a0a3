import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClusterAutoscalerIdentity } from '../../lib/cluster-autoscaler-identity';
import { bareStack } from './bare-stack';

function build() {
  const stack = bareStack();
  const identity = new ClusterAutoscalerIdentity(stack, 'Autoscaler', {
    clusterName: 'demo-cluster',
    scalableNodegroupName: 'demo-spark-nodes',
    roleName: 'demo-cluster-autoscaler',
  });
  return { stack, identity, template: Template.fromStack(stack) };
}

const arn = (suffix: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${suffix.split(':')[0]}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${suffix.split(':').slice(1).join(':')}`,
    ],
  ],
});

describe('ClusterAutoscalerIdentity', () => {
  test('GIVEN the construct WHEN synthesized THEN the role trusts only the Pod Identity agent of this cluster', () => {
    const { template } = build();
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.RoleName).toBe('demo-cluster-autoscaler');
    expect(roles[0].Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          // Pod Identity tags the session, so sts:TagSession comes with sts:AssumeRole.
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnEquals: { 'aws:SourceArn': arn('eks:cluster/demo-cluster') },
          },
        },
      ],
    });
    expect(roles[0].Properties.ManagedPolicyArns).toBeUndefined();
    expect(roles[0].Properties.Policies).toBeUndefined();
  });

  test('THEN its one policy is exactly: describes on * (no resource-level permissions), this cluster node groups, resize of the Spark pool only', () => {
    const { template } = build();
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^AutoscalerRole/) }]);
    expect(policies[0].Properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DescribeWithoutResourceLevelPermissions',
          Effect: 'Allow',
          Action: [
            'autoscaling:DescribeAutoScalingGroups',
            'autoscaling:DescribeAutoScalingInstances',
            'autoscaling:DescribeScalingActivities',
            'autoscaling:DescribeTags',
            'ec2:DescribeImages',
            'ec2:DescribeInstanceTypes',
            'ec2:DescribeLaunchTemplateVersions',
          ],
          Resource: '*',
        },
        {
          Sid: 'ReadThisClustersNodegroups',
          Effect: 'Allow',
          Action: 'eks:DescribeNodegroup',
          Resource: arn('eks:nodegroup/demo-cluster/*/*'),
        },
        {
          Sid: 'ResizeOnlyTheSparkPool',
          Effect: 'Allow',
          Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
          Resource: arn('autoscaling:autoScalingGroup:*:autoScalingGroupName/eks-*'),
          Condition: {
            StringEquals: {
              'aws:ResourceTag/k8s.io/cluster-autoscaler/demo-cluster': 'owned',
              'aws:ResourceTag/eks:nodegroup-name': 'demo-spark-nodes',
            },
          },
        },
      ],
    });
  });

  test('THEN no action wildcard, and no write action without both tag conditions', () => {
    const { template } = build();
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    ) as { Action: string | string[]; Resource: unknown; Condition?: unknown }[];
    for (const st of statements) {
      for (const action of [st.Action].flat()) {
        expect(action).not.toContain('*');
        if (!/:(Describe|Get|List)/.test(action)) expect(st.Condition).toBeDefined();
      }
    }
  });

  test('THEN cdk-nag finds nothing unacknowledged; each wildcard is acknowledged on its own', () => {
    const { stack } = build();
    const report = new AwsSolutionsChecks(stack.node.root as never).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });
});
