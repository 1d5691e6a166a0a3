/**
 * Pure builder of the commands that connect a deployed stack to ZenML: kubeconfig, the ZenML
 * secrets, the five stack components and the stack itself, registered on the server the client
 * is logged in to (the in-cluster one through `npm run zenml-login`, or zenmlServerUrl). No I/O
 * here: outputs.ts prints or runs what this returns, and the tests check it.
 *
 * Written for the ZenML CLI pinned in requirements/zenml.txt (0.98.0): secrets managers and
 * metadata stores no longer exist there, so secrets are `zenml secret create` and the MySQL
 * database is the ZenML server's own store, configured by the stack on the server. The RDS master
 * credentials are deliberately not copied into a ZenML secret: every ZenML user could read them
 * there, and nothing in a pipeline needs them.
 *
 * The step operator is this project's `spark-eks` flavor (pipeline/zenml_spark_eks, installed by
 * requirements/zenml.txt), registered first with `zenml step-operator flavor register`. ZenML's own
 * `spark-kubernetes` flavor cannot work with this stack (keyless S3, Python 3.11, Java 17: see
 * pipeline/tests/test_upstream_faults.py). Steps run in the prebuilt step image, so the stack has no
 * image builder: nothing is built per run, and the user needs no Docker.
 */
import { ZENML_SERVER_IN_CLUSTER_URL } from '../../lib/settings/zenml';
import { accountOf, type StackOutputs } from './stack-outputs';

export { ZENML_VERSION } from '../../lib/settings/zenml';

/** The flavor class `zenml step-operator flavor register` takes (pipeline/zenml_spark_eks/flavors). */
export const SPARK_EKS_FLAVOR_SOURCE = 'zenml_spark_eks.flavors.SparkEksStepOperatorFlavor';
export const SPARK_EKS_FLAVOR = 'spark-eks';
/**
 * The flavor's default `server_url` (what step pods get as ZENML_STORE_URL, whatever URL the client
 * logged in with: a port-forward gives 127.0.0.1): the in-cluster server's Service. A test holds the
 * Python default to it.
 */
export const STEP_POD_SERVER_URL = ZENML_SERVER_IN_CLUSTER_URL;

/** ZenML secret name the reference guide used; the artifact store refers to it. */
export const S3_SECRET = 's3_authentication';

export interface ZenmlNames {
  readonly artifactStore: string;
  readonly containerRegistry: string;
  readonly stepOperator: string;
  /** ZenML's built-in local orchestrator: steps start from the client, the Spark ones run on EKS. */
  readonly orchestrator: string;
  readonly stack: string;
}

/** ZenML component names: `<prefix>_artifact_store`, ..., `<prefix>_stack` (the guide used prefix `spark`). */
export function zenmlNames(prefix = 'spark'): ZenmlNames {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,40}$/.test(prefix)) {
    throw new Error(`--zenml-prefix '${prefix}': use 1-41 letters, digits, _ or -, starting with a letter`);
  }
  return {
    artifactStore: `${prefix}_artifact_store`,
    containerRegistry: `${prefix}_container_registry`,
    stepOperator: `${prefix}_step_operator`,
    orchestrator: 'default',
    stack: `${prefix}_stack`,
  };
}

/**
 * ZenML pushes step images to `<registry uri>/zenml:<tag>`. The `aws` flavor takes only the registry
 * host (a `/` in its URI is rejected), which fits the default repository `zenml`. With an
 * `ecrRepositoryPrefix` the repository is `<prefix>/zenml`, reachable only through the `default`
 * flavor with the prefix in the URI; that flavor does not log in to ECR itself.
 */
export function containerRegistryCommand(names: ZenmlNames, outputs: StackOutputs): PlannedCommand {
  const [host, ...path] = outputs.ecrRepositoryUri.split('/');
  const repository = path.join('/');
  if (repository === 'zenml') {
    return {
      title: `Container registry: ECR (ZenML pushes images to the '${repository}' repository)`,
      argv: [
        'zenml',
        'container-registry',
        'register',
        names.containerRegistry,
        '--flavor=aws',
        `--uri=${outputs.containerRegistryUri}`,
      ],
    };
  }
  const uri = `${host}/${repository.replace(/\/?zenml$/, '')}`;
  return {
    title:
      `Container registry: ECR repository '${repository}' (default flavor, since the aws flavor cannot hold a path; ` +
      `log Docker in first: aws ecr get-login-password | docker login --username AWS --password-stdin ${host})`,
    argv: [
      'zenml',
      'container-registry',
      'register',
      names.containerRegistry,
      '--flavor=default',
      `--uri=${uri}`,
    ],
  };
}

/** Where a `zenml secret create` command gets its values: a Secrets Manager secret of the stack. */
export interface SecretSource {
  readonly secretArn: string;
  readonly region: string;
}

export interface PlannedCommand {
  /** What the command is for, shown above it. */
  readonly title: string;
  /** Program and arguments, never a secret value. */
  readonly argv: readonly string[];
  /** For `zenml secret create`: `--values` is appended from this secret when printed or run. */
  readonly secretFrom?: SecretSource;
}

export interface Plan {
  readonly kubeconfig: PlannedCommand;
  readonly zenml: readonly PlannedCommand[];
  readonly names: ZenmlNames;
}

export interface PlanOptions {
  /** Prefix of the ZenML component names (default `spark`). */
  readonly prefix?: string;
  /** Tag of the step image in the stack's ECR repository (build-spark-image.sh --print-tag --target zenml-step). */
  readonly stepImageTag: string;
  /** Node group instance type: every step must fit on one such node (settings nodeInstanceType). */
  readonly nodeInstanceType: string;
}

