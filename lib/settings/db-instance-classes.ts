/**
 * The DB instance classes RDS for MySQL 8.4 offers, so that `dbInstanceClass` is checked at synth
 * against a list instead of failing in CloudFormation validation (whose message invites an
 * acknowledgement) or, worse, at deploy.
 *
 * Source: the CloudFormation validator aws-cdk-lib 2.276.0 bundles (@aws/cloudformation-validate
 * 1.14.0): the classes rule E3025 accepts for engine `mysql` in any region, minus those rule E3062
 * rejects for EngineVersion 8.4.x (the previous generations t1, t2, m1-m4, r3, r4, and m8a/r8a).
 * test/lib/settings/db-instance-classes.test.ts checks this list against that validator, so an
 * aws-cdk-lib upgrade that changes what RDS offers fails a test instead of drifting.
 * Availability in one region is narrower: preflight asks RDS for the target region.
 */

const BURSTABLE = ['micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'];
const TO_16X = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'];
const TO_24X = [...TO_16X, '24xlarge'];
const TO_32X = [...TO_24X, '32xlarge'];
const TO_48X = [...TO_24X, '48xlarge'];

/** Family -> sizes RDS for MySQL 8.4 offers. */
export const MYSQL_84_CLASS_SIZES: Readonly<Record<string, readonly string[]>> = {
  t3: BURSTABLE,
  t4g: BURSTABLE,
  m5: TO_24X,
  m5d: TO_24X,
  m6g: TO_16X,
  m6gd: TO_16X,
  m6i: TO_32X,
  m6id: TO_32X,
  m6idn: TO_32X,
  m6in: TO_32X,
  m7g: TO_16X,
  m7i: TO_48X,
  m8g: TO_48X,
  m8gd: TO_48X,
  m9g: TO_48X,
  r5: TO_24X,
  r5b: TO_24X,
  r5d: TO_24X,
  r6g: TO_16X,
  r6gd: TO_16X,
  r6i: TO_32X,
  r6id: TO_32X,
  r6idn: TO_32X,
  r6in: TO_32X,
  r7g: TO_16X,
  r7i: TO_48X,
  r8g: TO_48X,
  r8gd: TO_48X,
  x2g: TO_16X,
  x2iedn: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '16xlarge', '24xlarge', '32xlarge'],
};

/** Every allowed class, e.g. `db.t4g.small`. */
export const MYSQL_84_INSTANCE_CLASSES: readonly string[] = Object.entries(MYSQL_84_CLASS_SIZES).flatMap(
  ([family, sizes]) => sizes.map((size) => `db.${family}.${size}`),
);

/** The allowed list in one line: `db.t3.(micro|small|...), db.t4g.(...), ...`. */
export function describeMysql84Classes(): string {
  return Object.entries(MYSQL_84_CLASS_SIZES)
    .map(([family, sizes]) => `db.${family}.(${sizes.join('|')})`)
    .join(', ');
}
