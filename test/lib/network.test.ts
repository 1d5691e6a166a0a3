import { Match, Template } from 'aws-cdk-lib/assertions';
import { SparkNetwork } from '../../lib/network';
import { bareStack } from './bare-stack';
import { synth } from './fixtures';

describe('SparkNetwork', () => {
  test('VPC across 2 AZs with public, private (nodes) and isolated (database) subnets', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    const byType = (t: string) =>
      subnets.filter((s) =>
        s.Properties.Tags.some(
          (tag: { Key: string; Value: string }) => tag.Key === 'aws-cdk:subnet-type' && tag.Value === t,
        ),
      );
    expect(byType('Public')).toHaveLength(2);
    expect(byType('Private')).toHaveLength(2);
    expect(byType('Isolated')).toHaveLength(2);
    for (const s of byType('Public')) expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
    const azs = new Set(byType('Private').map((s) => JSON.stringify(s.Properties.AvailabilityZone)));
    expect(azs.size).toBe(2);
  });

  test('availabilityZones spans exactly the named zones', () => {
    const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
    const { template } = synth({ region: 'eu-west-1', availabilityZones: zones });
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    const used = Object.values(template.findResources('AWS::EC2::Subnet')).map(
      (s) => s.Properties.AvailabilityZone,
    );
    expect([...new Set(used)].sort()).toEqual(zones);
  });

  test('one NAT gateway by default; natGateways sets the count', () => {
    synth().template.resourceCountIs('AWS::EC2::NatGateway', 1);
    synth({ natGateways: 2 }).template.resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  test('S3 gateway endpoint, so Spark traffic to the bucket skips the NAT gateway', () => {
    synth().template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('\\.s3$')])],
      }),
    });
  });

  test('rejected traffic is logged to a log group the stack deletes', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'REJECT',
      LogDestinationType: 'cloud-watch-logs',
    });
    const flowLogGroup = template.findResources('AWS::EC2::FlowLog');
    expect(Object.keys(flowLogGroup)).toHaveLength(1);
  });

  test('the default security group is locked down (custom resource), except in the emulator build', () => {
    synth().template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    synth({ emulator: true }).template.resourceCountIs('Custom::VpcRestrictDefaultSG', 0);
  });
});

describe('SparkNetwork in a bare Stack', () => {
  test('GIVEN three zones and two NAT gateways WHEN created THEN three subnet tiers per zone, sized for pods', () => {
    // GIVEN
    const stack = bareStack({ env: { region: 'eu-west-1' } });
    // WHEN
    new SparkNetwork(stack, 'Network', {
      cidr: '10.60.0.0/16',
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      natGateways: 2,
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.60.0.0/16' });
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    const masks = Object.values(template.findResources('AWS::EC2::Subnet')).map(
      (s) => `${s.Properties.AvailabilityZone} /${String(s.Properties.CidrBlock).split('/')[1]}`,
    );
    expect(masks.sort()).toEqual(
      ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']
        .flatMap((az) => [`${az} /19`, `${az} /24`, `${az} /27`])
        .sort(),
    );
  });

  test('GIVEN the default WHEN created THEN subnets carry the load-balancer role tags', () => {
    const stack = bareStack();
    new SparkNetwork(stack, 'Network', { cidr: '10.40.0.0/16', availabilityZones: [], natGateways: 1 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::Subnet', {
      MapPublicIpOnLaunch: false,
      Tags: Match.arrayWith([{ Key: 'kubernetes.io/role/elb', Value: '1' }]),
    });
    template.hasResourceProperties('AWS::EC2::Subnet', {
      Tags: Match.arrayWith([{ Key: 'kubernetes.io/role/internal-elb', Value: '1' }]),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('GIVEN restrictDefaultSecurityGroup false (emulator build) WHEN created THEN no lockdown custom resource', () => {
    const stack = bareStack();
    new SparkNetwork(stack, 'Network', {
      cidr: '10.40.0.0/16',
      availabilityZones: [],
      natGateways: 1,
      restrictDefaultSecurityGroup: false,
    });
    Template.fromStack(stack).resourceCountIs('Custom::VpcRestrictDefaultSG', 0);
  });
});
