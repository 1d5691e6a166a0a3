/**
 * The in-cluster ZenML server's AWS side: its two generated secrets, the exact policy documents of
 * its two Pod Identity roles in both database modes, the associations, and how the stack applies
 * the chart (after CoreDNS and the associations), plus zenmlServer=false (no server, no database).
 */

import { Match, type Template } from 'aws-cdk-lib/assertions';
import { CONFIG_MAP_NAME } from '../../k8s/zenml-server-chart';
import { OUTPUT_KEYS } from '../../lib/settings/outputs';
import { ZENML_SECRETS_STORE_PREFIX } from '../../lib/settings/zenml';
import { deployTimeManifests } from '../../scripts/verify/kube/deploy-time-manifests';
import { synth } from './fixtures';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;

const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const partition = { Ref: 'AWS::Partition' };
const region = { Ref: 'AWS::Region' };
const account = { Ref: 'AWS::AccountId' };

function resources(t: Template): Resources {
  return t.toJSON().Resources as Resources;
}

function byPrefix(t: Template, type: string, prefix: string): [string, Resources[string]] {
  const found = Object.entries(resources(t)).filter(([id, r]) => r.Type === type && id.startsWith(prefix));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0];
}

/** The policy document attached to a role (its DefaultPolicy). */
function policyOf(t: Template, roleId: string): unknown {
  const policies = Object.values(resources(t)).filter(
    (r) =>
      r.Type === 'AWS::IAM::Policy' &&
      (r.Properties.Roles as Array<{ Ref: string }>).some((ref) => ref.Ref === roleId),
  );
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument;
}

const TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        StringEquals: { 'aws:SourceAccount': account },
        ArnEquals: {
          'aws:SourceArn': join('arn:', partition, ':eks:', region, ':', account, ':cluster/zenml-spark'),
        },
      },
    },
  ],
};

const SECRETS_STORE_STATEMENT = {
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
  Resource: join(
    'arn:',
    partition,
    ':secretsmanager:',
    region,
    ':',
    account,
    `:secret:${ZENML_SECRETS_STORE_PREFIX}*`,
  ),
};

describe('ZenmlServer (zenmlDatabaseAuth=iam, the default)', () => {
  const { template } = synth();
  const [serverRoleId, serverRole] = byPrefix(template, 'AWS::IAM::Role', 'ZenmlServerServerIdentity');
  const [bootstrapRoleId, bootstrapRole] = byPrefix(
    template,
    'AWS::IAM::Role',
    'ZenmlServerBootstrapIdentity',
  );
  const [adminId] = byPrefix(template, 'AWS::SecretsManager::Secret', 'ZenmlServerAdminCredentials');
  const [jwtId] = byPrefix(template, 'AWS::SecretsManager::Secret', 'ZenmlServerJwtSigningKey');
  const [dbId] = byPrefix(template, 'AWS::RDS::DBInstance', 'MetadataDatabaseInstance');
  const [rdsSecretId] = byPrefix(template, 'AWS::SecretsManager::Secret', 'MetadataDatabaseCredentials');

  test('both roles trust only Pod Identity for this account and cluster, with session tags', () => {
    expect(serverRole.Properties.AssumeRolePolicyDocument).toEqual(TRUST);
    expect(bootstrapRole.Properties.AssumeRolePolicyDocument).toEqual(TRUST);
    expect(serverRole.Properties.RoleName).toBe('zenml-spark-zenml-server');
    expect(bootstrapRole.Properties.RoleName).toBe('zenml-spark-zenml-db-bootstrap');
    expect(serverRole.Properties.ManagedPolicyArns).toBeUndefined();
    expect(bootstrapRole.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test("the server's policy, exactly: secrets store on zenml/*, its two secrets, rds-db:connect as zenml_server", () => {
    expect(policyOf(template, serverRoleId)).toEqual({
      Version: '2012-10-17',
      Statement: [
        SECRETS_STORE_STATEMENT,
        {
          Sid: 'LauncherSecrets',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: [{ Ref: adminId }, { Ref: jwtId }],
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
            { 'Fn::GetAtt': [dbId, 'DbiResourceId'] },
            '/zenml_server',
          ),
        },
      ],
    });
  });

  test("the bootstrap Job's policy, exactly: read the RDS master secret, nothing else", () => {
    expect(policyOf(template, bootstrapRoleId)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'MasterCredentials',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: rdsSecretId },
        },
      ],
    });
  });

  test('secrets generated by Secrets Manager at deploy: no value in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'zenml-spark/zenml-server-admin',
      GenerateSecretString: {
        SecretStringTemplate: '{"username":"admin"}',
        GenerateStringKey: 'password',
        PasswordLength: 32,
        ExcludePunctuation: true,
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'zenml-spark/zenml-server-jwt',
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    for (const r of Object.values(resources(template)).filter(
      (x) => x.Type === 'AWS::SecretsManager::Secret',
    )) {
      expect(r.Properties.SecretString).toBeUndefined();
    }
  });

  test('Pod Identity associates each role with its own service account in namespace zenml', () => {
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'zenml',
      ServiceAccount: 'zenml-server',
      RoleArn: { 'Fn::GetAtt': [serverRoleId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'zenml',
      ServiceAccount: 'zenml-db-bootstrap',
      RoleArn: { 'Fn::GetAtt': [bootstrapRoleId, 'Arn'] },
    });
  });

  test('the chart is applied after CoreDNS and both associations, with the database endpoint filled in', () => {
    // The ZenML server's manifest: the kubectl-provider resource that carries its ConfigMap.
    const manifests = Object.entries(resources(template)).filter(
      ([, r]) =>
        r.Type === 'Custom::AWSCDK-EKS-KubernetesResource' &&
        JSON.stringify(r.Properties.Manifest).includes(CONFIG_MAP_NAME),
    );
    expect(manifests).toHaveLength(1);
    const [, server] = manifests[0];
    const associations = Object.entries(resources(template))
      .filter(
        ([, r]) =>
          r.Type === 'AWS::EKS::PodIdentityAssociation' && String(r.Properties.Namespace) === 'zenml',
      )
      .map(([id]) => id);
    expect(server.DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/^SparkClusterCoreDnsAddon/), ...associations]),
    );
    const [objects] = deployTimeManifests({
      Resources: { X: server } as never,
    }).map((m) => m.objects);
    expect(objects.map((o) => `${o.kind}/${(o.metadata as { name: string }).name}`)).toEqual([
      'Namespace/zenml',
      'ServiceAccount/zenml-server',
      'ConfigMap/zenml-server-files',
      'Deployment/zenml-server',
      'Service/zenml-server',
      'ServiceAccount/zenml-db-bootstrap',
      expect.stringMatching(/^Job\/zenml-db-bootstrap-[0-9a-f]{10}$/),
    ]);
    const text = JSON.stringify(server.Properties.Manifest);
    expect(text).toContain(`"Fn::GetAtt":["${dbId}","Endpoint.Address"]`);
  });

  test('outputs: the in-cluster URL step pods use, the namespace and the admin secret', () => {
    template.hasOutput(OUTPUT_KEYS.zenmlServerUrl, { Value: 'http://zenml-server.zenml.svc:8080' });
    template.hasOutput(OUTPUT_KEYS.zenmlServerNamespace, { Value: 'zenml' });
    template.hasOutput(OUTPUT_KEYS.zenmlAdminSecretArn, { Value: { Ref: adminId } });
  });

  test('a region-agnostic template refuses, before creating anything, a region without an RDS root', () => {
    const rule = template.toJSON().Rules?.RdsRootCaRegion;
    expect(rule.Assertions[0].Assert['Fn::Contains'][0]).toHaveLength(27);
    expect(rule.Assertions[0].Assert['Fn::Contains'][1]).toEqual(region);
    expect(synth({ region: 'eu-west-1' }).template.toJSON().Rules?.RdsRootCaRegion).toBeUndefined();
  });
});

