/**
 * CloudFormation output keys of the environment stack: the contract between the stack and the
 * scripts that read a deployed stack (outputs, zenml, status) and the manifest renderer.
 */
export const OUTPUT_KEYS = {
  region: 'Region',
  artifactBucketName: 'ArtifactBucketName',
  artifactStorePath: 'ArtifactStorePath',
  ecrRepositoryUri: 'EcrRepositoryUri',
  containerRegistryUri: 'ContainerRegistryUri',
  clusterName: 'ClusterName',
  clusterEndpoint: 'ClusterEndpoint',
  sparkMasterUrl: 'SparkMasterUrl',
  sparkNamespace: 'SparkNamespace',
  sparkServiceAccount: 'SparkServiceAccount',
  sparkRoleArn: 'SparkRoleArn',
  databaseEndpoint: 'DatabaseEndpoint',
  databasePort: 'DatabasePort',
  rdsSecretArn: 'RdsAuthenticationSecretArn',
  s3SecretArn: 'S3AuthenticationSecretArn',
  updateKubeconfigCommand: 'UpdateKubeconfigCommand',
  zenmlServerUrl: 'ZenmlServerUrl',
  zenmlServerNamespace: 'ZenmlServerNamespace',
  zenmlAdminSecretArn: 'ZenmlServerAdminSecretArn',
  sparkEventLogDir: 'SparkEventLogDir',
  sparkHistoryNamespace: 'SparkHistoryNamespace',
} as const;

export type OutputName = keyof typeof OUTPUT_KEYS;

/**
 * Outputs present only with some settings: the S3 secret with s3AccessKey=true; the database and
 * the in-cluster server's only with zenmlServer=true (the emulator leaves out the cluster ones).
 * ZenmlServerUrl is always there: the Service URL of the in-cluster server (what step pods use;
 * clients reach it through `npm run zenml-login`), or the zenmlServerUrl setting. SparkEventLogDir
 * is always there (event logs are written whether or not the history server runs);
 * SparkHistoryNamespace only with sparkHistoryServer=true and a cluster.
 */
const OPTIONAL = [
  's3SecretArn',
  'databaseEndpoint',
  'databasePort',
  'rdsSecretArn',
  'zenmlServerNamespace',
  'zenmlAdminSecretArn',
  'sparkHistoryNamespace',
] as const satisfies readonly OutputName[];
export type OptionalOutputName = (typeof OPTIONAL)[number];
export const OPTIONAL_OUTPUTS: readonly OutputName[] = OPTIONAL;
