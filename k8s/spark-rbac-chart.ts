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
 * Pod Security Admission for the namespace: `restricted` enforced (non-root, no privilege
 * escalation, all capabilities dropped, seccomp, no host namespaces or hostPath). Every pod that
 * runs here meets it: the step Jobs' drivers and executors, and the spark-eks step operator's driver
 * pods and executors (pipeline/zenml_spark_eks). It was `baseline` while ZenML's spark-kubernetes
 * step operator, whose pods set no securityContext, was the registered one.
 */
export const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;

/**
 * What a user who runs ZenML pipelines needs in the namespace: exactly the calls of the spark-eks
 * step operator (pipeline/zenml_spark_eks/step_operators/kubernetes_job_launcher.py) with the user's
 * own credentials. It creates a step's Secret (ZenML's step environment, the API token included),
 * its Job, patches the Secret's ownerReference to the Job, lists Jobs (status), deletes a Job
 * (cancel), lists pods and reads the driver's log, and deletes the Secret. No get or list of
 * secrets: a user cannot read other users' tokens through this Role. No pods create, exec, or
 * anything of the driver's: the pods run as spark-service-account.
 */
export const STEP_SUBMITTER_RULES = [
  { apiGroup: 'batch', resource: 'jobs', verbs: ['create', 'list', 'delete'] },
  { apiGroup: '', resource: 'secrets', verbs: ['create', 'patch', 'delete'] },
  { apiGroup: '', resource: 'pods', verbs: ['list'] },
  { apiGroup: '', resource: 'pods/log', verbs: ['get'] },
] as const;
/** Role and RoleBinding of the step submitters. */
export const STEP_SUBMITTER_ROLE_NAME = 'zenml-step-submitter';
/**
 * The Kubernetes group the RoleBinding names. An IAM principal gets it through an EKS access entry:
 * `aws eks create-access-entry --cluster-name <cluster> --principal-arn <arn> --kubernetes-groups
 * zenml-spark-eks:step-submitters` (cluster admins need nothing: they can do all of it already).
 */
export const STEP_SUBMITTER_GROUP = 'zenml-spark-eks:step-submitters';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class SparkRbacChart extends Chart {
  /** The Namespace object (`namespace`, inherited from Chart, is its name). */
  readonly sparkNamespace: kplus.Namespace;
  readonly serviceAccount: kplus.ServiceAccount;
  readonly role: kplus.Role;
  readonly roleBinding: kplus.RoleBinding;
  /** What pipeline users need to submit steps (STEP_SUBMITTER_RULES), bound to STEP_SUBMITTER_GROUP. */
  readonly submitterRole: kplus.Role;
  readonly submitterRoleBinding: kplus.RoleBinding;

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

    this.submitterRole = new kplus.Role(this, 'StepSubmitterRole', {
      metadata: { name: STEP_SUBMITTER_ROLE_NAME, namespace: namespaceName },
    });
    for (const rule of STEP_SUBMITTER_RULES) {
      this.submitterRole.allow(
        [...rule.verbs],
        kplus.ApiResource.custom({ apiGroup: rule.apiGroup, resourceType: rule.resource }),
      );
    }
    this.submitterRoleBinding = new kplus.RoleBinding(this, 'StepSubmitterRoleBinding', {
      metadata: { name: STEP_SUBMITTER_ROLE_NAME, namespace: namespaceName },
      role: this.submitterRole,
    });
    this.submitterRoleBinding.addSubjects(kplus.Group.fromName(this, 'StepSubmitters', STEP_SUBMITTER_GROUP));
    for (const child of [
      this.serviceAccount,
      this.role,
      this.roleBinding,
      this.submitterRole,
      this.submitterRoleBinding,
    ])
      child.node.addDependency(this.sparkNamespace);
  }
}
