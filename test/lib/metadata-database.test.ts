import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { MetadataDatabase, type MetadataDatabaseProps } from '../../lib/metadata-database';
import { removalBehaviour } from '../../lib/removal';
import { bareStack } from './bare-stack';
import { idsOfType, synth } from './fixtures';

const dbInstance = (settings = {}) =>
  Object.values(synth(settings).template.findResources('AWS::RDS::DBInstance'))[0];

describe('MetadataDatabase', () => {
  test('MySQL 8.4 of the configured class, in the isolated subnets, not publicly accessible', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'mysql',
      EngineVersion: '8.4.10',
      DBInstanceClass: 'db.t4g.micro',
      PubliclyAccessible: false,
    });
    const subnetGroup = Object.values(template.findResources('AWS::RDS::DBSubnetGroup'))[0];
    const isolated = idsOfType(template, 'AWS::EC2::Subnet').filter((id) => id.includes('Database'));
    expect(subnetGroup.Properties.SubnetIds).toEqual(isolated.map((id) => ({ Ref: id })));
  });

  test('storage encrypted and automated backups on', () => {
    expect(dbInstance().Properties).toMatchObject({ StorageEncrypted: true, BackupRetentionPeriod: 7 });
  });

  test('generated master credentials in Secrets Manager: rds_authentication, nothing literal in the template', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'zenml-spark/rds_authentication',
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: 'password',
        SecretStringTemplate: JSON.stringify({ username: 'zenml', dbname: 'zenml' }),
      }),
    });
    const props = dbInstance().Properties;
    expect(JSON.stringify(props.MasterUserPassword)).toMatch(
      /\{\{resolve:secretsmanager:.*:SecretString:password::\}\}/,
    );
    // host, port and engine are added to the same secret once the instance exists.
    template.resourceCountIs('AWS::SecretsManager::SecretTargetAttachment', 1);
  });

  test('own security group: 3306 only, from the EKS cluster security group, no egress', () => {
    const { template } = synth();
    const groups = template.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('ZenML metadata MySQL') },
    });
    const [groupId, group] = Object.entries(groups)[0];
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    expect(group.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' }),
    ]);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) =>
      JSON.stringify(r.Properties.GroupId).includes(groupId),
    );
    expect(ingress).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          FromPort: 3306,
          ToPort: 3306,
          SourceSecurityGroupId: {
            'Fn::GetAtt': [expect.stringMatching(/^SparkCluster/), 'ClusterSecurityGroupId'],
          },
        }),
      }),
    ]);
  });

  test('configured CIDRs are admitted on 3306 and nothing else', () => {
    const { template } = synth({ mysqlAllowedCidrs: ['10.99.0.0/16'] });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('ZenML metadata MySQL'),
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.99.0.0/16', FromPort: 3306, ToPort: 3306 })],
    });
  });

  test('destroy mode: no deletion protection, no final snapshot, automated backups deleted', () => {
    const db = dbInstance();
    expect(db.DeletionPolicy).toBe('Delete');
    expect(db.Properties).toMatchObject({ DeletionProtection: false, DeleteAutomatedBackups: true });
  });

  test('retain mode: deletion protection and a final snapshot', () => {
    const db = dbInstance({ removalMode: 'retain' });
    expect(db.DeletionPolicy).toBe('Snapshot');
    expect(db.Properties).toMatchObject({ DeletionProtection: true, DeleteAutomatedBackups: false });
  });

  test.each([
    ['destroy', 'Delete'],
    ['retain', 'Retain'],
  ])(
    '[issue 14 kind 7] removalMode=%s: rds_authentication goes with the final snapshot it holds the password of (%s)',
    (mode, policy) => {
      const secrets = synth({ removalMode: mode }).template.findResources('AWS::SecretsManager::Secret', {
        Properties: { Name: 'zenml-spark/rds_authentication' },
      });
      expect(Object.values(secrets).map((r) => [r.DeletionPolicy, r.UpdateReplacePolicy])).toEqual([
        [policy, policy],
      ]);
    },
  );

  test('exported engine logs go to log groups the stack creates before the instance', () => {
    const { template } = synth();
    const db = dbInstance();
    expect(db.Properties.EnableCloudwatchLogsExports).toEqual(['error', 'slowquery']);
    for (const type of ['error', 'slowquery']) {
      const groups = template.findResources('AWS::Logs::LogGroup', {
        Properties: { LogGroupName: `/aws/rds/instance/zenml-spark-metadata/${type}` },
      });
      expect(db.DependsOn).toEqual(expect.arrayContaining(Object.keys(groups)));
      expect(Object.keys(groups)).toHaveLength(1);
    }
  });
});

