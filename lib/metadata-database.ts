/**
 * The MySQL database behind the ZenML server: isolated subnets, not publicly accessible,
 * encrypted, backed up, with generated credentials in Secrets Manager (the `rds_authentication`
 * secret) and its own security group that admits 3306 only from named peers.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { ownedLogGroup } from './owned-log-group';
import type { RemovalBehaviour } from './removal';

export interface MetadataDatabaseProps {
  readonly vpc: ec2.IVpc;
  /** `db.<class>.<size>`, e.g. db.t4g.small. */
  readonly instanceClass: string;
  /** An 8.4 full version, e.g. 8.4.10. */
  readonly engineVersion: string;
  readonly allocatedStorageGiB: number;
  /** Fixed so its log groups can be created (and deleted) by the stack rather than by RDS. */
  readonly instanceIdentifier: string;
  readonly databaseName: string;
  readonly username: string;
  /** Secrets Manager name of the generated credentials (ZenML's `rds_authentication`). */
  readonly secretName: string;
  /** CIDRs outside the VPC (VPN, peering) admitted on the MySQL port. */
  readonly allowedCidrs: readonly string[];
  /**
   * The user's explicit override (setting allowMysqlFromAnywhere) for 0.0.0.0/0 in allowedCidrs:
   * only then are the findings that rule causes acknowledged; without it they fail synth.
   * @default false
   */
  readonly allowFromAnywhere?: boolean;
  readonly removal: RemovalBehaviour;
}

const SINGLE_AZ_REASON =
  'Single-AZ by design: the database holds ZenML run metadata for a dev/test environment; 7-day backups and, in retain mode, a final snapshot cover loss.';
const DEFAULT_PORT_REASON =
  'ZenML and MySQL clients expect 3306; the port is reachable only from the cluster security group and explicitly configured CIDRs, inside isolated subnets.';
const DELETION_PROTECTION_REASON =
  'removalMode=destroy is the disposable dev setting: deletion protection would block `cdk destroy`. removalMode=retain turns it on.';

const ANYWHERE = '0.0.0.0/0';

/** Engine log types exported to CloudWatch; their log groups are owned by the stack. */
const LOG_EXPORTS = ['error', 'slowquery'] as const;

