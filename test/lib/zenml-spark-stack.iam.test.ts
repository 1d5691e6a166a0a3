/**
 * The IAM the product promises (README: "What gets provisioned"), asserted exactly on the
 * synthesized stack: each Pod Identity role's whole trust policy (the Pod Identity service only,
 * for this account's named cluster: aws:SourceAccount and aws:SourceArn), every statement of every
 * policy attached to it (actions, resources, conditions: no more, no less), no managed or inline
 * policy besides, and the one service account each role is associated with. A widened action, an
 * extra resource or a dropped condition fails here, not only where cdk-nag happens to flag it.
 */
import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { synth } from './fixtures';

type Json = Record<string, unknown>;

const { stack, template } = synth();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;

const idOf = (c: Construct) =>
  (c.node.defaultChild as CfnElement).stack.getLogicalId(c.node.defaultChild as CfnElement);
const ref = (c: Construct) => ({ Ref: idOf(c) });
const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const partition = { Ref: 'AWS::Partition' };
const region = { Ref: 'AWS::Region' };
const account = { Ref: 'AWS::AccountId' };
const arnIn = (service: string, resource: string) =>
  join('arn:', partition, `:${service}:`, region, ':', account, `:${resource}`);

/** The Pod Identity trust every workload role carries: this account's cluster zenml-spark only. */
const POD_IDENTITY_TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        StringEquals: { 'aws:SourceAccount': account },
        ArnEquals: { 'aws:SourceArn': arnIn('eks', 'cluster/zenml-spark') },
      },
    },
  ],
};

function roleId(roleName: string): string {
  const ids = Object.keys(resources).filter(
    (id) => resources[id].Type === 'AWS::IAM::Role' && resources[id].Properties.RoleName === roleName,
  );
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** Every statement of every AWS::IAM::Policy attached to the role, in template order. */
function statementsOf(id: string): Json[] {
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties.Roles as Json[]).some((x) => JSON.stringify(x) === JSON.stringify({ Ref: id })),
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Json[] }).Statement);
}

/** The namespace/service account each Pod Identity association gives the role to. */
function associationsOf(id: string): string[] {
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::EKS::PodIdentityAssociation' &&
        JSON.stringify(r.Properties.RoleArn) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
    )
    .map((r) => `${r.Properties.Namespace}/${r.Properties.ServiceAccount}`);
}

function expectOnlyTheseRights(roleName: string, trust: Json, statements: Json[], associations: string[]) {
  const id = roleId(roleName);
  const role = resources[id].Properties;
  expect(role.AssumeRolePolicyDocument).toEqual(trust);
  expect(role.ManagedPolicyArns).toBeUndefined();
  expect(role.Policies).toBeUndefined();
  expect(role.PermissionsBoundary).toBeUndefined();
  expect(statementsOf(id)).toEqual(statements);
  expect(associationsOf(id)).toEqual(associations);
}

