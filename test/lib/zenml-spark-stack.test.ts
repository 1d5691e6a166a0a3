import { Match } from 'aws-cdk-lib/assertions';
import { DEPLOYMENT_TAG, PROJECT_TAG } from '../../lib/settings/names';
import { OPTIONAL_OUTPUTS, OUTPUT_KEYS, type OutputName } from '../../lib/settings/outputs';
import { synth } from './fixtures';

describe('ZenmlSparkStack', () => {
  test('outputs: every documented output, with the s3 secret only when s3AccessKey is on', () => {
    const optional = OPTIONAL_OUTPUTS.filter((k) => k !== 's3SecretArn');
    const always = (Object.keys(OUTPUT_KEYS) as OutputName[]).filter((k) => !OPTIONAL_OUTPUTS.includes(k));
    const outputs = Object.keys(synth().template.toJSON().Outputs);
    // The defaults run the in-cluster server: its outputs and the database's are all there.
    expect(outputs.sort()).toEqual([...always, ...optional].map((k) => OUTPUT_KEYS[k]).sort());
    const own = Object.keys(
      synth({
        zenmlServer: false,
        zenmlServerUrl: 'https://z.example.com',
        sparkHistoryServer: false,
      }).template.toJSON().Outputs,
    );
    expect(own.sort()).toEqual(always.map((k) => OUTPUT_KEYS[k]).sort());
    expect(Object.keys(synth({ s3AccessKey: true }).template.toJSON().Outputs)).toContain(
      OUTPUT_KEYS.s3SecretArn,
    );
  });

  test("outputs: the registry host ZenML logs in to is this account and region's ECR", () => {
    expect(synth().template.toJSON().Outputs[OUTPUT_KEYS.containerRegistryUri].Value).toEqual({
      'Fn::Join': [
        '',
        [{ Ref: 'AWS::AccountId' }, '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }],
      ],
    });
  });

  test('MySQL admits the EKS cluster security group, with a description saying so', () => {
    const ingress = Object.values(
      synth().template.findResources('AWS::EC2::SecurityGroupIngress', {
        Properties: { FromPort: 3306, SourceSecurityGroupId: Match.anyValue() },
      }),
    );
    expect(ingress).toHaveLength(1);
    expect(ingress[0].Properties.Description).toBe('MySQL from the EKS cluster');
    expect(JSON.stringify(ingress[0].Properties.SourceSecurityGroupId)).toContain('ClusterSecurityGroupId');
  });

  test('outputs: k8s:// master URL, s3:// path and the update-kubeconfig command', () => {
    const { template } = synth();
    template.hasOutput(OUTPUT_KEYS.sparkMasterUrl, {
      Value: {
        'Fn::Join': ['', ['k8s://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^SparkCluster'), 'Endpoint'] }]],
      },
    });
    template.hasOutput(OUTPUT_KEYS.artifactStorePath, {
      Value: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^ArtifactStoreBucket') }]] },
    });
    template.hasOutput(OUTPUT_KEYS.updateKubeconfigCommand, {
      Value: {
        'Fn::Join': [
          '',
          ['aws eks update-kubeconfig --region ', { Ref: 'AWS::Region' }, ' --name zenml-spark'],
        ],
      },
    });
    template.hasOutput(OUTPUT_KEYS.sparkNamespace, { Value: 'spark-namespace' });
    template.hasOutput(OUTPUT_KEYS.sparkServiceAccount, { Value: 'spark-service-account' });
  });

  test('every taggable resource carries the project and deployment tags', () => {
    const resources = synth({ deploymentId: 'team-a-dev' }).template.toJSON().Resources as Record<
      string,
      { Type: string; Properties?: { Tags?: unknown } }
    >;
    const tagged = Object.values(resources).filter((r) => r.Properties?.Tags !== undefined);
    expect(tagged.length).toBeGreaterThan(30);
    for (const r of tagged) {
      const tags = r.Properties?.Tags;
      const asMap = Array.isArray(tags)
        ? Object.fromEntries((tags as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]))
        : (tags as Record<string, string>);
      expect([r.Type, asMap[PROJECT_TAG], asMap[DEPLOYMENT_TAG]]).toEqual([
        r.Type,
        'zenml-spark-eks',
        'team-a-dev',
      ]);
    }
    for (const type of [
      'AWS::EC2::VPC',
      'AWS::S3::Bucket',
      'AWS::RDS::DBInstance',
      'AWS::EKS::Cluster',
      'AWS::ECR::Repository',
    ]) {
      expect(tagged.map((r) => r.Type)).toContain(type);
    }
  });

  test('no secret value in the template: only generated secrets and deploy-time references', () => {
    for (const settings of [{}, { s3AccessKey: true }]) {
      const json = JSON.stringify(synth(settings).template.toJSON());
      expect(json).not.toMatch(/"SecretString":"[^"{]/);
      expect(json).not.toMatch(/AKIA[0-9A-Z]{16}/);
      expect(json).not.toMatch(/"(MasterUserPassword|Password)":"/);
    }
  });

  test('destroy mode leaves nothing behind: every log group, bucket, repository and DB is deleted', () => {
    const resources = synth().template.toJSON().Resources as Record<
      string,
      { Type: string; DeletionPolicy?: string }
    >;
    const stateful = Object.entries(resources).filter(([, r]) =>
      [
        'AWS::Logs::LogGroup',
        'AWS::S3::Bucket',
        'AWS::ECR::Repository',
        'AWS::RDS::DBInstance',
        'AWS::KMS::Key',
      ].includes(r.Type),
    );
    expect(stateful.length).toBeGreaterThan(8);
    for (const [id, r] of stateful) expect([id, r.DeletionPolicy]).toEqual([id, 'Delete']);
  });

  test('every Lambda function logs to a log group the stack owns', () => {
    const resources = synth().template.toJSON().Resources as Record<
      string,
      {
        Type: string;
        Properties: { LoggingConfig?: { LogGroup?: { Ref?: string } }; LogGroupName?: unknown };
      }
    >;
    const groups = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
    const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(4);
    for (const [id, fn] of functions) {
      const explicit = fn.Properties.LoggingConfig?.LogGroup?.Ref;
      const byName = groups.find(([, g]) =>
        JSON.stringify(g.Properties.LogGroupName ?? '').includes(`{"Ref":"${id}"}`),
      );
      expect([id, explicit !== undefined || byName !== undefined]).toEqual([id, true]);
    }
  });

  test('the database and the cluster do not wait on each other', () => {
    const resources = synth().template.toJSON().Resources as Record<
      string,
      { Type: string; DependsOn?: string[] }
    >;
    const refsOf = (id: string, seen = new Set<string>()): Set<string> => {
      const r = resources[id] as unknown as Record<string, unknown>;
      for (const m of JSON.stringify(r).matchAll(/"(?:Ref|Fn::GetAtt)":\["?([A-Za-z0-9]+)/g)) {
        if (resources[m[1]] && !seen.has(m[1])) {
          seen.add(m[1]);
          refsOf(m[1], seen);
        }
      }
      for (const d of [resources[id].DependsOn ?? []].flat()) {
        if (!seen.has(d)) {
          seen.add(d);
          refsOf(d, seen);
        }
      }
      return seen;
    };
    const idOf = (type: string) => Object.keys(resources).find((k) => resources[k].Type === type) as string;
    expect(refsOf(idOf('AWS::RDS::DBInstance')).has(idOf('AWS::EKS::Cluster'))).toBe(false);
    expect(refsOf(idOf('AWS::EKS::Cluster')).has(idOf('AWS::RDS::DBInstance'))).toBe(false);
    for (const nodegroup of Object.keys(resources).filter(
      (k) => resources[k].Type === 'AWS::EKS::Nodegroup',
    )) {
      expect(refsOf(nodegroup).has(idOf('AWS::RDS::DBInstance'))).toBe(false);
    }
  });

  test('the cluster autoscaler: its Pod Identity role for kube-system/cluster-autoscaler, scoped to the Spark pool', () => {
    const { template } = synth();
    const associations = template.findResources('AWS::EKS::PodIdentityAssociation', {
      Properties: { Namespace: 'kube-system', ServiceAccount: 'cluster-autoscaler' },
    });
    expect(Object.keys(associations)).toHaveLength(1);
    const [associationId, association] = Object.entries(associations)[0];
    const roleId = association.Properties.RoleArn['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[roleId].Properties.RoleName).toBe('zenml-spark-cluster-autoscaler');
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId),
    );
    const resize = policy?.Properties.PolicyDocument.Statement.find(
      (st: { Sid: string }) => st.Sid === 'ResizeOnlyTheSparkPool',
    );
    const spark = Object.entries(template.findResources('AWS::EKS::Nodegroup')).find(
      ([, r]) => r.Properties.Labels['zenml-spark-eks/pool'] === 'spark',
    ) as [string, unknown];
    expect(resize.Condition.StringEquals['aws:ResourceTag/eks:nodegroup-name']).toEqual({
      'Fn::GetAtt': [spark[0], 'NodegroupName'],
    });

    // Applied at deploy, after the association exists: Pod Identity injects credentials at pod creation.
    const [, manifest] = Object.entries(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).find(
      ([, m]) => JSON.stringify(m.Properties.Manifest).includes('cluster-autoscaler'),
    ) as [string, { DependsOn: string[]; Properties: { Manifest: unknown } }];
    expect(manifest.DependsOn).toContain(associationId);
    expect(JSON.stringify(manifest.Properties.Manifest)).toContain(
      'registry.k8s.io/autoscaling/cluster-autoscaler:v1.36.1',
    );
  });

  test('applyKubernetesManifests=false: the role and association stay, the manifest is for the user to apply (dist/)', () => {
    const { template } = synth({ applyKubernetesManifests: false });
    template.resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 0);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      ServiceAccount: 'cluster-autoscaler',
    });
  });

  test('emulator build leaves out only what the local emulator cannot run', () => {
    const resources = synth({ emulator: true }).template.toJSON().Resources as Record<
      string,
      { Type: string }
    >;
    const types = new Set(Object.values(resources).map((r) => r.Type));
    for (const t of types) expect(t).not.toMatch(/^(AWS::EKS::|Custom::|AWS::Lambda::)/);
    // The autoscaler's role goes with the cluster.
    expect(JSON.stringify(resources)).not.toContain('cluster-autoscaler');
    for (const kept of [
      'AWS::S3::Bucket',
      'AWS::ECR::Repository',
      'AWS::RDS::DBInstance',
      'AWS::IAM::Role',
      'AWS::EC2::VPC',
    ]) {
      expect(types).toContain(kept);
    }
  });
});
