/**
 * Names that are contracts with the outside world: physical names derived from the settings, the
 * Kubernetes names the ZenML spark-kubernetes step operator is configured with, and the tags and
 * labels that mark what this project created. One place, so the stack, the charts, the scripts and
 * the docs agree.
 */
import type { EnvironmentConfig } from './config';

/** Physical names derived from the settings. */
export function physicalNames(config: EnvironmentConfig) {
  const p = config.namePrefix;
  return {
    stackName: p,
    clusterName: p,
    databaseIdentifier: `${p}-metadata`,
    databaseName: 'zenml',
    databaseUsername: 'zenml',
    ecrRepositoryName: config.ecrRepositoryPrefix ? `${config.ecrRepositoryPrefix}/zenml` : 'zenml',
    rdsSecretName: `${p}/rds_authentication`,
    s3SecretName: `${p}/s3_authentication`,
    zenmlAdminSecretName: `${p}/zenml-server-admin`,
    zenmlJwtSecretName: `${p}/zenml-server-jwt`,
    zenmlServerRoleName: `${p}-zenml-server`,
    zenmlBootstrapRoleName: `${p}-zenml-db-bootstrap`,
    sparkHistoryRoleName: `${p}-spark-history`,
  } as const;
}

/** Kubernetes names the ZenML spark-kubernetes step operator is configured with. */
export const SPARK_NAMESPACE = 'spark-namespace';
export const SPARK_SERVICE_ACCOUNT = 'spark-service-account';

/** AWS tags on every resource of the stack, so leftovers can be found with the Resource Groups Tagging API. */
export const PROJECT_TAG = 'zenml-spark-eks:project';
export const DEPLOYMENT_TAG = 'zenml-spark-eks:deployment';

/** Kubernetes label on every object of the charts. */
export const PART_OF_LABEL = { 'app.kubernetes.io/part-of': 'zenml-spark-eks' } as const;

/**
 * The cluster autoscaler's Kubernetes names: its Deployment and service account (the stack's Pod
 * Identity association names the service account; `npm run pause` / `resume` scale the Deployment).
 */
export const CLUSTER_AUTOSCALER = {
  namespace: 'kube-system',
  serviceAccount: 'cluster-autoscaler',
  deployment: 'cluster-autoscaler',
} as const;

/** Construct id of the stack; cdk.out/<id>.template.json and every construct path start with it. */
export const STACK_ID = 'ZenmlSpark';
