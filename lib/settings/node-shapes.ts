/**
 * The node instance types the sizing knows (lib/settings/sizing.ts does the arithmetic with them),
 * on the ground floor because the settings accept only these types: a value of `nodeInstanceType`
 * or `systemNodeInstanceType` outside them is rejected at synth, and so is a type the pool's pods
 * do not fit on.
 */

export interface NodeShape {
  readonly instanceType: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  /** ENIs x (IPv4 addresses per ENI - 1) + 2, as in amazon-eks-ami eni-max-pods.txt. */
  readonly maxPods: number;
}

/**
 * x86_64 instance types whose numbers are written down here (the Spark image is built for
 * linux/amd64, both pools use the AL2023 x86_64 AMI); the Spark pool defaults to t3a.xlarge, the
 * system pool to t3a.medium. maxPods from amazon-eks-ami eni-max-pods.txt.
 */
export const NODE_SHAPES: Readonly<Record<string, NodeShape>> = {
  't3a.small': shape('t3a.small', 2, 2, 8),
  't3a.medium': shape('t3a.medium', 2, 4, 17),
  't3.medium': shape('t3.medium', 2, 4, 17),
  'm5.large': shape('m5.large', 2, 8, 29),
  't3a.large': shape('t3a.large', 2, 8, 35),
  't3a.xlarge': shape('t3a.xlarge', 4, 16, 58),
  't3a.2xlarge': shape('t3a.2xlarge', 8, 32, 58),
  't3.xlarge': shape('t3.xlarge', 4, 16, 58),
  't3.2xlarge': shape('t3.2xlarge', 8, 32, 58),
  'm5.xlarge': shape('m5.xlarge', 4, 16, 58),
  'm5.2xlarge': shape('m5.2xlarge', 8, 32, 58),
  'm6a.xlarge': shape('m6a.xlarge', 4, 16, 58),
  'm6a.2xlarge': shape('m6a.2xlarge', 8, 32, 58),
  'm6i.xlarge': shape('m6i.xlarge', 4, 16, 58),
  'm6i.2xlarge': shape('m6i.2xlarge', 8, 32, 58),
  'm7i.xlarge': shape('m7i.xlarge', 4, 16, 58),
  'r5.xlarge': shape('r5.xlarge', 4, 32, 58),
  'r6i.xlarge': shape('r6i.xlarge', 4, 32, 58),
};

function shape(instanceType: string, vcpus: number, memoryGiB: number, maxPods: number): NodeShape {
  return { instanceType, vcpus, memoryMiB: memoryGiB * 1024, maxPods };
}

export const DEFAULT_NODE_INSTANCE_TYPE = 't3a.xlarge';
/** Burstable and small: the system pool's pods idle almost all the time (lib/settings/sizing.ts). */
export const DEFAULT_SYSTEM_NODE_INSTANCE_TYPE = 't3a.medium';