describe('ZenmlServer (zenmlDatabaseAuth=password)', () => {
  const { template } = synth({ zenmlDatabaseAuth: 'password' });
  const [serverRoleId] = byPrefix(template, 'AWS::IAM::Role', 'ZenmlServerServerIdentity');
  const [adminId] = byPrefix(template, 'AWS::SecretsManager::Secret', 'ZenmlServerAdminCredentials');
  const [jwtId] = byPrefix(template, 'AWS::SecretsManager::Secret', 'ZenmlServerJwtSigningKey');
  const [rdsSecretId] = byPrefix(template, 'AWS::SecretsManager::Secret', 'MetadataDatabaseCredentials');

  test('the server reads the master secret instead of connecting by IAM; no bootstrap role or Job', () => {
    expect(policyOf(template, serverRoleId)).toEqual({
      Version: '2012-10-17',
      Statement: [
        SECRETS_STORE_STATEMENT,
        {
          Sid: 'LauncherSecrets',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: [{ Ref: rdsSecretId }, { Ref: adminId }, { Ref: jwtId }],
        },
      ],
    });
    expect(
      Object.keys(resources(template)).filter((id) => id.startsWith('ZenmlServerBootstrapIdentity')),
    ).toEqual([]);
    template.resourcePropertiesCountIs('AWS::EKS::PodIdentityAssociation', { Namespace: 'zenml' }, 1);
  });
});

describe('zenmlServer=false', () => {
  const { template } = synth({ zenmlServer: false, zenmlServerUrl: 'https://zenml.example.com' });

  test('neither the server nor the database exists; the registration target is your URL', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(Object.keys(resources(template)).filter((id) => /Zenml/.test(id))).toEqual([]);
    template.resourcePropertiesCountIs('AWS::EKS::PodIdentityAssociation', { Namespace: 'zenml' }, 0);
    template.hasOutput(OUTPUT_KEYS.zenmlServerUrl, { Value: 'https://zenml.example.com' });
    const outputs = Object.keys(template.toJSON().Outputs);
    for (const key of ['DatabaseEndpoint', 'RdsAuthenticationSecretArn', 'ZenmlServerNamespace']) {
      expect(outputs).not.toContain(key);
    }
    // The Spark role no longer reads a database secret that does not exist.
    template.hasResourceProperties(
      'AWS::IAM::Role',
      Match.objectLike({ RoleName: 'zenml-spark-spark-pods' }),
    );
  });
});
