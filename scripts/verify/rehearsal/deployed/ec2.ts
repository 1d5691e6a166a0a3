/** EC2: the VPC, its three tiers of subnets in two AZs, NAT, S3 endpoint, the database security group. */
import {
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { physicalOf } from '../emulator';
import type { DeployedContext } from './context';

export async function checkEc2(ctx: DeployedContext): Promise<void> {
  const { c, config, outcomes, r } = ctx;
  const vpcId = physicalOf(outcomes, 'AWS::EC2::VPC', 'NetworkVpc');
  const vpc = vpcId ? (await c.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs?.[0] : undefined;
  r.check(
    'EC2',
    `VPC ${config.vpcCidr}`,
    vpc?.CidrBlock === config.vpcCidr,
    `${vpcId ?? 'missing'} ${vpc?.CidrBlock ?? ''}`,
  );
  if (vpcId) {
    const filter = [{ Name: 'vpc-id', Values: [vpcId] }];
    const subnets = (await c.ec2.send(new DescribeSubnetsCommand({ Filters: filter }))).Subnets ?? [];
    const masks = subnets.map((s) => s.CidrBlock?.split('/')[1]).sort();
    r.check(
      'EC2',
      '6 subnets: 2 public /24, 2 nodes /19, 2 database /27',
      masks.join(',') === '19,19,24,24,27,27',
      `masks ${masks.join(',')}`,
    );
    const azs = new Set(subnets.map((s) => s.AvailabilityZone));
    r.check('EC2', 'subnets span 2 AZs', azs.size === 2, [...azs].join(', '));
    r.notModelled('EC2', 'no subnet assigns public IPs on launch', 'AWS::EC2::Subnet MapPublicIpOnLaunch');
    const nats = (await c.ec2.send(new DescribeNatGatewaysCommand({ Filter: filter }))).NatGateways ?? [];
    const liveNats = nats.filter((n) => n.State !== 'deleted');
    r.check(
      'EC2',
      `${config.natGateways} NAT gateway(s)`,
      liveNats.length === config.natGateways,
      `${liveNats.length}`,
    );
    const igws =
      (
        await c.ec2.send(
          new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }),
        )
      ).InternetGateways ?? [];
    r.check('EC2', 'internet gateway attached', igws.length === 1, `${igws.length}`);
    const eps = (await c.ec2.send(new DescribeVpcEndpointsCommand({ Filters: filter }))).VpcEndpoints ?? [];
    r.check(
      'EC2',
      'S3 gateway endpoint',
      eps.some((e) => /\.s3$/.test(e.ServiceName ?? '') && e.VpcEndpointType === 'Gateway'),
      eps.map((e) => e.ServiceName).join(', ') || 'none',
    );
    const rts = (await c.ec2.send(new DescribeRouteTablesCommand({ Filters: filter }))).RouteTables ?? [];
    const dbSubnetIds = new Set(subnets.filter((s) => s.CidrBlock?.endsWith('/27')).map((s) => s.SubnetId));
    const dbRoutesOut = rts
      .filter((rt) => rt.Associations?.some((a) => dbSubnetIds.has(a.SubnetId)))
      .flatMap((rt) => rt.Routes ?? [])
      .filter((r) => r.DestinationCidrBlock === '0.0.0.0/0');
    r.check(
      'EC2',
      'database subnets have no route to the internet',
      dbRoutesOut.length === 0,
      `${dbRoutesOut.length} default route(s)`,
    );
    const sgs =
      (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: filter }))).SecurityGroups ?? [];
    const dbSg = sgs.find((g) => g.Description?.startsWith('ZenML metadata MySQL'));
    r.check('EC2', 'database security group exists', !!dbSg, dbSg?.GroupId ?? 'missing');
    if (dbSg) {
      const open = (dbSg.IpPermissions ?? []).filter((p) =>
        p.IpRanges?.some((r) => r.CidrIp === '0.0.0.0/0'),
      );
      r.check(
        'EC2',
        'database security group admits nothing from 0.0.0.0/0',
        open.length === 0,
        `${open.length} open rule(s)`,
      );
      const cidrs = (dbSg.IpPermissions ?? []).flatMap((p) =>
        (p.IpRanges ?? []).map((r) => `${r.CidrIp}:${p.FromPort}`),
      );
      const want = config.mysqlAllowedCidrs.map((cidr) => `${cidr}:3306`).sort();
      r.check(
        'EC2',
        `database ingress CIDRs = mysqlAllowedCidrs (${want.length})`,
        JSON.stringify(cidrs.sort()) === JSON.stringify(want),
        cidrs.join(', ') || 'none',
      );
    }
  }
}
