/**
 * Reads the deployed stack (CloudFormation DescribeStacks) and turns it into typed, checked
 * outputs, or into one error that names the stack, its state and what to do about it.
 */
import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import {
  OPTIONAL_OUTPUTS,
  type OptionalOutputName,
  OUTPUT_KEYS,
  type OutputName,
} from '../../lib/settings/outputs';
import { errorName, explainAwsError } from '../lib/aws-clients';
import { CliError } from '../lib/cli';

export interface DeployedStack {
  readonly stackName: string;
  readonly stackId: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly lastUpdated?: Date;
  /** Every output of the stack by its key, as CloudFormation returns it. */
  readonly rawOutputs: Readonly<Record<string, string>>;
}

export type StackOutputs = { readonly [K in Exclude<OutputName, OptionalOutputName>]: string } & {
  readonly [K in OptionalOutputName]?: string;
};

/** The stack, or undefined when there is none by that name (deleted stacks are not found by name). */
export async function describeStack(
  cfn: CloudFormationClient,
  stackName: string,
): Promise<DeployedStack | undefined> {
  let s: Stack | undefined;
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    s = res.Stacks?.[0];
  } catch (e) {
    if (errorName(e) === 'ValidationError' && /does not exist/.test((e as Error).message)) return undefined;
    throw explainAwsError(
      e,
      `reading stack '${stackName}'`,
      await cfn.config.region().catch(() => undefined),
    );
  }
  if (!s?.StackStatus) return undefined;
  const rawOutputs: Record<string, string> = {};
  for (const o of s.Outputs ?? [])
    if (o.OutputKey && o.OutputValue !== undefined) rawOutputs[o.OutputKey] = o.OutputValue;
  return {
    stackName: s.StackName ?? stackName,
    stackId: s.StackId ?? '',
    status: s.StackStatus,
    statusReason: s.StackStatusReason,
    lastUpdated: s.LastUpdatedTime ?? s.CreationTime,
    rawOutputs,
  };
}

export type StackCondition = 'ready' | 'rolled-back-update' | 'in-progress' | 'failed' | 'deleted';

/**
 * What a CloudFormation stack status means for a user who wants its outputs. An update that rolled
 * back leaves the previous deploy running, so its outputs are still right: usable, with a warning.
 */
export function stackCondition(status: string): StackCondition {
  if (/^(CREATE|UPDATE|IMPORT)_COMPLETE$/.test(status)) return 'ready';
  if (/^(UPDATE|IMPORT)_ROLLBACK_COMPLETE$/.test(status)) return 'rolled-back-update';
  if (status === 'DELETE_COMPLETE') return 'deleted';
  if (status.endsWith('_IN_PROGRESS')) return 'in-progress';
  return 'failed';
}

function advice(stackName: string, status: string): string {
  if (status === 'ROLLBACK_COMPLETE' || status === 'CREATE_FAILED' || status === 'ROLLBACK_FAILED') {
    return `its first deploy failed; read why with 'aws cloudformation describe-stack-events --stack-name ${stackName}', then 'npm run cdk -- destroy' and deploy again`;
  }
  if (status === 'UPDATE_ROLLBACK_FAILED') {
    return `fix the cause, then 'aws cloudformation continue-update-rollback --stack-name ${stackName}'`;
  }
  if (status === 'DELETE_FAILED')
    return `'npm run cdk -- destroy' again once the blocking resource is removed`;
  if (status.endsWith('_IN_PROGRESS'))
    return `wait until it finishes ('npm run status' shows it), then retry`;
  return `read why with 'aws cloudformation describe-stack-events --stack-name ${stackName}'`;
}

/** The stack must exist and be usable; otherwise one error naming the stack and its state. */
export function requireUsable(
  stack: DeployedStack | undefined,
  stackName: string,
  where: string,
): DeployedStack {
  if (!stack || stackCondition(stack.status) === 'deleted') {
    throw new CliError(
      `stack '${stackName}' not found in ${where}; deploy it first ('npm run cdk -- deploy'), or pass --stack/--region`,
    );
  }
  const condition = stackCondition(stack.status);
  if (condition === 'ready' || condition === 'rolled-back-update') return stack;
  const reason = stack.statusReason ? ` (${stack.statusReason})` : '';
  throw new CliError(
    `stack '${stack.stackName}' is in state ${stack.status}${reason}, so its outputs cannot be used: ${advice(stack.stackName, stack.status)}`,
  );
}

