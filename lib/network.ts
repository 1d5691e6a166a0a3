/**
 * The VPC the cluster and database live in: public subnets only for NAT gateways (and any load
 * balancer a user adds later), private subnets with egress for the nodes, isolated subnets (no
 * route to the internet at all) for the database, and an S3 gateway endpoint so Spark's artifact
 * traffic never pays NAT data-processing charges.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ownedLogGroup } from './owned-log-group';
import { SUBNET_LAYOUT } from './settings/network-layout';

export interface SparkNetworkProps {
  readonly cidr: string;
  /** Explicit zones; empty takes the region's first two (all an environment-agnostic stack can see). */
  readonly availabilityZones: readonly string[];
  readonly natGateways: number;
  /**
   * Lock down the VPC's default security group. It is done by a custom-resource Lambda, which the
   * local emulator cannot run.
   * @default true
   */
  readonly restrictDefaultSecurityGroup?: boolean;
}

export class SparkNetwork extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: SparkNetworkProps) {
    super(scope, id);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      ...(props.availabilityZones.length > 0
        ? { availabilityZones: [...props.availabilityZones] }
        : { maxAzs: 2 }),
      natGateways: props.natGateways,
      restrictDefaultSecurityGroup: props.restrictDefaultSecurityGroup ?? true,
      // Sizes (and why) in lib/settings/network-layout.ts, where the settings check vpcCidr can hold them.
      subnetConfiguration: SUBNET_LAYOUT.map(({ name, cidrMask }) => ({
        name,
        cidrMask,
        subnetType: SUBNET_TYPES[name],
        ...(name === 'Public' ? { mapPublicIpOnLaunch: false } : {}),
      })),
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });

    // Tags the AWS Load Balancer Controller uses to pick subnets, should a user add one.
    for (const subnet of this.vpc.publicSubnets) tagSubnet(subnet, 'kubernetes.io/role/elb');
    for (const subnet of this.vpc.privateSubnets) tagSubnet(subnet, 'kubernetes.io/role/internal-elb');

    const flowLogGroup = ownedLogGroup(this, 'FlowLogs');
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
  }
}

const SUBNET_TYPES: Record<(typeof SUBNET_LAYOUT)[number]['name'], ec2.SubnetType> = {
  Public: ec2.SubnetType.PUBLIC,
  Nodes: ec2.SubnetType.PRIVATE_WITH_EGRESS,
  Database: ec2.SubnetType.PRIVATE_ISOLATED,
};

function tagSubnet(subnet: ec2.ISubnet, key: string) {
  (subnet.node.defaultChild as ec2.CfnSubnet).tags.setTag(key, '1');
}
