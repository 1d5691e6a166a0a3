/**
 * Rules about settings that are valid one by one but impossible together, or in the world: zones
 * of two regions, CIDRs that overlap each other or the VPC, a public endpoint listing addresses it
 * can never see, a VPC too small for its subnets, and every setting that can open something to the
 * internet, behind the same kind of explicit override. config.ts runs them after the per-setting
 * checks; each problem names every setting involved.
 */
import type { EnvironmentConfig, SettingName } from './config';
import { subnetLayoutFits } from './network-layout';
import { cidrContains, isInternetWide, nonPublicRangeOf, parseIpv4Cidr } from './values';

type Bad = (key: SettingName, allowed: string) => void;

/**
 * Settings that can open a port or an API to the internet, and the explicit override each needs to
 * do so: the same guard and the same error for all of them.
 */
export const EXPOSURE_GUARDS = [
  { key: 'mysqlAllowedCidrs', override: 'allowMysqlFromAnywhere', opens: 'MySQL (3306)' },
  {
    key: 'clusterEndpointPublicCidrs',
    override: 'allowClusterEndpointFromAnywhere',
    opens: 'the Kubernetes API endpoint',
  },
] as const satisfies readonly { key: SettingName; override: SettingName; opens: string }[];

const CIDR_LISTS = ['mysqlAllowedCidrs', 'clusterEndpointPublicCidrs'] as const;

const regionOfZone = (az: string) => az.slice(0, -1);

export function crossCheck(c: EnvironmentConfig, bad: Bad): void {
  checkZonesOfOneRegion(c, bad);
  for (const key of CIDR_LISTS) checkCidrList(c, key, bad);
  checkExposure(c, bad);
  checkEndpointCidrsArePublic(c, bad);
  checkMysqlCidrsOutsideVpc(c, bad);
  checkVpcHoldsSubnets(c, bad);
  checkEmulatorBuild(c, bad);
  const admins = c.clusterAdminPrincipalArns;
  const repeated = admins.filter((arn, i) => admins.indexOf(arn) !== i);
  if (repeated.length > 0) {
    bad(
      'clusterAdminPrincipalArns',
      `each principal once; ${[...new Set(repeated)].join(', ')} is listed twice (EKS allows one access entry per principal)`,
    );
  }
}

/** Without a region, explicit zones must still all be zones of one region. */
function checkZonesOfOneRegion(c: EnvironmentConfig, bad: Bad): void {
  if (c.region !== undefined) return; // config.ts already requires zones of the region setting
  const regions = [...new Set(c.availabilityZones.map(regionOfZone))];
  if (regions.length > 1) {
    bad(
      'availabilityZones',
      `zones of one region; these are in ${regions.join(' and ')}, and region is unset ` +
        `(a VPC lives in one region: set region to one of them and list its zones)`,
    );
  }
}

/** No duplicates, and no entry inside another entry of the same list. */
function checkCidrList(c: EnvironmentConfig, key: (typeof CIDR_LISTS)[number], bad: Bad): void {
  const cidrs = c[key].filter((cidr) => parseIpv4Cidr(cidr) !== null);
  cidrs.forEach((cidr, i) => {
    const dup = cidrs.indexOf(cidr) !== i;
    const outer = cidrs.find((other, j) => j !== i && other !== cidr && cidrContains(other, cidr));
    if (dup) bad(key, `each CIDR once; '${cidr}' is listed twice`);
    else if (outer) bad(key, `CIDRs that do not overlap; '${cidr}' lies inside '${outer}', also listed`);
  });
}

/** Every internet-wide CIDR needs the explicit override of its setting. */
function checkExposure(c: EnvironmentConfig, bad: Bad): void {
  for (const { key, override, opens } of EXPOSURE_GUARDS) {
    const open = c[key].filter(isInternetWide);
    if (open.length > 0 && !c[override]) {
      bad(key, `${open.join(', ')} opens ${opens} to the internet; set ${override}=true to mean it`);
    }
  }
}

/** The public endpoint only ever sees public source addresses. */
function checkEndpointCidrsArePublic(c: EnvironmentConfig, bad: Bad): void {
  for (const cidr of c.clusterEndpointPublicCidrs) {
    const range = parseIpv4Cidr(cidr) ? nonPublicRangeOf(cidr) : undefined;
    if (range) {
      bad(
        'clusterEndpointPublicCidrs',
        `public source addresses; '${cidr}' is in ${range}, which the public endpoint never sees ` +
          '(clients inside the VPC or connected to it use the private endpoint, always on)',
      );
    }
  }
}

/** Clients inside the VPC reach MySQL through the cluster security group, not through a CIDR rule. */
function checkMysqlCidrsOutsideVpc(c: EnvironmentConfig, bad: Bad): void {
  if (!parseIpv4Cidr(c.vpcCidr)) return;
  for (const cidr of c.mysqlAllowedCidrs) {
    if (parseIpv4Cidr(cidr) && cidrContains(c.vpcCidr, cidr)) {
      bad(
        'mysqlAllowedCidrs',
        `CIDRs outside the VPC; '${cidr}' lies inside vpcCidr ${c.vpcCidr} (the pods reach MySQL through ` +
          'the cluster security group; a CIDR rule inside the VPC would also admit the public subnets)',
      );
    }
  }
}

/** The VPC must hold a public, a node and a database subnet per AZ (lib/settings/network-layout.ts). */
function checkVpcHoldsSubnets(c: EnvironmentConfig, bad: Bad): void {
  const vpc = parseIpv4Cidr(c.vpcCidr);
  const azCount = c.availabilityZones.length || 2;
  if (!vpc || vpc.prefix < 16 || c.availabilityZones.length > 3) return;
  if (!subnetLayoutFits(c.vpcCidr, azCount)) {
    const need = subnetLayoutFits('10.0.0.0/17', azCount) ? '/17' : '/16';
    bad(
      'vpcCidr',
      `a VPC that holds a /24 public, a /19 node and a /27 database subnet in each of the ${azCount} AZs ` +
        `(availabilityZones${c.availabilityZones.length === 0 ? " unset: the region's first 2" : ''}): ${need} or larger`,
    );
  }
}

/** The emulator build leaves out what moto cannot run; some settings need exactly that. */
function checkEmulatorBuild(c: EnvironmentConfig, bad: Bad): void {
  if (c.emulator && c.s3AccessKey) {
    bad(
      's3AccessKey',
      'false with emulator=true: the emulator skips AWS::SecretsManager::Secret, so the grant on the ' +
        's3_authentication secret would be a policy without a resource, which IAM rejects',
    );
  }
}
