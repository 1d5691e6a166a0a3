import type { EnvironmentConfig } from '../../../../lib/settings/config';
import { physicalNames, SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT } from '../../../../lib/settings/names';
import { OUTPUT_KEYS, type OutputName } from '../../../../lib/settings/outputs';
import type { Recorder } from '../checks';
import { ACCOUNT, physicalOf } from '../emulator';
import { checkOutputs, type ResourceOutcome, type Template } from '../outcomes';

/** The stack outputs ZenML's scripts read: present, and equal to what the resources are. */
export function checkOutputValues(
  r: Recorder,
  config: EnvironmentConfig,
  region: string,
  emu: Template,
  outcomes: readonly ResourceOutcome[],
  outputs: Readonly<Record<string, string>>,
) {
  const names = physicalNames(config);
  const bucket = physicalOf(outcomes, 'AWS::S3::Bucket', 'ArtifactStoreBucket');
  const registry = `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com`;
  const expected: Partial<Record<OutputName, string>> = {
    region,
    artifactBucketName: bucket,
    artifactStorePath: `s3://${bucket}`,
    ecrRepositoryUri: `${registry}/${names.ecrRepositoryName}`,
    containerRegistryUri: registry,
    sparkNamespace: SPARK_NAMESPACE,
    sparkServiceAccount: SPARK_SERVICE_ACCOUNT,
    sparkRoleArn: `arn:aws:iam::${ACCOUNT}:role/${config.namePrefix}-spark-pods`,
    databasePort: '3306',
    sparkEventLogDir: `s3a://${bucket}/${config.sparkEventLogPrefix}`,
  };
  for (const [name, want] of Object.entries(expected) as [OutputName, string][]) {
    const key = OUTPUT_KEYS[name];
    r.check('outputs', `${key} = ${want}`, outputs[key] === want, outputs[key] ?? '(missing)');
  }
  const endpoint = outputs[OUTPUT_KEYS.databaseEndpoint] ?? '';
  r.check(
    'outputs',
    'DatabaseEndpoint names the DB instance',
    endpoint.startsWith(`${names.databaseIdentifier}.`),
    endpoint || '(missing)',
  );
  for (const o of checkOutputs(emu, outcomes, outputs)) {
    if (o.dependsOnSkipped.length > 0 && o.value === undefined) {
      r.notModelled(
        'outputs',
        `${o.name} (refers to ${o.dependsOnSkipped.join(', ')})`,
        `the resource it refers to (skipped): moto leaves the output out`,
      );
    } else if (o.value === undefined) {
      r.check('outputs', `${o.name} present`, false, '(missing)');
    }
  }
}
