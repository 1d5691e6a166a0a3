import { StackStatus } from '@aws-sdk/client-cloudformation';
import { OUTPUT_KEYS } from '../../../lib/settings/outputs';
import { CliError } from '../../../scripts/lib/cli';
import {
  accountOf,
  type DeployedStack,
  parseStackOutputs,
  requireUsable,
  stackCondition,
} from '../../../scripts/operate/stack-outputs';

const RAW: Record<string, string> = {
  [OUTPUT_KEYS.region]: 'eu-west-1',
  [OUTPUT_KEYS.artifactBucketName]: 'zenml-spark-artifacts',
  [OUTPUT_KEYS.artifactStorePath]: 's3://zenml-spark-artifacts',
  [OUTPUT_KEYS.ecrRepositoryUri]: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/zenml',
  [OUTPUT_KEYS.containerRegistryUri]: '111122223333.dkr.ecr.eu-west-1.amazonaws.com',
  [OUTPUT_KEYS.clusterName]: 'zenml-spark',
  [OUTPUT_KEYS.clusterEndpoint]: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
  [OUTPUT_KEYS.sparkMasterUrl]: 'k8s://https://ABC.gr7.eu-west-1.eks.amazonaws.com',
  [OUTPUT_KEYS.sparkNamespace]: 'spark-namespace',
  [OUTPUT_KEYS.sparkServiceAccount]: 'spark-service-account',
  [OUTPUT_KEYS.sparkRoleArn]: 'arn:aws:iam::111122223333:role/spark',
  [OUTPUT_KEYS.databaseEndpoint]: 'db.example.eu-west-1.rds.amazonaws.com',
  [OUTPUT_KEYS.databasePort]: '3306',
  [OUTPUT_KEYS.rdsSecretArn]:
    'arn:aws:secretsmanager:eu-west-1:111122223333:secret:zenml-spark/rds_authentication-AbC',
  [OUTPUT_KEYS.updateKubeconfigCommand]: 'aws eks update-kubeconfig --name zenml-spark --region eu-west-1',
  [OUTPUT_KEYS.zenmlServerUrl]: 'http://zenml-server.zenml.svc:8080',
  [OUTPUT_KEYS.sparkEventLogDir]: 's3a://zenml-spark-artifacts/spark-events/',
};

function stack(status: string, rawOutputs: Record<string, string> = RAW): DeployedStack {
  return { stackName: 'zenml-spark', stackId: 'id', status, rawOutputs };
}

describe('stackCondition', () => {
  test('classifies every CloudFormation stack status the SDK knows', () => {
    const byCondition: Record<string, string[]> = {};
    for (const status of Object.values(StackStatus)) {
      const condition = stackCondition(status);
      byCondition[condition] = [...(byCondition[condition] ?? []), status];
    }

    expect(byCondition.ready.sort()).toEqual(['CREATE_COMPLETE', 'IMPORT_COMPLETE', 'UPDATE_COMPLETE']);
    expect(byCondition['rolled-back-update'].sort()).toEqual([
      'IMPORT_ROLLBACK_COMPLETE',
      'UPDATE_ROLLBACK_COMPLETE',
    ]);
    expect(byCondition.deleted).toEqual(['DELETE_COMPLETE']);
    expect(byCondition.failed).toEqual(
      expect.arrayContaining([
        'CREATE_FAILED',
        'ROLLBACK_COMPLETE',
        'ROLLBACK_FAILED',
        'UPDATE_ROLLBACK_FAILED',
        'DELETE_FAILED',
      ]),
    );
    expect(byCondition['in-progress']).toEqual(
      expect.arrayContaining(['REVIEW_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS']),
    );
    expect(byCondition.failed.every((s) => !s.endsWith('_IN_PROGRESS'))).toBe(true);
  });
});

