/**
 * An IAM role for the pods of one Kubernetes service account, through EKS Pod Identity: trusted by
 * the Pod Identity service principal for this account's named cluster only (the confused-deputy
 * guard), with sts:TagSession because Pod Identity tags the session with the cluster, namespace
 * and service account. The stack associates it with the service account (SparkCluster
 * .associatePodIdentity); the role carries no permission until a grant adds one.
 */
import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface PodIdentityRoleProps {
  /** Name of the cluster whose pods may assume the role (a plain string: no wait on the cluster). */
  readonly clusterName: string;
  readonly roleName: string;
  readonly description: string;
}

export class PodIdentityRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    const clusterArn = Stack.of(this).formatArn({
      service: 'eks',
      resource: 'cluster',
      resourceName: props.clusterName,
    });
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: props.description,
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
}