describe('MetadataDatabase in a bare Stack', () => {
  const props = (stack: Stack, overrides: Partial<MetadataDatabaseProps> = {}): MetadataDatabaseProps => ({
    vpc: new ec2.Vpc(stack, 'Vpc', {
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'Database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    }),
    instanceClass: 'db.t4g.medium',
    engineVersion: '8.4.10',
    allocatedStorageGiB: 50,
    instanceIdentifier: 'team-metadata',
    databaseName: 'zenml',
    username: 'zenml',
    secretName: 'team/rds_authentication',
    allowedCidrs: [],
    removal: removalBehaviour('destroy'),
    ...overrides,
  });

  test('GIVEN class, version, storage and identifier WHEN created THEN the instance has exactly those', () => {
    // GIVEN
    const stack = bareStack();
    // WHEN
    new MetadataDatabase(stack, 'Db', props(stack));
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'mysql',
      EngineVersion: '8.4.10',
      DBInstanceClass: 'db.t4g.medium',
      DBInstanceIdentifier: 'team-metadata',
      DBName: 'zenml',
      AllocatedStorage: '50',
      StorageType: 'gp3',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      MultiAZ: false,
      EnableIAMDatabaseAuthentication: true,
      Port: '3306',
      CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    });
  });

  test('GIVEN a secret name WHEN created THEN generated credentials under that name, without URL-breaking characters', () => {
    const stack = bareStack();
    new MetadataDatabase(stack, 'Db', props(stack));
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'team/rds_authentication',
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: 'password',
        ExcludeCharacters: Match.stringLikeRegexp('[@]'),
        SecretStringTemplate: JSON.stringify({ username: 'zenml', dbname: 'zenml' }),
      }),
    });
  });

  test('GIVEN the identifier WHEN created THEN its error and slow-query log groups are named for it', () => {
    const stack = bareStack();
    new MetadataDatabase(stack, 'Db', props(stack));
    const template = Template.fromStack(stack);
    for (const type of ['error', 'slowquery']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/rds/instance/team-metadata/${type}`,
        RetentionInDays: 30,
      });
    }
  });

  test('GIVEN allowed CIDRs WHEN created THEN each is admitted on 3306 only, and egress is closed', () => {
    const stack = bareStack();
    new MetadataDatabase(stack, 'Db', props(stack, { allowedCidrs: ['10.99.0.0/16', '192.168.0.0/24'] }));
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('ZenML metadata MySQL'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '10.99.0.0/16', IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306 }),
        Match.objectLike({ CidrIp: '192.168.0.0/24', IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306 }),
      ],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  test('WHEN allowFromSecurityGroup THEN a standalone 3306 ingress from that group', () => {
    // GIVEN
    const stack = bareStack();
    const db = new MetadataDatabase(stack, 'Db', props(stack));
    // WHEN
    db.allowFromSecurityGroup('FromPeer', 'sg-0123456789abcdef0', 'MySQL from a peer');
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: {
        'Fn::GetAtt': [stack.getLogicalId(db.securityGroup.node.defaultChild as CfnElement), 'GroupId'],
      },
      SourceSecurityGroupId: 'sg-0123456789abcdef0',
      IpProtocol: 'tcp',
      FromPort: 3306,
      ToPort: 3306,
      Description: 'MySQL from a peer',
    });
  });

  test('GIVEN retain mode WHEN created THEN deletion protection on, a final snapshot, backups kept', () => {
    const stack = bareStack();
    new MetadataDatabase(stack, 'Db', props(stack, { removal: removalBehaviour('retain') }));
    Template.fromStack(stack).hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Snapshot',
      Properties: Match.objectLike({ DeletionProtection: true, DeleteAutomatedBackups: false }),
    });
  });
});
