import { Match } from 'aws-cdk-lib/assertions';
import { idsOfType, synth } from './fixtures';

const dbInstance = (settings = {}) =>
  Object.values(synth(settings).template.findResources('AWS::RDS::DBInstance'))[0];

describe('MetadataDatabase', () => {
  test('MySQL 8.4 of the configured class, in the isolated subnets, not publicly accessible', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'mysql',
      EngineVersion: '8.4.10',
      DBInstanceClass: 'db.t4g.small',
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