const CLUSTER_OUTPUTS: readonly OutputName[] = [
  'clusterName',
  'clusterEndpoint',
  'sparkMasterUrl',
  'updateKubeconfigCommand',
];

const SHAPES: Partial<Record<OutputName, [RegExp, string]>> = {
  region: [/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'an AWS region name'],
  artifactStorePath: [/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 's3://<bucket>'],
  containerRegistryUri: [
    /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/,
    '<account>.dkr.ecr.<region>.amazonaws.com, with no path (ZenML rejects a / in it)',
  ],
  ecrRepositoryUri: [
    /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9._/-]+$/,
    '<registry>/<repository>',
  ],
  clusterEndpoint: [/^https:\/\/\S+$/, 'an https:// URL'],
  sparkMasterUrl: [/^k8s:\/\/https:\/\/\S+$/, 'k8s://https://<cluster endpoint>'],
  sparkRoleArn: [/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/, 'an IAM role ARN'],
  databasePort: [/^\d{2,5}$/, 'a TCP port number'],
  rdsSecretArn: [/^arn:aws[a-z-]*:secretsmanager:\S+:\d{12}:secret:\S+$/, 'a Secrets Manager secret ARN'],
  s3SecretArn: [/^arn:aws[a-z-]*:secretsmanager:\S+:\d{12}:secret:\S+$/, 'a Secrets Manager secret ARN'],
  zenmlAdminSecretArn: [
    /^arn:aws[a-z-]*:secretsmanager:\S+:\d{12}:secret:\S+$/,
    'a Secrets Manager secret ARN',
  ],
  zenmlServerUrl: [/^https?:\/\/[^\s/]+(\/\S*)?$/, 'an http(s) URL'],
  sparkEventLogDir: [
    /^s3a:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S*\/$/,
    "s3a://<bucket>/<prefix>/ (ending with '/')",
  ],
};

/**
 * Checks the outputs are all there and look like what the scripts expect. All problems are
 * reported at once, each naming the output key and its value.
 */
export function parseStackOutputs(stack: DeployedStack): StackOutputs {
  const out: Partial<Record<OutputName, string>> = {};
  const missing: string[] = [];
  const malformed: string[] = [];
  for (const [name, key] of Object.entries(OUTPUT_KEYS) as [OutputName, string][]) {
    const value = stack.rawOutputs[key];
    if (value === undefined || value === '') {
      if (!OPTIONAL_OUTPUTS.includes(name)) missing.push(key);
      continue;
    }
    const shape = SHAPES[name];
    if (shape && !shape[0].test(value)) malformed.push(`${key}='${value}' (expected ${shape[1]})`);
    out[name] = value;
  }
  if (missing.length > 0) {
    const noCluster = CLUSTER_OUTPUTS.every((n) => missing.includes(OUTPUT_KEYS[n]));
    throw new CliError(
      `stack '${stack.stackName}' (${stack.status}) lacks output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` +
        (noCluster
          ? '; it has no EKS cluster (deployed with emulator=true?)'
          : '; is it a stack of this app? redeploy it with this version'),
    );
  }
  if (
    out.ecrRepositoryUri &&
    out.containerRegistryUri &&
    !out.ecrRepositoryUri.startsWith(`${out.containerRegistryUri}/`)
  ) {
    malformed.push(
      `EcrRepositoryUri='${out.ecrRepositoryUri}' (expected to start with ContainerRegistryUri/)`,
    );
  }
  if (out.clusterEndpoint && out.sparkMasterUrl && out.sparkMasterUrl !== `k8s://${out.clusterEndpoint}`) {
    malformed.push(`SparkMasterUrl='${out.sparkMasterUrl}' (expected k8s:// + ClusterEndpoint)`);
  }
  if (malformed.length > 0) {
    throw new CliError(`stack '${stack.stackName}' has unexpected output values: ${malformed.join('; ')}`);
  }
  return out as StackOutputs;
}

/** The account id, from the registry host (the one output that always carries it). */
export function accountOf(outputs: Pick<StackOutputs, 'containerRegistryUri'>): string {
  return outputs.containerRegistryUri.split('.')[0];
}

/** describeStack + requireUsable + parseStackOutputs: what `outputs` and `render-manifests` need. */
export async function readStackOutputs(
  cfn: CloudFormationClient,
  stackName: string,
  where: string,
): Promise<{ stack: DeployedStack; outputs: StackOutputs }> {
  const stack = requireUsable(await describeStack(cfn, stackName), stackName, where);
  return { stack, outputs: parseStackOutputs(stack) };
}