describe('requireUsable', () => {
  test('a missing stack names the stack and where it looked', () => {
    expect(() => requireUsable(undefined, 'zenml-spark', 'region eu-west-1')).toThrow(
      "stack 'zenml-spark' not found in region eu-west-1; deploy it first ('npm run cdk -- deploy'), or pass --stack/--region",
    );
  });

  test.each([
    'ROLLBACK_COMPLETE',
    'CREATE_FAILED',
    'UPDATE_ROLLBACK_FAILED',
    'DELETE_FAILED',
    'CREATE_IN_PROGRESS',
  ])('%s is one error naming the stack and the state', (status) => {
    let err: CliError | undefined;
    try {
      requireUsable(stack(status), 'zenml-spark', 'r');
    } catch (e) {
      err = e as CliError;
    }
    expect(err).toBeInstanceOf(CliError);
    expect(err?.message).toMatch(new RegExp(`^stack 'zenml-spark' is in state ${status}`));
    expect(err?.message.split('\n')).toHaveLength(1);
  });

  test('a rolled-back update keeps the previous, working outputs', () => {
    expect(requireUsable(stack('UPDATE_ROLLBACK_COMPLETE'), 'zenml-spark', 'r').status).toBe(
      'UPDATE_ROLLBACK_COMPLETE',
    );
  });
});

describe('parseStackOutputs', () => {
  test('all outputs present: typed values, the S3 secret optional', () => {
    const out = parseStackOutputs(stack('CREATE_COMPLETE'));
    expect(out.sparkMasterUrl).toBe('k8s://https://ABC.gr7.eu-west-1.eks.amazonaws.com');
    expect(out.s3SecretArn).toBeUndefined();
    expect(accountOf(out)).toBe('111122223333');
  });

  test('missing outputs are all named at once', () => {
    const { ZenmlServerUrl: _u, SparkRoleArn: _r, ...rest } = RAW;
    expect(() => parseStackOutputs(stack('CREATE_COMPLETE', rest))).toThrow(
      /^stack 'zenml-spark' \(CREATE_COMPLETE\) lacks outputs SparkRoleArn, ZenmlServerUrl;/,
    );
  });

  test('a stack without the cluster outputs is recognised as an emulator build', () => {
    const {
      ClusterName: _a,
      ClusterEndpoint: _b,
      SparkMasterUrl: _c,
      UpdateKubeconfigCommand: _d,
      ...rest
    } = RAW;
    expect(() => parseStackOutputs(stack('CREATE_COMPLETE', rest))).toThrow(
      /no EKS cluster \(deployed with emulator=true\?\)/,
    );
  });

  test.each([
    [
      OUTPUT_KEYS.containerRegistryUri,
      '111122223333.dkr.ecr.eu-west-1.amazonaws.com/zenml',
      /ZenML rejects a \/ in it/,
    ],
    [OUTPUT_KEYS.sparkMasterUrl, 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', /k8s:\/\/https/],
    [OUTPUT_KEYS.artifactStorePath, 'zenml-spark-artifacts', /s3:\/\/<bucket>/],
    [OUTPUT_KEYS.databasePort, 'mysql', /TCP port/],
  ])('%s=%p is rejected with the key, the value and the expected form', (key, value, expected) => {
    expect(() => parseStackOutputs(stack('CREATE_COMPLETE', { ...RAW, [key]: value }))).toThrow(
      new RegExp(`${key}='${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' \\(expected .*`),
    );
    expect(() => parseStackOutputs(stack('CREATE_COMPLETE', { ...RAW, [key]: value }))).toThrow(expected);
  });

  test('a master URL that does not point at the cluster endpoint is rejected', () => {
    const raw = {
      ...RAW,
      [OUTPUT_KEYS.sparkMasterUrl]: 'k8s://https://OTHER.gr7.eu-west-1.eks.amazonaws.com',
    };
    expect(() => parseStackOutputs(stack('CREATE_COMPLETE', raw))).toThrow(
      /expected k8s:\/\/ \+ ClusterEndpoint/,
    );
  });
});
