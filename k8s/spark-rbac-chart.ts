/**
 * The spark namespace, the service account Spark drivers and executors run as, and a namespaced
 * Role that grants what a driver needs to manage its executors. Replaces the reference guide's
 * binding of the service account to the cluster-wide `edit` ClusterRole.
 *
 * This chart is the same object the AWS stack applies at deploy (SparkCluster.addCdk8sChart): it
 * holds no CDK tokens, only the Namespace and namespaced kinds. AWS access comes from EKS Pod
 * Identity (an association of an IAM role with this namespace/service account in the stack), so
 * the service account carries no role annotation.
 */
import { Chart, type ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import type { Construct } from 'constructs';
import { PART_OF_LABEL, SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT } from '../lib/settings/names';

export interface SparkRbacChartProps extends ChartProps {
  /** @default 'spark-namespace' */
  readonly namespaceName?: string;
  /** @default 'spark-service-account' */
  readonly serviceAccountName?: string;
}

/** Resources a Spark driver creates and cleans up for its executors (spark-operator's chart grants the same). */
export const SPARK_DRIVER_RESOURCES = ['pods', 'services', 'configmaps', 'persistentvolumeclaims'] as const;
export const SPARK_DRIVER_VERBS = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
];

/** Name of the driver Role and of its RoleBinding: stable, so reviewers and `kubectl` can find them. */
export const SPARK_DRIVER_ROLE_NAME = 'spark-driver';

/**
 * Pod Security Admission for the namespace. `baseline` is enforced (no privileged, host-namespace
 * or hostPath pods); `restricted` is audited and warned about but not enforced, because pods that
 * ZenML's spark-kubernetes step operator launches set no securityContext of their own. The Jobs of
 * this repo satisfy `restricted`.
 */
export const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'baseline',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class SparkRbacChart extends Chart {
  /** The Namespace object (`namespace`, inherited from Chart, is its name). */
  readonly sparkNamespace: kplus.Namespace;
  readonly serviceAccount: kplus.ServiceAccount;
  readonly role: kplus.Role;
  readonly roleBinding: kplus.RoleBinding;

  constructor(scope: Construct, id: string, props: SparkRbacChartProps = {}) {
    const namespaceName = props.namespaceName ?? SPARK_NAMESPACE;
    const serviceAccountName = props.serviceAccountName ?? SPARK_SERVICE_ACCOUNT;
    for (const [prop, value] of [
      ['namespaceName', namespaceName],
      ['serviceAccountName', serviceAccountName],
    ] as const) {
      if (!DNS_LABEL.test(value)) {
        throw new Error(
          `${prop}='${value}': must be a DNS label (1-63 of a-z, 0-9 and '-', alphanumeric at both ends)`,
        );
      }
    }
    super(scope, id, {
      ...props,
      namespace: namespaceName,
      labels: { ...PART_OF_LABEL, 'app.kubernetes.io/component': 'spark-rbac', ...props.labels },
    });

    this.sparkNamespace = new kplus.Namespace(this, 'Namespace', {
      metadata: { name: namespaceName, labels: { ...POD_SECURITY_LABELS } },
    });
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: serviceAccountName, namespace: namespaceName },
      // The driver talks to the API server with this token to create executor pods. Executor
      // pods turn the token off in their pod template: they never call the API server.
      automountToken: true,
    });
    this.role = new kplus.Role(this, 'DriverRole', {
      metadata: { name: SPARK_DRIVER_ROLE_NAME, namespace: namespaceName },
    });
    this.role.allow(
      SPARK_DRIVER_VERBS,
      ...SPARK_DRIVER_RESOURCES.map((r) => kplus.ApiResource.custom({ apiGroup: '', resourceType: r })),
    );
    this.roleBinding = new kplus.RoleBinding(this, 'DriverRoleBinding', {
      metadata: { name: SPARK_DRIVER_ROLE_NAME, namespace: namespaceName },
      role: this.role,
    });
    this.roleBinding.addSubjects(this.serviceAccount);
    for (const child of [this.serviceAccount, this.role, this.roleBinding])
      child.node.addDependency(this.sparkNamespace);
  }
}
