/**
 * Issue 14, kind 7: every resource the stack names itself is one preflight can look for, so a
 * fixed name added to lib/ cannot block a redeploy unnoticed.
 */
import type { CfnTemplate } from '../../../scripts/estimate/cloud-assembly';
import { FIXED_NAME_PROPERTIES, fixedNames } from '../../../scripts/operate/leftovers';
import { synth } from '../../lib/fixtures';

/** Literal name-like properties that are not account-wide physical names, and why. */
const NOT_PHYSICAL_NAMES: Readonly<Record<string, string>> = {
  'AWS::EKS::Addon AddonName': "the add-on's type (vpc-cni...), unique only within its cluster",
  'AWS::IAM::Policy PolicyName': 'an inline policy, named within the role it belongs to',
  'AWS::RDS::DBInstance CACertificateIdentifier': 'the CA RDS signs the server certificate with',
  'AWS::RDS::DBInstance DBName': 'the schema inside the instance',
};

const VARIANTS = {
  default: {},
  'retain, keyed S3 secret, manifests by hand': {
    removalMode: 'retain',
    s3AccessKey: true,
    applyKubernetesManifests: false,
  },
  emulator: { emulator: true },
};

describe.each(Object.entries(VARIANTS))('%s', (_name, settings) => {
  test('every literal name in the template is a fixed name preflight checks, or not a physical name', () => {
    const { template } = synth(settings);
    const resources = template.toJSON().Resources as Record<
      string,
      { Type: string; Properties?: Record<string, unknown> }
    >;
    const named = Object.values(resources).flatMap((r) =>
      Object.entries(r.Properties ?? {})
        .filter(([k, v]) => /(Name|Identifier)$/.test(k) && typeof v === 'string')
        .map(([k]) => `${r.Type} ${k}`),
    );
    const unchecked = named.filter(
      (pair) => !NOT_PHYSICAL_NAMES[pair] && FIXED_NAME_PROPERTIES[pair.split(' ')[0]] !== pair.split(' ')[1],
    );
    expect(unchecked).toEqual([]);
  });
});

test('the names, and which ones retain mode keeps', () => {
  const byName = (settings: Record<string, unknown>) =>
    Object.fromEntries(
      fixedNames(synth(settings).template.toJSON() as CfnTemplate).map((f) => [f.name, f.retained]),
    );
  expect(byName({ removalMode: 'retain', s3AccessKey: true })).toEqual({
    zenml: true,
    'zenml-spark/rds_authentication': true,
    '/aws/rds/instance/zenml-spark-metadata/error': true,
    '/aws/rds/instance/zenml-spark-metadata/slowquery': true,
    'zenml-spark-metadata': true,
    'zenml-spark-spark-pods': false,
    'zenml-spark/s3_authentication': false,
    'zenml-spark-zenml-s3': false,
    'zenml-spark': false,
    '/aws/eks/zenml-spark/cluster': false,
    'zenml-spark-cluster-autoscaler': false,
    'zenml-spark-zenml-server': false,
    'zenml-spark-zenml-db-bootstrap': false,
    // The history server's role (a fixed name, so preflight can find a leftover).
    'zenml-spark-spark-history': false,
    // The admin account lives in the retained database: its password is kept with it.
    'zenml-spark/zenml-server-admin': true,
    'zenml-spark/zenml-server-jwt': false,
  });
  expect(Object.values(byName({})).every((retained) => !retained)).toBe(true);
});
