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
} as const;

export type OutputName = keyof typeof OUTPUT_KEYS;

/** Outputs present only with some settings (s3AccessKey=true; emulator leaves out the cluster ones). */
export const OPTIONAL_OUTPUTS: readonly OutputName[] = ['s3SecretArn'];
