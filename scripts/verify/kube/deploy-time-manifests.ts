/**
 * The Kubernetes objects a synthesized template makes the cluster's kubectl provider apply at
 * deploy (aws-eks-v2 `Custom::AWSCDK-EKS-KubernetesResource`, property `Manifest`), read from the
 * template itself rather than re-rendered from the charts, so a test applies exactly what a deploy
 * would.
 *
 * A manifest that holds CloudFormation values (a role ARN, a database endpoint) is an `Fn::Join`;
 * each `Ref` / `Fn::GetAtt` / pseudo parameter in it is replaced by a stand-in string that names
 * it (`cfn-<LogicalId>-<Attribute>`), which is what a Kubernetes API server can check: the shape
 * of the object, not the AWS value.
 */

export interface CfnTemplateLike {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export interface DeployTimeManifest {
  /** Logical id of the custom resource in the template. */
  readonly logicalId: string;
  readonly objects: Array<Record<string, unknown>>;
}

const PSEUDO: Record<string, string> = {
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'zenml-spark',
};

/** Resolves the intrinsics a manifest can hold into stand-in strings; throws on any other. */
export function resolveIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [key] = keys;
    const arg = obj[key];
    if (key === 'Ref') return PSEUDO[arg as string] ?? `cfn-${arg}`;
    if (key === 'Fn::GetAtt') {
      const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
      return `cfn-${id}-${String(attr).replace(/\W/g, '-')}`;
    }
    if (key === 'Fn::Join') {
      const [sep, parts] = arg as [string, unknown[]];
      return parts.map((p) => String(resolveIntrinsics(p))).join(sep);
    }
    if (key.startsWith('Fn::')) throw new Error(`manifest holds ${key}, which this reader does not resolve`);
  }
  return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics(obj[k])]));
}

export function deployTimeManifests(template: CfnTemplateLike): DeployTimeManifest[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'Custom::AWSCDK-EKS-KubernetesResource')
    .map(([logicalId, r]) => {
      const manifest = resolveIntrinsics(r.Properties?.Manifest);
      if (typeof manifest !== 'string')
        throw new Error(`${logicalId}: Manifest is not a string after resolving`);
      return { logicalId, objects: JSON.parse(manifest) as Array<Record<string, unknown>> };
    });
}
