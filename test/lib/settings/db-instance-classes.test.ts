/**
 * The allowed dbInstanceClass list against its source: the CloudFormation validator aws-cdk-lib
 * bundles (rule E3025: classes offered for engine mysql; E3062: classes valid for the engine
 * version). An aws-cdk-lib upgrade that changes what RDS for MySQL 8.4 offers fails here.
 */
import * as path from 'node:path';
import { SETTINGS } from '../../../lib/settings/config';
import { MYSQL_84_INSTANCE_CLASSES } from '../../../lib/settings/db-instance-classes';

interface Diagnostic {
  readonly ruleId: string;
  readonly message: string;
}
interface Validator {
  CompositeEngine: new () => { validateTemplate(t: unknown): { diagnostics?: Diagnostic[] } };
  TemplateContent: new (content: string, name: string) => unknown;
}

// The validator is aws-cdk-lib's own dependency, not the project's: resolve it from aws-cdk-lib.
const validator: Validator = require(
  require.resolve('@aws/cloudformation-validate', {
    paths: [path.dirname(require.resolve('aws-cdk-lib/package.json'))],
  }),
);

/** Classes the validator rejects for a MySQL DB instance of `version`. */
function rejected(classes: readonly string[], version: string): string[] {
  const Resources = Object.fromEntries(
    classes.map((cls, i) => [
      `Db${i}`,
      {
        Type: 'AWS::RDS::DBInstance',
        Properties: {
          Engine: 'mysql',
          EngineVersion: version,
          DBInstanceClass: cls,
          AllocatedStorage: '20',
          MasterUsername: 'zenml',
          ManageMasterUserPassword: true,
        },
      },
    ]),
  );
  const report = new validator.CompositeEngine().validateTemplate(
    new validator.TemplateContent(JSON.stringify({ Resources }), 'classes.json'),
  );
  return (report.diagnostics ?? [])
    .filter((d) => d.ruleId === 'E3025' || d.ruleId === 'E3062')
    .map((d) => classes.find((c) => d.message.includes(`'${c}'`)) ?? d.message);
}

describe('MySQL 8.4 DB instance classes', () => {
  test('the validator accepts every class of the allowed list for the default MySQL 8.4 version', () => {
    expect(rejected(MYSQL_84_INSTANCE_CLASSES, SETTINGS.mysqlEngineVersion.default as string)).toEqual([]);
  });

  test('and rejects what the list leaves out: previous generations, and classes MySQL 8.4 does not run on', () => {
    const left = ['db.t2.micro', 'db.t2.small', 'db.m4.large', 'db.r4.large', 'db.t1.micro', 'db.m3.medium'];
    expect(rejected(left, SETTINGS.mysqlEngineVersion.default as string).sort()).toEqual([...left].sort());
  });

  test('the default class is on the list', () => {
    expect(MYSQL_84_INSTANCE_CLASSES).toContain(SETTINGS.dbInstanceClass.default);
  });
});
