/**
 * Everything the ZenML Spark-on-EKS setup needs, in one CloudFormation stack so that
 * CloudFormation deploys independent branches in parallel (the database and the cluster build at
 * the same time) and one `cdk destroy` removes all of it.
 */
import { Aspects, Aws, CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import type { Construct } from 'constructs';
import { SparkRbacChart } from '../k8s/spark-rbac-chart';
import { ArtifactStore } from './artifact-store';
import { ContainerRegistry } from './container-registry';
import { MetadataDatabase } from './metadata-database';
import { SparkNetwork } from './network';
import { OwnedHandlerLogs } from './owned-handler-logs';
import { removalBehaviour } from './removal';
import { S3AuthenticationSecret } from './s3-authentication-secret';
import type { EnvironmentConfig } from './settings/config';
import {
  DEPLOYMENT_TAG,
  PROJECT_TAG,
  physicalNames,
  SPARK_NAMESPACE,
  SPARK_SERVICE_ACCOUNT,
} from './settings/names';
import { OUTPUT_KEYS, type OutputName } from './settings/outputs';
import { SparkCluster } from './spark-cluster';
import { SparkWorkloadIdentity } from './spark-identity';

export interface ZenmlSparkStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

export class ZenmlSparkStack extends Stack {
  readonly network: SparkNetwork;
  readonly artifactStore: ArtifactStore;
  readonly registry: ContainerRegistry;
  readonly database: MetadataDatabase;
  readonly sparkIdentity: SparkWorkloadIdentity;
  readonly s3Authentication?: S3AuthenticationSecret;
  /** Absent in the emulator build: the local emulator implements no AWS::EKS::* resource. */
  readonly cluster?: SparkCluster;

  constructor(scope: Construct, id: string, props: ZenmlSparkStackProps) {
    super(scope, id, props);
    const { config } = props;
    const names = physicalNames(config);
    const removal = removalBehaviour(config.removalMode);

    Tags.of(this).add(PROJECT_TAG, 'zenml-spark-eks');
    Tags.of(this).add(DEPLOYMENT_TAG, config.deploymentId);
    Aspects.of(this).add(new OwnedHandlerLogs());

    this.network = new SparkNetwork(this, 'Network', {
      cidr: config.vpcCidr,
      availabilityZones: config.availabilityZones,
      natGateways: config.natGateways,
      restrictDefaultSecurityGroup: !config.emulator,
    });

    this.artifactStore = new ArtifactStore(this, 'ArtifactStore', {
      removal,
      versioned: config.bucketVersioning,
      autoDeleteObjects: config.emulator ? false : undefined,
    });

    this.registry = new ContainerRegistry(this, 'ContainerRegistry', {
      repositoryName: names.ecrRepositoryName,
      removal,
    });

    this.database = new MetadataDatabase(this, 'MetadataDatabase', {
      vpc: this.network.vpc,
      instanceClass: config.dbInstanceClass,
      engineVersion: config.mysqlEngineVersion,
      allocatedStorageGiB: config.dbAllocatedStorage,
      instanceIdentifier: names.databaseIdentifier,
      databaseName: names.databaseName,
      username: names.databaseUsername,
      secretName: names.rdsSecretName,
      allowedCidrs: config.mysqlAllowedCidrs,
      allowFromAnywhere: config.allowMysqlFromAnywhere,
      removal,
    });

    this.sparkIdentity = new SparkWorkloadIdentity(this, 'SparkIdentity', {
      clusterName: names.clusterName,
      roleName: `${config.namePrefix}-spark-pods`,
    });
    this.artifactStore.grantReadWrite(this.sparkIdentity.role);
    // The emulator's CloudFormation skips AWS::SecretsManager::Secret; a grant on it would render a
    // statement without a resource there, which IAM rejects (MalformedPolicyDocument).
    if (!config.emulator) this.sparkIdentity.grantSecretRead(this.database.secret);

    if (config.s3AccessKey) {
      this.s3Authentication = new S3AuthenticationSecret(this, 'S3Authentication', {
        artifactStore: this.artifactStore,
        secretName: names.s3SecretName,
        userName: `${config.namePrefix}-zenml-s3`,
      });
      this.sparkIdentity.grantSecretRead(this.s3Authentication.secret);
    }

    if (!config.emulator) {
      const cluster = new SparkCluster(this, 'SparkCluster', {
        vpc: this.network.vpc,
        clusterName: names.clusterName,
        kubernetesVersion: config.kubernetesVersion,
        nodeInstanceType: config.nodeInstanceType,
        nodeMinSize: config.nodeMinSize,
        nodeDesiredSize: config.nodeDesiredSize,
        nodeMaxSize: config.nodeMaxSize,
        endpointPublicCidrs: config.clusterEndpointPublicCidrs,
        adminPrincipalArns: config.clusterAdminPrincipalArns,
        kubectlProvider: config.applyKubernetesManifests,
      });
      this.cluster = cluster;
      this.database.allowFromSecurityGroup(
        'FromCluster',
        cluster.clusterSecurityGroupId,
        'MySQL from the EKS cluster',
      );
      cluster.associatePodIdentity(
        'SparkPodIdentity',
        SPARK_NAMESPACE,
        SPARK_SERVICE_ACCOUNT,
        this.sparkIdentity.role,
      );
      if (config.applyKubernetesManifests) {
        // The very chart `npm run synth` writes to dist/: reviewed once, applied as reviewed.
        cluster.cluster.addCdk8sChart('SparkRbac', new SparkRbacChart(new cdk8s.App(), 'spark-rbac'));
      }
    }

    this.addOutputs();
  }

  private addOutputs() {
    const registryHost = `${Aws.ACCOUNT_ID}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    const values: Partial<Record<OutputName, string>> = {
      region: Aws.REGION,
      artifactBucketName: this.artifactStore.bucket.bucketName,
      artifactStorePath: `s3://${this.artifactStore.bucket.bucketName}`,
      ecrRepositoryUri: this.registry.repository.repositoryUri,
      containerRegistryUri: registryHost,
      sparkNamespace: SPARK_NAMESPACE,
      sparkServiceAccount: SPARK_SERVICE_ACCOUNT,
      sparkRoleArn: this.sparkIdentity.role.roleArn,
      databaseEndpoint: this.database.instance.dbInstanceEndpointAddress,
      databasePort: this.database.instance.dbInstanceEndpointPort,
      rdsSecretArn: this.database.secret.secretArn,
      s3SecretArn: this.s3Authentication?.secret.secretArn,
    };
    if (this.cluster) {
      values.clusterName = this.cluster.cluster.clusterName;
      values.clusterEndpoint = this.cluster.cluster.clusterEndpoint;
      values.sparkMasterUrl = `k8s://${this.cluster.cluster.clusterEndpoint}`;
      values.updateKubeconfigCommand = this.cluster.updateKubeconfigCommand;
    }
    for (const [name, value] of Object.entries(values) as [OutputName, string | undefined][]) {
      if (value !== undefined) new CfnOutput(this, OUTPUT_KEYS[name], { value });
    }
  }
}
