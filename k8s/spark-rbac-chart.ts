/**
 * The spark namespace, the service account Spark drivers run as, and a namespaced Role that
 * grants exactly what a driver needs to manage its executors. Replaces the reference guide's
 * binding of the service account to the cluster-wide `edit` ClusterRole.
 *
 * This chart is the same object the AWS stack applies at deploy (SparkCluster.addCdk8sChart).
 */
import { Chart, type ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import type { Construct } from 'constructs';
import { SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT } from '../lib/config';

export interface SparkRbacChartProps extends ChartProps {
  /** @default 'spark-namespace' */
  readonly namespaceName?: string;
  /** @default 'spark-service-account' */
  readonly serviceAccountName?: string;
}

/** Resources a Spark driver creates and cleans up for its executors (spark-operator's chart grants the same). */
export const SPARK_DRIVER_RESOURCES = ['pods', 'services', 'configmaps', 'persistentvolumeclaims'] as const;
export const SPARK_DRIVER_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

export class SparkRbacChart extends Chart {
  readonly namespace: kplus.Namespace;
  readonly serviceAccount: kplus.ServiceAccount;
  readonly role: kplus.Role;

  constructor(scope: Construct, id: string, props: SparkRbacChartProps = {}) {
    const namespaceName = props.namespaceName ?? SPARK_NAMESPACE;
    super(scope, id, { ...props, namespace: namespaceName });

    this.namespace = new kplus.Namespace(this, 'Namespace', { metadata: { name: namespaceName } });
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: props.serviceAccountName ?? SPARK_SERVICE_ACCOUNT, namespace: namespaceName },
      // The driver talks to the API server with this token to create executor pods.
      automountToken: true,
    });
    this.role = new kplus.Role(this, 'DriverRole', { metadata: { name: 'spark-driver', namespace: namespaceName } });
    this.role.allow(
      SPARK_DRIVER_VERBS,
      ...SPARK_DRIVER_RESOURCES.map((r) => kplus.ApiResource.custom({ apiGroup: '', resourceType: r })),
    );
    const binding = this.role.bind(this.serviceAccount);
    binding.node.addDependency(this.namespace);
    this.serviceAccount.node.addDependency(this.namespace);
    this.role.node.addDependency(this.namespace);
  }
}
