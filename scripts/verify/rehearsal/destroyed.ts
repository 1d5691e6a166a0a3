import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeNatGatewaysCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import type { EnvironmentConfig } from '../../../lib/settings/config';
import { physicalNames } from '../../../lib/settings/names';
import type { Recorder } from './checks';
import { type EmulatorClients, errName } from './emulator';
import type { ResourceOutcome } from './outcomes';

/** After destroy: the stack and everything moto can delete is gone; the DB instance is a known moto gap. */
export async function checkDestroyed(
  r: Recorder,
  c: EmulatorClients,
  config: EnvironmentConfig,
  stackName: string,
  outcomes: readonly ResourceOutcome[],
) {
  const names = physicalNames(config);
  try {
    const s = (await c.cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    r.check(
      'destroy',
      `stack ${stackName} deleted`,
      s?.StackStatus === 'DELETE_COMPLETE',
      `${s?.StackStatus}`,
    );
  } catch (e) {
    r.check('destroy', `stack ${stackName} deleted`, /does not exist/.test((e as Error).message), errName(e));
  }
  for (const o of outcomes.filter((x) => x.type === 'AWS::S3::Bucket' && x.physicalId)) {
    let gone = false;
    try {
      await c.s3.send(new HeadBucketCommand({ Bucket: o.physicalId }));
    } catch (e) {
      gone = /NotFound|NoSuchBucket/.test(errName(e));
    }
    r.check('destroy', `bucket ${o.logicalId} deleted`, gone, o.physicalId ?? '');
  }
  try {
    await c.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [names.ecrRepositoryName] }));
    r.check('destroy', `repository '${names.ecrRepositoryName}' deleted`, false, 'still there');
  } catch (e) {
    r.check(
      'destroy',
      `repository '${names.ecrRepositoryName}' deleted`,
      errName(e) === 'RepositoryNotFoundException',
      errName(e),
    );
  }
  const vpcs =
    (await c.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: [config.vpcCidr] }] })))
      .Vpcs ?? [];
  r.check('destroy', `VPC ${config.vpcCidr} deleted`, vpcs.length === 0, `${vpcs.length} left`);
  const vpcIds = outcomes.filter((o) => o.type === 'AWS::EC2::VPC').map((o) => o.physicalId ?? '');
  const subnets =
    (await c.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: vpcIds }] })))
      .Subnets ?? [];
  r.check('destroy', 'subnets deleted', subnets.length === 0, `${subnets.length} left`);
  const sgIds = outcomes
    .filter((o) => o.type === 'AWS::EC2::SecurityGroup' && o.physicalId)
    .map((o) => o.physicalId as string);
  const sgs =
    (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: sgIds }] })))
      .SecurityGroups ?? [];
  r.check('destroy', 'security groups deleted', sgs.length === 0, `${sgs.length} left`);
  const nats = (
    (await c.ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: vpcIds }] })))
      .NatGateways ?? []
  ).filter((n) => n.State !== 'deleted');
  r.check('destroy', 'NAT gateways deleted', nats.length === 0, `${nats.length} left`);
  const eps =
    (await c.ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: vpcIds }] })))
      .VpcEndpoints ?? [];
  const liveEps = eps.filter((e) => String(e.State).toLowerCase() !== 'deleted');
  r.check('destroy', 'VPC endpoints deleted', liveEps.length === 0, `${liveEps.length} left`);
  for (const o of outcomes.filter((x) => x.type === 'AWS::IAM::Role' && x.physicalId)) {
    try {
      await c.iam.send(new GetRoleCommand({ RoleName: o.physicalId }));
      r.check('destroy', `role ${o.physicalId} deleted`, false, 'still there');
    } catch (e) {
      r.check('destroy', `role ${o.physicalId} deleted`, errName(e) === 'NoSuchEntityException', errName(e));
    }
  }
  const dbs = await c.rds
    .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: names.databaseIdentifier }))
    .then((r) => r.DBInstances ?? [])
    .catch(() => []);
  // moto 5.2.5 deletes a DB instance on DeleteStack (its model has a delete), so this is a real check.
  r.check(
    'destroy',
    `DB instance '${names.databaseIdentifier}' deleted`,
    dbs.length === 0,
    dbs.length === 0 ? 'deleted' : `still ${dbs[0].DBInstanceStatus}`,
  );
}
