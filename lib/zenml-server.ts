/**
 * The AWS side of the in-cluster ZenML server: its generated secrets (the bootstrap admin and the
 * JWT signing key, made by Secrets Manager at deploy, never in source or templates), and two EKS
 * Pod Identity roles with only what each pod needs:
 *
 * - the server (`zenml/zenml-server`): ZenML's AWS secrets store on `zenml/*` (the actions it was
 *   measured to call), read of its two secrets, and either `rds-db:connect` as its IAM database
 *   user (zenmlDatabaseAuth=iam) or read of the RDS master secret (password);
 * - the database bootstrap Job (`zenml/zenml-db-bootstrap`, iam mode only): read of the RDS master
 *   secret, nothing else.
 *
 * ZenML 0.98 hard-codes the `zenml/` name prefix of its secrets store, so the server may touch
 * every secret named `zenml/*` in this account and region, those of any other ZenML server there
 * included; IAM cannot narrow it further (the server tags its secrets with its own id, which
 * exists only after the first start). config.ts refuses namePrefix=zenml so that this project's
 * own secrets never fall inside that prefix.
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { wildcardArnFinding } from './finding-ids';
import type { MetadataDatabase } from './metadata-database';
import { PodIdentityRole } from './pod-identity-role';
import type { RemovalBehaviour } from './removal';
import type { ZenmlDatabaseAuth } from './settings/config';
import { ZENML_DB_IAM_USER, ZENML_SECRETS_STORE_PREFIX } from './settings/zenml';

/** What the server calls in Secrets Manager (measured against moto's request log with ZenML 0.98.0). */
export const SECRETS_STORE_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:DescribeSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:TagResource',
  'secretsmanager:DeleteSecret',
] as const;

export const ADMIN_USERNAME = 'admin';

export interface ZenmlServerProps {
  readonly clusterName: string;
  readonly databaseAuth: ZenmlDatabaseAuth;
  readonly database: MetadataDatabase;
  readonly adminSecretName: string;
  readonly jwtSecretName: string;
  /**
   * What `cdk destroy` does with the admin secret: with removalMode=retain the database (a final
   * snapshot) keeps the admin account, so the password it was created with is kept beside it.
   */
  readonly removal: RemovalBehaviour;
  readonly serverRoleName: string;
  readonly bootstrapRoleName: string;
  /**
   * Grant reads of the stack's own secrets and rds-db:connect. Off only in the emulator build: moto
   * skips AWS::SecretsManager::Secret (a policy naming one would be malformed there) and has no
   * DbiResourceId attribute for Fn::GetAtt on its DB instance.
   * @default true
   */
  readonly grantSecretReads?: boolean;
}

export class ZenmlServer extends Construct {
  readonly adminSecret: secretsmanager.Secret;
  readonly jwtSecret: secretsmanager.Secret;
  readonly serverRole: iam.Role;
  /** Present with zenmlDatabaseAuth=iam. */
  readonly bootstrapRole?: iam.Role;

  constructor(scope: Construct, id: string, props: ZenmlServerProps) {
    super(scope, id);
    const grantSecretReads = props.grantSecretReads ?? true;

    this.adminSecret = new secretsmanager.Secret(this, 'AdminCredentials', {
      secretName: props.adminSecretName,
      description: 'ZenML server bootstrap admin (username, password); used once, at the first start',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: ADMIN_USERNAME }),
        generateStringKey: 'password',
        passwordLength: 32,
        // Typed into `zenml login` prompts and shell variables: letters and digits only.
        excludePunctuation: true,
      },
    });
    this.adminSecret.applyRemovalPolicy(props.removal.dataPolicy);
    this.jwtSecret = new secretsmanager.Secret(this, 'JwtSigningKey', {
      secretName: props.jwtSecretName,
      description: 'ZenML server JWT signing key (stable across restarts, so tokens stay valid)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.adminSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'ZenML reads the bootstrap admin password once, when the server first starts, and keeps only its hash: rotating this secret would not change the ZenML password. Change it with `zenml user change-password`.',
    });
    Validations.of(this.jwtSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The server reads its JWT key at start; rotating it would silently invalidate every issued token until a restart. Rotate deliberately: put a new value, then restart the zenml-server Deployment.',
    });

    this.serverRole = new PodIdentityRole(this, 'ServerIdentity', {
      clusterName: props.clusterName,
      roleName: props.serverRoleName,
      description:
        'ZenML server pods (zenml/zenml-server, EKS Pod Identity): secrets store, its secrets, its database user',
    }).role;
    const secretsStore = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${ZENML_SECRETS_STORE_PREFIX}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.serverRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ZenmlSecretsStore',
        actions: [...SECRETS_STORE_ACTIONS],
        resources: [secretsStore],
      }),
    );
    Validations.of(this.serverRole).acknowledge({
      id: wildcardArnFinding(this, secretsStore),
      reason:
        'ZenML 0.98 names every secret of its AWS secrets store zenml/<uuid> and offers no other prefix; the wildcard is that prefix, in this account and region only (namePrefix=zenml is refused so this stack keeps its own secrets outside it).',
    });

    const launcherSecrets = [this.adminSecret, this.jwtSecret];
    if (props.databaseAuth === 'password') launcherSecrets.push(props.database.secret);
    if (grantSecretReads) {
      this.serverRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'LauncherSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: launcherSecrets.map((s) => s.secretArn),
        }),
      );
    }

    if (props.databaseAuth === 'iam') {
      // arn:aws:rds-db:<region>:<account>:dbuser:<DbiResourceId>/zenml_server: this user only.
      if (grantSecretReads) props.database.instance.grantConnect(this.serverRole, ZENML_DB_IAM_USER);
      this.bootstrapRole = new PodIdentityRole(this, 'BootstrapIdentity', {
        clusterName: props.clusterName,
        roleName: props.bootstrapRoleName,
        description: `ZenML database bootstrap Job (zenml/zenml-db-bootstrap, EKS Pod Identity): reads the RDS master secret`,
      }).role;
      if (grantSecretReads) {
        this.bootstrapRole.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'MasterCredentials',
            actions: ['secretsmanager:GetSecretValue'],
            resources: [props.database.secret.secretArn],
          }),
        );
      }
    }
  }
}
