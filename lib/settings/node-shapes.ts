/**
 * The node instance types the Spark sizing knows (k8s/spark-sizing.ts does the arithmetic with
 * them), on the ground floor because the settings accept only these types: a value of
 * `nodeInstanceType` outside them is rejected at synth.
 */

export interface NodeShape {
  readonly instanceType: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  /** ENIs x (IPv4 addresses per ENI - 1) + 2, as in amazon-eks-ami eni-max-pods.txt. */
  readonly maxPods: number;
}

/**
 * x86_64 instance types whose numbers are written down here (the image is built for linux/amd64);
 * the default node group uses t3a.xlarge. maxPods from amazon-eks-ami eni-max-pods.txt.
 */
export const NODE_SHAPES: Readonly<Record<string, NodeShape>> = {
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
