/**
 * subnetLayoutFits, which the settings use to reject a vpcCidr too small for its subnets, against
 * what aws-cdk-lib really allocates: for every VPC size the settings could accept, with 2 and 3 AZs.
 */

import { SparkNetwork } from '../../../lib/network';
import { subnetLayoutFits } from '../../../lib/settings/network-layout';
import { bareStack } from '../bare-stack';

function cdkAllocates(cidr: string, azs: number): boolean {
  const stack = bareStack({ env: { account: '123456789012', region: 'eu-west-1' } });
  try {
    new SparkNetwork(stack, 'Network', {
      cidr,
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'].slice(0, azs),
      natGateways: 1,
    });
    return true;
  } catch {
    return false;
  }
}

describe('subnetLayoutFits', () => {
  test.each(
    [16, 17, 18, 19, 20].flatMap((prefix) => [2, 3].map((azs) => [`10.40.0.0/${prefix}`, azs] as const)),
  )('%s with %d AZs: the same answer as aws-cdk-lib', (cidr, azs) => {
    expect(subnetLayoutFits(cidr, azs)).toBe(cdkAllocates(cidr, azs));
  });

  test('two AZs need a /17, three a /16', () => {
    expect([subnetLayoutFits('10.0.0.0/17', 2), subnetLayoutFits('10.0.0.0/17', 3)]).toEqual([true, false]);
    expect(subnetLayoutFits('10.0.0.0/16', 3)).toBe(true);
  });
});
