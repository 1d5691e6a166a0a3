/**
 * The IAM role the cluster autoscaler uses, through EKS Pod Identity, for
 * kube-system/cluster-autoscaler only, with the upstream AWS policy cut to what a managed node
 * group needs and scoped to this deployment:
 *
 * - resize (SetDesiredCapacity, TerminateInstanceInAutoScalingGroup) only Auto Scaling groups
 *   that EKS created for this account and region (`autoScalingGroupName/eks-*`), that carry this
 *   cluster's tag `k8s.io/cluster-autoscaler/<cluster>=owned` (EKS tags every managed node group's
 *   ASG with it, and with `eks:nodegroup-name`) AND that belong to the Spark pool: the fixed-size
 *   system pool is not the autoscaler's to change;
 * - read this cluster's node groups (eks:DescribeNodegroup): how the autoscaler learns the labels
 *   and taints of a pool that has no node yet (scale from zero, kubernetes/autoscaler#4491);
 * - the describe calls that have no resource-level permissions, on `*` (no action wildcards).
 *
 * Left out of the upstream "full features" policy, with why: autoscaling:DescribeLaunchConfigurations
 * (launch configurations are retired; managed node groups use launch templates) and
 * ec2:GetInstanceTypesFromInstanceRequirements (only for attribute-based instance selection, which
 * a managed node group with a fixed instance type does not use).
 */
import { ArnFormat, Aws, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { wildcardArnFinding } from './finding-ids';

export interface ClusterAutoscalerIdentityProps {
  /** Name of the cluster whose pods may assume the role (a plain string: no wait on the cluster). */
  readonly clusterName: string;
  /** The Spark pool's node group name: the only node group whose size the autoscaler may change. */
  readonly scalableNodegroupName: string;
  readonly roleName: string;
}

/** Describe calls with no resource-level permissions (IAM accepts only `*` for them). */
export const AUTOSCALER_DESCRIBE_ACTIONS = [
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeAutoScalingInstances',
  'autoscaling:DescribeScalingActivities',
  'autoscaling:DescribeTags',
  'ec2:DescribeImages',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeLaunchTemplateVersions',
] as const;

export const AUTOSCALER_RESIZE_ACTIONS = [
  'autoscaling:SetDesiredCapacity',
  'autoscaling:TerminateInstanceInAutoScalingGroup',
] as const;

export class ClusterAutoscalerIdentity extends Construct {
  readonly role: iam.Role;
  readonly policy: iam.Policy;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerIdentityProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const clusterArn = stack.formatArn({
      service: 'eks',
      resource: 'cluster',
      resourceName: props.clusterName,
    });
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Cluster autoscaler of kube-system/cluster-autoscaler (EKS Pod Identity)',
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

    const nodegroupsOfThisCluster = stack.formatArn({
      service: 'eks',
      resource: 'nodegroup',
      resourceName: `${props.clusterName}/*/*`,
    });
    const eksAutoScalingGroups = stack.formatArn({
      service: 'autoscaling',
      resource: 'autoScalingGroup',
      resourceName: '*:autoScalingGroupName/eks-*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // A separate policy, not inline: the role (and the Pod Identity association that names it) does
    // not wait for the node group whose name the resize condition carries.
    this.policy = new iam.Policy(this, 'Policy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'DescribeWithoutResourceLevelPermissions',
          actions: [...AUTOSCALER_DESCRIBE_ACTIONS],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ReadThisClustersNodegroups',
          actions: ['eks:DescribeNodegroup'],
          resources: [nodegroupsOfThisCluster],
        }),
        new iam.PolicyStatement({
          sid: 'ResizeOnlyTheSparkPool',
          actions: [...AUTOSCALER_RESIZE_ACTIONS],
          resources: [eksAutoScalingGroups],
          conditions: {
            StringEquals: {
              [`aws:ResourceTag/k8s.io/cluster-autoscaler/${props.clusterName}`]: 'owned',
              'aws:ResourceTag/eks:nodegroup-name': props.scalableNodegroupName,
            },
          },
        }),
      ],
    });

    Validations.of(this.policy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `Only ${AUTOSCALER_DESCRIBE_ACTIONS.join(', ')}: describe calls IAM authorizes on * alone (no resource-level permissions). No write action is on *.`,
      },
      {
        id: wildcardArnFinding(this, nodegroupsOfThisCluster),
        reason:
          "eks:DescribeNodegroup on this cluster's node groups only; their names and ids are made by CloudFormation and EKS, so the wildcard is the node group part of the ARN.",
      },
      {
        id: wildcardArnFinding(this, eksAutoScalingGroups),
        reason:
          "The Auto Scaling group of a managed node group is named and made by EKS (eks-<node group>-<uuid>), so no ARN can be written down before deploy; the statement's conditions pin it to this cluster's Spark pool by the tags EKS puts on it (k8s.io/cluster-autoscaler/<cluster>=owned, eks:nodegroup-name).",
      },
    );
  }
}
