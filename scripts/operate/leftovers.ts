/**
 * What an earlier deploy of the same prefix left behind, which blocks the next one: every
 * resource of the template with a fixed physical name (the ECR repository `zenml`, the RDS and EKS
 * log groups, the DB instance identifier, the secrets, the Spark role...) that already exists while
 * the stack does not. removalMode=retain keeps some of them on purpose (repository, database log
 * groups, rds_authentication with the final snapshot); an interrupted destroy can leave the others.
 * For each, the exact commands to adopt it into the new stack (`cdk import`) or to remove it.
 * Retained final DB snapshots and buckets block nothing (their names are generated) and are
 * listed as warnings, with how to delete them.
 *
 * The names come from the synthesized template itself, so a fixed name added to lib/ is checked
 * without a change here; a fixed-name resource type this file cannot check fails a unit test.
 */

import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { GetRoleCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { CfnTemplate } from '../estimate/cloud-assembly';
import { type AwsClients, awsClient, errorName, explainAwsError } from '../lib/aws-clients';
import { awsJsonCall } from '../lib/aws-json';

/** Template resource types with a fixed physical name: the property that holds it. */
export const FIXED_NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::EKS::Cluster': 'Name',
};

/** A name-like property a template resource could carry; FIXED_NAME_PROPERTIES must know its type. */
export const NAME_PROPERTY = /^(\w*Name|DBInstanceIdentifier|Name)$/;

export interface FixedName {
  readonly logicalId: string;
  readonly type: string;
  readonly property: string;
  readonly name: string;
  /** The template keeps it on stack deletion (DeletionPolicy Retain or Snapshot). */
  readonly retained: boolean;
}

/** Every resource of the template whose physical name is a literal (not generated, not a token). */
export function fixedNames(template: CfnTemplate): FixedName[] {
  return Object.entries(template.Resources).flatMap(([logicalId, r]) => {
    const property = FIXED_NAME_PROPERTIES[r.Type];
    const name = property ? r.Properties?.[property] : undefined;
    if (typeof name !== 'string') return [];
    const policy = (r as { DeletionPolicy?: string }).DeletionPolicy ?? 'Delete';
    return [{ logicalId, type: r.Type, property, name, retained: policy !== 'Delete' }];
  });
}

export interface LeftoverRow {
  readonly check: string;
  readonly result: 'ok' | 'warn' | 'FAIL';
  readonly detail: string;
}

export interface LeftoverContext {
  readonly clients: AwsClients;
  readonly region: string;
  readonly endpoint?: string;
  readonly stackName: string;
  /** The -c flags the user gave, to repeat in the commands printed. */
  readonly contextFlags: readonly string[];
}

interface Found {
  readonly found: boolean;
  /** e.g. `scheduled for deletion on ...` */
  readonly note?: string;
  /** Its identifier for `cdk import`, when not the name (a secret is imported by its ARN). */
  readonly importAs?: Readonly<Record<string, string>>;
}

/** Whether the named resource exists, and what to know about it. */
async function exists(f: FixedName, c: LeftoverContext): Promise<Found> {
  const { clients } = c;
  const notFound = (e: unknown, ...names: string[]) => {
    if (names.includes(errorName(e))) return { found: false };
    throw explainAwsError(e, `looking for ${f.type} ${f.name}`, c.region);
  };
  switch (f.type) {
    case 'AWS::ECR::Repository':
      try {
        const ecr = awsClient(ECRClient, { region: c.region, endpoint: c.endpoint });
        await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [f.name] }));
        return { found: true };
      } catch (e) {
        return notFound(e, 'RepositoryNotFoundException');
      }
    case 'AWS::Logs::LogGroup': {
      const res = await awsJsonCall(
        { region: c.region, endpoint: c.endpoint, credentials: () => clients.sts.config.credentials() },
        'logs',
        'Logs_20140328',
        'DescribeLogGroups',
        { logGroupNamePrefix: f.name, limit: 5 },
      ).catch((e) => {
        throw explainAwsError(e, `looking for log group ${f.name}`, c.region);
      });
      const groups = (res.logGroups as { logGroupName?: string }[] | undefined) ?? [];
      return { found: groups.some((g) => g.logGroupName === f.name) };
    }
    case 'AWS::SecretsManager::Secret':
      try {
        const s = await clients.secretsManager.send(new DescribeSecretCommand({ SecretId: f.name }));
        return {
          found: true,
          note: s.DeletedDate
            ? `scheduled for deletion on ${s.DeletedDate.toISOString().slice(0, 10)}`
            : undefined,
          importAs: { Id: s.ARN ?? f.name },
        };
      } catch (e) {
        return notFound(e, 'ResourceNotFoundException');
      }
    case 'AWS::RDS::DBInstance':
      try {
        const db = await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: f.name }));
        const i = db.DBInstances?.[0];
        return {
          found: true,
          note: i?.DeletionProtection ? 'deletion protection on (removalMode=retain)' : undefined,
        };
      } catch (e) {
        return notFound(e, 'DBInstanceNotFound', 'DBInstanceNotFoundFault');
      }
    case 'AWS::IAM::Role':
      try {
        await clients.iam.send(new GetRoleCommand({ RoleName: f.name }));
        return { found: true };
      } catch (e) {
        return notFound(e, 'NoSuchEntity', 'NoSuchEntityException');
      }
    case 'AWS::IAM::User':
      try {
        await clients.iam.send(new GetUserCommand({ UserName: f.name }));
        return { found: true };
      } catch (e) {
        return notFound(e, 'NoSuchEntity', 'NoSuchEntityException');
      }
    case 'AWS::EKS::Cluster':
      try {
        await clients.eks.send(new DescribeClusterCommand({ name: f.name }));
        return { found: true };
      } catch (e) {
        return notFound(e, 'ResourceNotFoundException');
      }
  }
  throw new Error(`${f.type}: no existence check (scripts/operate/leftovers.ts)`);
}

