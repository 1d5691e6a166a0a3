/**
 * The Spark History Server's AWS side: its own Pod Identity role, scoped exactly to the event-log
 * prefix; the Spark role's grants unchanged (the prefix is inside what it already writes); the
 * lifecycle backstop; and the off switch.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { synth } from './fixtures';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON, read field by field
type Resources = Record<string, { Type: string; Properties: any }>;
const resources = (t: Template) => t.toJSON().Resources as Resources;

function roleId(t: Template, nameSuffix: string): string | undefined {
  return Object.entries(resources(t)).find(
    ([, r]) =>
      r.Type === 'AWS::IAM::Role' && JSON.stringify(r.Properties.RoleName ?? '').endsWith(`${nameSuffix}"`),
  )?.[0];
}

// biome-ignore lint/suspicious/noExplicitAny: IAM statements
function statementsOf(t: Template, id: string): any[] {
  return Object.values(resources(t))
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties.Roles as Array<{ Ref: string }>).some((ref) => ref.Ref === id),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const bucketRef = (t: Template) =>
  Object.entries(resources(t)).find(
    ([, r]) =>
      r.Type === 'AWS::S3::Bucket' && r.Properties.LoggingConfiguration?.LogFilePrefix === 'artifacts/',
  )?.[0] as string;

describe('Spark History Server identity', () => {
  test('GIVEN defaults THEN its role may list, read and delete under spark-events/, write its directory marker, and do nothing else', () => {
    const { template } = synth();
    const id = roleId(template, '-spark-history') as string;
    expect(id).toBeDefined();
    const bucket = bucketRef(template);
    expect(statementsOf(template, id)).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [bucket, 'Arn'] },
        Condition: { StringLike: { 's3:prefix': ['spark-events/', 'spark-events/*'] } },
      },
      {
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:GetObject'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/spark-events/*']] },
      },
      {
        // The directory marker only (the init container's mkdir): the exact key, no wildcard.
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/spark-events/']] },
      },
    ]);
  });

  test('Noncompliance: no statement of its role reaches beyond the prefix or adds an action', () => {
    // A guard that fails on any broader resource (the bucket's objects, *, another bucket) or a
    // write/tagging/ACL action, whatever shape the statements take.
    const { template } = synth({ sparkEventLogPrefix: 'team-a/events/' });
    const id = roleId(template, '-spark-history') as string;
    const allowed = new Set(['s3:ListBucket', 's3:GetObject', 's3:DeleteObject', 's3:PutObject']);
    for (const s of statementsOf(template, id)) {
      const actions = [s.Action].flat();
      for (const a of actions) expect(allowed.has(a)).toBe(true);
      const resourcesText = JSON.stringify(s.Resource);
      if (actions.includes('s3:ListBucket')) {
        expect(s.Condition).toEqual({ StringLike: { 's3:prefix': ['team-a/events/', 'team-a/events/*'] } });
      } else if (actions.includes('s3:PutObject')) {
        expect(actions).toEqual(['s3:PutObject']);
        expect(resourcesText).toMatch(/"\/team-a\/events\/"\]\]\}$/);
      } else {
        expect(resourcesText).toMatch(/"\/team-a\/events\/\*"\]\]\}$/);
      }
      expect(resourcesText).not.toMatch(/"\/\*"|"\*"/);
    }
  });

  test('trusted by Pod Identity for this cluster only, associated with spark-history/spark-history-server', () => {
    const { template } = synth();
    const id = roleId(template, '-spark-history') as string;
    const trust = resources(template)[id].Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Principal).toEqual({ Service: 'pods.eks.amazonaws.com' });
    expect(trust.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(Object.keys(trust.Condition).sort()).toEqual(['ArnEquals', 'StringEquals']);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'spark-history',
      ServiceAccount: 'spark-history-server',
      RoleArn: { 'Fn::GetAtt': [id, 'Arn'] },
    });
  });

  test("the Spark role's S3 grants are unchanged: the event-log prefix is inside its bucket/* (nowhere new)", () => {
    const { template } = synth();
    const id = roleId(template, '-spark-pods') as string;
    const s3 = statementsOf(template, id).filter((s) => JSON.stringify(s.Action).includes('s3:'));
    const bucket = bucketRef(template);
    expect(s3.map((s) => s.Resource)).toEqual([
      { 'Fn::GetAtt': [bucket, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] },
    ]);
  });

  test('the bucket expires event logs after 30 days (the backstop of the cleaner), with or without the server', () => {
    for (const sparkHistoryServer of [true, false]) {
      const { template } = synth({ sparkHistoryServer });
      const rules = resources(template)[bucketRef(template)].Properties.LifecycleConfiguration.Rules;
      expect(rules).toContainEqual({
        Id: 'ExpireSparkEventLogs',
        Prefix: 'spark-events/',
        ExpirationInDays: 30,
        Status: 'Enabled',
      });
    }
  });

  test('GIVEN sparkHistoryServer=false THEN no role, no association, no chart; the event-log dir output stays', () => {
    const { template } = synth({ sparkHistoryServer: false });
    expect(roleId(template, '-spark-history')).toBeUndefined();
    const associations = Object.values(resources(template)).filter(
      (r) => r.Type === 'AWS::EKS::PodIdentityAssociation',
    );
    expect(associations.map((a) => a.Properties.Namespace)).not.toContain('spark-history');
    expect(JSON.stringify(template.toJSON())).not.toContain('spark-history-server');
    expect(Object.keys(template.toJSON().Outputs)).toContain('SparkEventLogDir');
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('SparkHistoryNamespace');
  });

  test('GIVEN defaults THEN the kubectl provider applies the chart after the association', () => {
    const { template } = synth();
    const manifests = Object.entries(resources(template)).filter(
      ([, r]) =>
        r.Type === 'Custom::AWSCDK-EKS-KubernetesResource' &&
        JSON.stringify(r.Properties.Manifest).includes('spark-history-server'),
    );
    expect(manifests).toHaveLength(1);
    const [, manifest] = manifests[0] as [string, { DependsOn?: string[]; Properties: unknown }];
    const association = Object.entries(resources(template)).find(
      ([, r]) => r.Type === 'AWS::EKS::PodIdentityAssociation' && r.Properties.Namespace === 'spark-history',
    )?.[0];
    expect(manifest.DependsOn).toContain(association);
    // The server runs the project's image from this stack's ECR repository.
    const text = JSON.stringify(manifest.Properties);
    expect(text).toContain('.dkr.ecr.');
    expect(text).toContain(
      `{"Ref":"${Object.entries(resources(template)).find(([, r]) => r.Type === 'AWS::ECR::Repository')?.[0]}"}`,
    );
  });

  test("its role's description names the service account it is for", () => {
    const { template } = synth();
    const id = roleId(template, '-spark-history') as string;
    expect(resources(template)[id].Properties.Description).toMatch(/spark-history\/spark-history-server/);
  });
});