export function buildPlan(outputs: StackOutputs, options: PlanOptions): Plan {
  const names = zenmlNames(options.prefix);
  const region = outputs.region;
  const zenml: PlannedCommand[] = [];
  if (outputs.s3SecretArn) {
    zenml.push({
      title: `ZenML secret ${S3_SECRET}: the access key the artifact store authenticates with (s3AccessKey=true)`,
      argv: ['zenml', 'secret', 'create', S3_SECRET],
      secretFrom: { secretArn: outputs.s3SecretArn, region },
    });
  }
  zenml.push(
    {
      title: outputs.s3SecretArn
        ? 'Artifact store: the S3 bucket, authenticated by the s3_authentication secret'
        : 'Artifact store: the S3 bucket; the client uses your AWS credentials, Spark pods their Pod Identity role',
      argv: [
        'zenml',
        'artifact-store',
        'register',
        names.artifactStore,
        '--flavor=s3',
        `--path=${outputs.artifactStorePath}`,
        ...(outputs.s3SecretArn ? [`--authentication_secret=${S3_SECRET}`] : []),
      ],
    },
    containerRegistryCommand(names, outputs),
    {
      title: `Step operator flavor ${SPARK_EKS_FLAVOR}: this project's (pipeline/zenml_spark_eks, installed by requirements/zenml.txt)`,
      argv: ['zenml', 'step-operator', 'flavor', 'register', SPARK_EKS_FLAVOR_SOURCE],
    },
    stepOperatorCommand(names, outputs, options),
    {
      title: `Stack: the four components together, set active`,
      argv: [
        'zenml',
        'stack',
        'register',
        names.stack,
        '-o',
        names.orchestrator,
        '-a',
        names.artifactStore,
        '-c',
        names.containerRegistry,
        '-s',
        names.stepOperator,
        '--set',
      ],
    },
  );
  return {
    names,
    kubeconfig: {
      title: 'kubectl access to the cluster (your IAM principal must be in clusterAdminPrincipalArns)',
      argv: ['aws', 'eks', 'update-kubeconfig', '--name', outputs.clusterName, '--region', region],
    },
    zenml,
  };
}

/** `arn:aws:eks:<region>:<account>:cluster/<name>`: the kubeconfig context `aws eks update-kubeconfig` creates. */
export function kubeconfigContext(outputs: StackOutputs): string {
  return `arn:aws:eks:${outputs.region}:${accountOf(outputs)}:cluster/${outputs.clusterName}`;
}

/**
 * The spark-eks step operator with the stack's values: each step a Job in the spark namespace whose
 * pod (the step image) is its Spark driver, sized to fit one node of the node group, reporting to
 * the ZenML server at the stack's ZenmlServerUrl (the in-cluster Service, or your own server),
 * submitted with your kubeconfig context for this cluster.
 */
export function stepOperatorCommand(
  names: ZenmlNames,
  outputs: StackOutputs,
  options: PlanOptions,
): PlannedCommand {
  if (!/^[\w][\w.-]{0,127}$/.test(options.stepImageTag)) {
    throw new Error(
      `step image tag '${options.stepImageTag}': a Docker tag (build-spark-image.sh --print-tag --target zenml-step)`,
    );
  }
  return {
    title:
      'Step operator: each step a Spark driver pod on EKS (client mode, keyless S3A, the step image as is; ' +
      'build it once: npm run build-spark-image -- --target zenml-step)',
    argv: [
      'zenml',
      'step-operator',
      'register',
      names.stepOperator,
      `--flavor=${SPARK_EKS_FLAVOR}`,
      `--kubernetes_namespace=${outputs.sparkNamespace}`,
      `--service_account_name=${outputs.sparkServiceAccount}`,
      `--kubernetes_context=${kubeconfigContext(outputs)}`,
      `--region=${outputs.region}`,
      `--node_instance_type=${options.nodeInstanceType}`,
      `--image=${outputs.ecrRepositoryUri}:${options.stepImageTag}`,
      `--server_url=${outputs.zenmlServerUrl}`,
    ],
  };
}

/** Quotes one shell word for bash/zsh only when it needs it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * ZenML wants every secret value as a string; the RDS-generated secret has a numeric `port`.
 * Throws (naming the secret, never its content) when it is not a flat JSON object.
 */
export function secretValuesForZenml(secretString: string, secretId: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new Error(`secret ${secretId} is not JSON; expected an object of key/value pairs`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`secret ${secretId} is not a JSON object of key/value pairs`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

// Reads the secret at paste time, in the user's shell: the value never passes through this tool
// or its output. python3 is there wherever ZenML is; it turns any numeric value into a string.
const STRINGIFY_PY = `import json,sys; print(json.dumps({k: str(v) for k, v in json.load(sys.stdin).items()}))`;

function fetchSecretShell(from: SecretSource, python: string): string {
  return (
    `$(aws secretsmanager get-secret-value --secret-id ${shellQuote(from.secretArn)} --region ${shellQuote(from.region)}` +
    ` --query SecretString --output text | python3 -c ${shellQuote(python)})`
  );
}

/**
 * One command as a line of shell. Secret commands get `--values`: the literal values when the
 * caller passes them (--with-secret-values), else a substitution that fetches them when pasted.
 */
export function renderShell(cmd: PlannedCommand, secretValues?: Record<string, string>): string {
  const words = cmd.argv.map(shellQuote);
  if (cmd.secretFrom) {
    words.push(
      secretValues
        ? `--values=${shellQuote(JSON.stringify(secretValues))}`
        : `--values="${fetchSecretShell(cmd.secretFrom, STRINGIFY_PY)}"`,
    );
  }
  return words.join(' ');
}