describe('IAM the product promises, exactly', () => {
  const s = stack as Stack & typeof stack;

  test('Spark role: Pod Identity for spark-namespace/spark-service-account; this bucket read/write, the DB secret read', () => {
    const bucketArn = { 'Fn::GetAtt': [idOf(s.artifactStore.bucket), 'Arn'] };
    expectOnlyTheseRights(
      'zenml-spark-spark-pods',
      POD_IDENTITY_TRUST,
      [
        {
          Effect: 'Allow',
          Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          Resource: bucketArn,
        },
        {
          Effect: 'Allow',
          Action: [
            's3:AbortMultipartUpload',
            's3:DeleteObject',
            's3:GetObject',
            's3:ListMultipartUploadParts',
            's3:PutObject',
          ],
          Resource: join(bucketArn, '/*'),
        },
        {
          Effect: 'Allow',
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          Resource: ref(s.database?.secret as Construct),
        },
      ],
      ['spark-namespace/spark-service-account'],
    );
  });

  test('GIVEN s3AccessKey THEN the Spark role also reads the S3 access-key secret', () => {
    const keyed = synth({ s3AccessKey: true });
    const all = keyed.template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
    const role = Object.keys(all).find(
      (id) => all[id].Type === 'AWS::IAM::Role' && all[id].Properties.RoleName === 'zenml-spark-spark-pods',
    );
    const statements = Object.values(all)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles ?? []).includes(`"${role}"`),
      )
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Json[] }).Statement);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      // CDK merges the two secret reads into one statement.
      Resource: [
        ref(keyed.stack.database?.secret as Construct),
        ref(keyed.stack.s3Authentication?.secret as Construct),
      ],
    });
  });

  test('ZenML server role: the zenml/* secrets store, its two secrets, rds-db:connect as zenml_server only', () => {
    const server = s.zenmlServer as NonNullable<typeof s.zenmlServer>;
    expectOnlyTheseRights(
      'zenml-spark-zenml-server',
      POD_IDENTITY_TRUST,
      [
        {
          Sid: 'ZenmlSecretsStore',
          Effect: 'Allow',
          Action: [
            'secretsmanager:CreateSecret',
            'secretsmanager:DeleteSecret',
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:TagResource',
          ],
          Resource: arnIn('secretsmanager', 'secret:zenml/*'),
        },
        {
          Sid: 'LauncherSecrets',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: [ref(server.adminSecret), ref(server.jwtSecret)],
        },
        {
          Effect: 'Allow',
          Action: 'rds-db:connect',
          Resource: join(
            'arn:',
            partition,
            ':rds-db:',
            region,
            ':',
            account,
            ':dbuser:',
            { 'Fn::GetAtt': [idOf(s.database?.instance as Construct), 'DbiResourceId'] },
            '/zenml_server',
          ),
        },
      ],
      ['zenml/zenml-server'],
    );
  });

  test('ZenML database bootstrap role: reads the RDS master secret, nothing else', () => {
    expectOnlyTheseRights(
      'zenml-spark-zenml-db-bootstrap',
      POD_IDENTITY_TRUST,
      [
        {
          Sid: 'MasterCredentials',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: ref(s.database?.secret as Construct),
        },
      ],
      ['zenml/zenml-db-bootstrap'],
    );
  });

  test('cluster autoscaler role: describes on *, this cluster node groups, resize of the Spark pool only', () => {
    const sparkPool = s.cluster?.sparkNodegroup as unknown as Construct;
    expectOnlyTheseRights(
      'zenml-spark-cluster-autoscaler',
      POD_IDENTITY_TRUST,
      [
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
          Resource: arnIn('eks', 'nodegroup/zenml-spark/*/*'),
        },
        {
          Sid: 'ResizeOnlyTheSparkPool',
          Effect: 'Allow',
          Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
          Resource: arnIn('autoscaling', 'autoScalingGroup:*:autoScalingGroupName/eks-*'),
          Condition: {
            StringEquals: {
              'aws:ResourceTag/k8s.io/cluster-autoscaler/zenml-spark': 'owned',
              'aws:ResourceTag/eks:nodegroup-name': { 'Fn::GetAtt': [idOf(sparkPool), 'NodegroupName'] },
            },
          },
        },
      ],
      ['kube-system/cluster-autoscaler'],
    );
  });

  test('the node role: only the three AWS policies EKS requires, no inline or attached policy of ours', () => {
    const nodeRoles = Object.entries(resources).filter(
      ([, r]) =>
        r.Type === 'AWS::IAM::Role' &&
        JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('"ec2.amazonaws.com"'),
    );
    expect(nodeRoles).toHaveLength(1);
    const [id, role] = nodeRoles[0];
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(role.Properties.ManagedPolicyArns).toEqual(
      ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly'].map((p) =>
        join('arn:', partition, `:iam::aws:policy/${p}`),
      ),
    );
    expect(statementsOf(id)).toEqual([]);
  });

  test('no other role can be assumed by a pod: every pods.eks.amazonaws.com trust is one of the four above or the history server role (asserted exactly in spark-history-identity.test.ts)', () => {
    const podRoles = Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Role' &&
          JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('pods.eks.amazonaws.com'),
      )
      .map((r) => r.Properties.RoleName)
      .sort();
    expect(podRoles).toEqual([
      'zenml-spark-cluster-autoscaler',
      'zenml-spark-spark-history',
      'zenml-spark-spark-pods',
      'zenml-spark-zenml-db-bootstrap',
      'zenml-spark-zenml-server',
    ]);
  });
});
