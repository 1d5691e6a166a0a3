/**
 * The VPC's subnet layout, on the ground floor because the settings check that the configured
 * vpcCidr can hold it (lib/network.ts builds the VPC from it): per AZ, a /24 public subnet for NAT
 * gateways, a /19 for the nodes (the VPC CNI gives every pod a VPC address, and Spark executors
 * are many short-lived pods) and a /27 isolated subnet for the database.
 */
import { parseIpv4Cidr } from './values';

export const SUBNET_LAYOUT = [
  { name: 'Public', cidrMask: 24 },
  { name: 'Nodes', cidrMask: 19 },
  { name: 'Database', cidrMask: 27 },
] as const;

/**
 * Whether the layout fits in the VPC for `azCount` zones, allocated as aws-cdk-lib's NetworkBuilder
 * does: subnet by subnet in layout order, each aligned up to its own size. Alignment wastes space,
 * so the plain sum of the subnet sizes is not enough (two AZs need a /17, three a /16).
 */
export function subnetLayoutFits(vpcCidr: string, azCount: number): boolean {
  const vpc = parseIpv4Cidr(vpcCidr);
  if (!vpc) return false;
  const end = vpc.address + 2 ** (32 - vpc.prefix);
  let next = vpc.address;
  for (const { cidrMask } of SUBNET_LAYOUT) {
    const size = 2 ** (32 - cidrMask);
    for (let i = 0; i < azCount; i++) {
      const start = Math.ceil(next / size) * size;
      if (start + size > end) return false;
      next = start + size;
    }
  }
  return true;
}
