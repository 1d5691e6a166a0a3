/**
 * The IAM role Spark drivers and executors use, through EKS Pod Identity, for the
 * spark-service-account only: read/write on the artifact bucket and read of this project's
 * secrets. No static keys in pods, nothing on the node role.
 *
 * Pod Identity rather than IRSA: the role's trust is the EKS service principal, so the role does
 * not wait for the cluster's OIDC provider, and the AWS SDK v2 bundle hadoop-aws uses in the
 * Spark image (>= 2.21.30) and boto3 (>= 1.34.41) both read Pod Identity credentials.
 */
import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface SparkWorkloadIdentityProps {
  /** Name of the cluster whose pods may assume the role (a plain string: no wait on the cluster). */
  readonly clusterName: string;
  readonly roleName: string;
}

export class SparkWorkloadIdentity extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SparkWorkloadIdentityProps) {
    super(scope, id);
    const clusterArn = Stack.of(this).formatArn({
      service: 'eks',
      resource: 'cluster',
      resourceName: props.clusterName,
    });
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Spark pods of spark-namespace/spark-service-account (EKS Pod Identity)',
      // Pod Identity tags the session (cluster, namespace, service account), so TagSession is needed too.
      // Confused-deputy guard: only the Pod Identity agent acting for this account's named cluster.
      assumedBy: new iam.SessionTagsPrincipal(
        new iam.ServicePrincipal('pods.eks.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
            ArnEquals: { 'aws:SourceArn': clusterArn },
          },
        }),
      ),
    });
  }

  /** Read one secret's value (and nothing else in Secrets Manager). */
  grantSecretRead(secret: secretsmanager.ISecret): void {
    secret.grantRead(this.role);
  }
}
