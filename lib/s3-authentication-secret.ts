/**
 * Optional (setting `s3AccessKey`): an IAM user scoped to the artifact bucket whose access key is
 * stored, by CloudFormation, in the `s3_authentication` secret with the schema the reference guide
 * registers in ZenML (aws_access_key_id, aws_secret_access_key, aws_session_token).
 *
 * Off by default: the keyless path (Pod Identity in the cluster, the caller's own credentials on the
 * ZenML client) needs no long-lived key. The key never appears in the template: the secret value is
 * a `Fn::GetAtt` CloudFormation resolves at deploy.
 */
import { SecretValue, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ArtifactStore } from './artifact-store';

export interface S3AuthenticationSecretProps {
  readonly artifactStore: ArtifactStore;
  readonly secretName: string;
  readonly userName: string;
}

export class S3AuthenticationSecret extends Construct {
  readonly user: iam.User;
  readonly group: iam.Group;
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: S3AuthenticationSecretProps) {
    super(scope, id);
    // Permissions sit on a group, not on the user, so the user carries no policy of its own.
    this.group = new iam.Group(this, 'Group', { path: '/zenml-spark-eks/' });
    props.artifactStore.grantReadWrite(this.group);
    this.user = new iam.User(this, 'User', { userName: props.userName, groups: [this.group] });
    const accessKey = new iam.AccessKey(this, 'AccessKey', { user: this.user });
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      secretName: props.secretName,
      description: 'ZenML s3_authentication: access key of the bucket-scoped IAM user',
      secretObjectValue: {
        // The key id is an identifier, not a credential; the secret half is resolved by CloudFormation.
        aws_access_key_id: SecretValue.unsafePlainText(accessKey.accessKeyId),
        aws_secret_access_key: accessKey.secretAccessKey,
        aws_session_token: SecretValue.unsafePlainText(''),
      },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'An IAM access key cannot be rotated by a Secrets Manager rotation Lambda without replacing the user key; rotate by redeploying (the key is opt-in; the default path is keyless).',
    });
  }
}
