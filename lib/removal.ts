/**
 * One removal-policy helper driven by the removal mode, used by every stateful resource so that
 * `destroy` really leaves nothing behind and `retain` really keeps the data.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { RemovalMode } from './settings/config';

export interface RemovalBehaviour {
  /** Policy for data-bearing resources (bucket, DB, repository, log groups with audit value). */
  readonly dataPolicy: RemovalPolicy;
  /** Empty the bucket and repository on destroy, so their deletion cannot fail on leftover objects. */
  readonly emptyOnDelete: boolean;
  /** RDS deletion protection blocks `cdk destroy`; only on when the data is meant to be kept. */
  readonly deletionProtection: boolean;
}

export function removalBehaviour(mode: RemovalMode): RemovalBehaviour {
  switch (mode) {
    case 'destroy':
      return { dataPolicy: RemovalPolicy.DESTROY, emptyOnDelete: true, deletionProtection: false };
    case 'retain':
      // SNAPSHOT on the DB instance (applied in MetadataDatabase) takes a final snapshot; RETAIN elsewhere.
      return { dataPolicy: RemovalPolicy.RETAIN, emptyOnDelete: false, deletionProtection: true };
  }
}