export class MetadataDatabase extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly securityGroup: ec2.SecurityGroup;
  readonly secret: rds.DatabaseSecret;
  readonly port = 3306;

  constructor(scope: Construct, id: string, props: MetadataDatabaseProps) {
    super(scope, id);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'ZenML metadata MySQL: 3306 from the EKS cluster and configured CIDRs only',
      // MySQL never initiates connections; no egress keeps a compromised DB from calling out.
      allowAllOutbound: false,
    });
    for (const cidr of props.allowedCidrs) {
      this.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(this.port), `MySQL from ${cidr}`);
    }
    if (props.allowFromAnywhere && props.allowedCidrs.includes(ANYWHERE)) this.acknowledgeOpenToInternet();

    this.secret = new rds.DatabaseSecret(this, 'Credentials', {
      username: props.username,
      dbname: props.databaseName,
      secretName: props.secretName,
      // Characters that break MySQL URLs and shell quoting in `zenml secret create --password=...`.
      excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\=,^',
    });
    // In retain mode the final snapshot keeps this password: the secret is kept with it (a new deploy
    // of the same prefix meets it again; preflight says how to adopt or remove it).
    this.secret.applyRemovalPolicy(props.removal.dataPolicy);

    const logGroups = LOG_EXPORTS.map((type) =>
      ownedLogGroup(this, `${type[0].toUpperCase()}${type.slice(1)}Logs`, {
        logGroupName: `/aws/rds/instance/${props.instanceIdentifier}/${type}`,
        removalPolicy: props.removal.dataPolicy,
      }),
    );

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine: rds.DatabaseInstanceEngine.mysql({
        version: rds.MysqlEngineVersion.of(props.engineVersion, majorOf(props.engineVersion)),
      }),
      instanceType: new ec2.InstanceType(props.instanceClass.replace(/^db\./, '')),
      instanceIdentifier: props.instanceIdentifier,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      port: this.port,
      publiclyAccessible: false,
      credentials: rds.Credentials.fromSecret(this.secret),
      databaseName: props.databaseName,
      allocatedStorage: props.allocatedStorageGiB,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
      iamAuthentication: true,
      multiAz: false,
      backupRetention: Duration.days(7),
      // Automated backups outlive the instance unless told otherwise: in destroy mode nothing may remain.
      deleteAutomatedBackups: props.removal.dataPolicy === RemovalPolicy.DESTROY,
      deletionProtection: props.removal.deletionProtection,
      // retain mode: CloudFormation takes a final snapshot before deleting the instance.
      removalPolicy:
        props.removal.dataPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.SNAPSHOT,
      cloudwatchLogsExports: [...LOG_EXPORTS],
      autoMinorVersionUpgrade: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    });
    for (const group of logGroups) this.instance.node.addDependency(group);

    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-RDS3',
      reason: SINGLE_AZ_REASON,
    });
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason: DEFAULT_PORT_REASON,
    });
    if (!props.removal.deletionProtection) {
      Validations.of(this.instance).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason: DELETION_PROTECTION_REASON,
      });
    }
    Validations.of(this.instance).acknowledge(
      { id: 'cdk-validator-cfnguard::rds_instance_multi_az_support_check', reason: SINGLE_AZ_REASON },
      { id: 'cdk-validator-cfnguard::rds_instance_no_default_ports_check', reason: DEFAULT_PORT_REASON },
      {
        id: 'cdk-validator-cfnguard::rds_instance_enhanced_monitoring_enabled_check',
        reason:
          'Basic CloudWatch metrics and the error/slow-query log exports suffice for a metadata store this small; enhanced monitoring adds a role and per-second agent cost.',
      },
      {
        id: 'cdk-validator-cfnguard::rds_storage_encrypted_kms_key_check',
        reason:
          'Storage is encrypted with the AWS-managed aws/rds key; a customer-managed key adds cost and a key that must outlive every snapshot taken in retain mode.',
      },
    );
    if (!props.removal.deletionProtection) {
      Validations.of(this.instance).acknowledge({
        id: 'cdk-validator-cfnguard::rds_instance_deletion_protection_enabled_check',
        reason: DELETION_PROTECTION_REASON,
      });
    }
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'ZenML keeps a copy of these credentials in its own secret store (rds_authentication); automatic rotation would silently break it. Rotate deliberately and re-run the zenml command.',
    });
  }

  /**
   * The four findings a 0.0.0.0/0 rule on 3306 causes, acknowledged on this security group only, and
   * only when the user set the override: the reason says who decided and what still protects it.
   */
  private acknowledgeOpenToInternet(): void {
    const reason =
      'allowMysqlFromAnywhere=true: the deployer explicitly admitted 0.0.0.0/0 on 3306 (mysqlAllowedCidrs). ' +
      'The instance stays in isolated subnets without a public address, TLS and the generated password still apply.';
    Validations.of(this.securityGroup).acknowledge(
      { id: 'AwsSolutions-EC23', reason },
      { id: 'cdk-validator-cfnguard::vpc_sg_open_only_to_authorized_ports_check', reason },
      { id: 'cdk-validator-cfnguard::vpc_sg_restricted_common_ports_check', reason },
      { id: 'CloudFormation-Validate::W2508', reason },
    );
  }

  /**
   * Admit MySQL from another security group (the EKS cluster's). A standalone ingress resource, not an
   * inline rule, so the database does not wait for the cluster to exist: both deploy in parallel.
   */
  allowFromSecurityGroup(
    id: string,
    sourceSecurityGroupId: string,
    description: string,
  ): ec2.CfnSecurityGroupIngress {
    return new ec2.CfnSecurityGroupIngress(this, id, {
      groupId: this.securityGroup.securityGroupId,
      sourceSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: this.port,
      toPort: this.port,
      description,
    });
  }
}

function majorOf(fullVersion: string): string {
  return fullVersion.split('.').slice(0, 2).join('.');
}
