/** RDS: private, encrypted, backed up, in the isolated subnets, with the configured class and engine. */
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand, DescribeDBSubnetGroupsCommand } from '@aws-sdk/client-rds';
import { physicalNames } from '../../../../lib/settings/names';
import { physicalOf } from '../emulator';
import type { DeployedContext } from './context';

export async function checkRds(ctx: DeployedContext): Promise<void> {
  const { c, config, outcomes, r } = ctx;
  const names = physicalNames(config);
  const vpcId = physicalOf(outcomes, 'AWS::EC2::VPC', 'NetworkVpc');
  const dbs =
    (await c.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: names.databaseIdentifier })))
      .DBInstances ?? [];
  const db = dbs[0];
  r.check('RDS', `instance '${names.databaseIdentifier}' exists`, !!db, db?.DBInstanceStatus ?? 'missing');
  if (db) {
    r.check(
      'RDS',
      'not publicly accessible',
      db.PubliclyAccessible === false,
      `PubliclyAccessible=${db.PubliclyAccessible}`,
    );
    r.check(
      'RDS',
      'storage encrypted',
      db.StorageEncrypted === true,
      `StorageEncrypted=${db.StorageEncrypted}`,
    );
    r.check(
      'RDS',
      `engine mysql ${config.mysqlEngineVersion}`,
      db.Engine === 'mysql' && db.EngineVersion === config.mysqlEngineVersion,
      `${db.Engine} ${db.EngineVersion}`,
    );
    r.check(
      'RDS',
      `class ${config.dbInstanceClass}`,
      db.DBInstanceClass === config.dbInstanceClass,
      `${db.DBInstanceClass}`,
    );
    r.check('RDS', 'backups kept 7 days', db.BackupRetentionPeriod === 7, `${db.BackupRetentionPeriod}`);
    r.notModelled(
      'RDS',
      'IAM database authentication, deletion protection',
      'AWS::RDS::DBInstance EnableIAMDatabaseAuthentication, DeletionProtection',
    );
    r.notModelled(
      'RDS',
      'only the database security group attached',
      'AWS::RDS::DBInstance VPCSecurityGroups (it reads VpcSecurityGroupIds)',
    );
    r.check(
      'RDS',
      `${config.dbAllocatedStorage} GiB gp3`,
      db.AllocatedStorage === config.dbAllocatedStorage && db.StorageType === 'gp3',
      `${db.AllocatedStorage} GiB ${db.StorageType}`,
    );
    const group = db.DBSubnetGroup?.DBSubnetGroupName;
    const sg = group
      ? (await c.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: group })))
          .DBSubnetGroups?.[0]
      : undefined;
    const subnetIds = (sg?.Subnets ?? []).map((s) => s.SubnetIdentifier ?? '');
    if (vpcId && subnetIds.length > 0) {
      const subnets = (await c.ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }))).Subnets ?? [];
      r.check(
        'RDS',
        'in the 2 isolated database subnets',
        subnets.length === 2 && subnets.every((s) => s.CidrBlock?.endsWith('/27')),
        subnets.map((s) => s.CidrBlock).join(', '),
      );
    } else {
      r.check('RDS', 'in the 2 isolated database subnets', false, `subnet group ${group ?? 'missing'}`);
    }
  }
}