/** The command that deletes a leftover (what `cdk destroy` would have done). */
function removeCommand(f: FixedName, region: string): string {
  const r = `--region ${region}`;
  switch (f.type) {
    case 'AWS::ECR::Repository':
      return `aws ecr delete-repository --repository-name ${f.name} --force ${r}  # deletes its images`;
    case 'AWS::Logs::LogGroup':
      return `aws logs delete-log-group --log-group-name ${f.name} ${r}`;
    case 'AWS::SecretsManager::Secret':
      return `aws secretsmanager delete-secret --secret-id ${f.name} --force-delete-without-recovery ${r}`;
    case 'AWS::RDS::DBInstance':
      return (
        `aws rds modify-db-instance --db-instance-identifier ${f.name} --no-deletion-protection --apply-immediately ${r} && ` +
        `aws rds delete-db-instance --db-instance-identifier ${f.name} --final-db-snapshot-identifier ${f.name}-final ${r}`
      );
    case 'AWS::IAM::Role':
      return `aws iam delete-role --role-name ${f.name}  # after detaching its policies`;
    case 'AWS::IAM::User':
      return `aws iam delete-user --user-name ${f.name}  # after deleting its access keys and group memberships`;
    case 'AWS::EKS::Cluster':
      return `aws eks delete-cluster --name ${f.name} ${r}  # after its node groups`;
  }
  return `delete ${f.name}`;
}

/**
 * Rows for preflight, when the stack does not exist: a FAIL per existing fixed-name resource, with
 * the adopt and remove commands; a warn per retained final snapshot and bucket.
 */
export async function leftoverRows(template: CfnTemplate, c: LeftoverContext): Promise<LeftoverRow[]> {
  const rows: LeftoverRow[] = [];
  const found: { f: FixedName; note?: string; importAs?: Readonly<Record<string, string>> }[] = [];
  for (const f of fixedNames(template)) {
    const r = await exists(f, c);
    if (r.found) found.push({ f, note: r.note, importAs: r.importAs });
  }
  const flags = c.contextFlags.map((p) => ` -c ${p}`).join('');
  const mapping = Object.fromEntries(
    found.map(({ f, importAs }) => [f.logicalId, importAs ?? { [f.property]: f.name }]),
  );
  const adopt =
    found.length > 0
      ? `npm run cdk -- import${flags} --resource-mapping-inline '${JSON.stringify(mapping)}' (creates the stack with them), then npm run cdk -- deploy${flags}`
      : '';
  for (const { f, note } of found) {
    const why = f.retained ? 'kept by removalMode=retain' : 'left by an interrupted destroy';
    const scheduled = note?.startsWith('scheduled')
      ? `; or restore it (aws secretsmanager restore-secret --secret-id ${f.name}) to adopt it`
      : '';
    rows.push({
      check: `leftover ${f.type.split('::').slice(1).join('::')}`,
      result: 'FAIL',
      detail:
        `${f.name} exists outside any stack (${why}${note ? `; ${note}` : ''}) and the deploy would create it: ` +
        `adopt it: ${adopt}; or remove it: ${removeCommand(f, c.region)}${scheduled}`,
    });
  }

  // Final snapshots of the database: data the user may want; they block nothing.
  const db = fixedNames(template).find((f) => f.type === 'AWS::RDS::DBInstance');
  if (db) {
    try {
      const snaps = await c.clients.rds.send(
        new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: db.name }),
      );
      for (const s of snaps.DBSnapshots ?? []) {
        if (s.SnapshotType === 'automated') continue;
        const secret = fixedNames(template).find((f) => f.name.endsWith('/rds_authentication'))?.name;
        rows.push({
          check: 'retained DB snapshot',
          result: 'warn',
          detail:
            `${s.DBSnapshotIdentifier} (${s.SnapshotCreateTime?.toISOString().slice(0, 10) ?? 'date unknown'}) of ${db.name}; ` +
            `its password is in ${secret ?? 'the rds_authentication secret'} if that was kept; a new deploy starts an empty database. ` +
            `Delete it when done: aws rds delete-db-snapshot --db-snapshot-identifier ${s.DBSnapshotIdentifier} --region ${c.region}`,
        });
      }
    } catch (e) {
      rows.push({
        check: 'retained DB snapshot',
        result: 'warn',
        detail: `could not check: ${explainAwsError(e, 'DescribeDBSnapshots').message}`,
      });
    }
  }

  // Retained buckets: generated names (<stack>-artifactstore...), so they block nothing; they cost.
  try {
    const s3 = awsClient(S3Client, { region: c.region, endpoint: c.endpoint }, { forcePathStyle: true });
    const prefix = `${c.stackName.toLowerCase()}-artifactstore`;
    const buckets = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? [])
      .map((b) => b.Name ?? '')
      .filter((n) => n.startsWith(prefix));
    for (const b of buckets) {
      rows.push({
        check: 'retained bucket',
        result: 'warn',
        detail: `${b} from an earlier deploy (removalMode=retain): a new deploy makes a new bucket; delete this one when done: aws s3 rb s3://${b} --force`,
      });
    }
  } catch (e) {
    rows.push({
      check: 'retained bucket',
      result: 'warn',
      detail: `could not check: ${explainAwsError(e, 'ListBuckets').message}`,
    });
  }
  if (found.length === 0) {
    rows.push({
      check: 'leftovers',
      result: 'ok',
      detail: 'no resource with a fixed name from an earlier deploy',
    });
  }
  return rows;
}
