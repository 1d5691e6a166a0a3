import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackOutputs } from '../../../scripts/operate/stack-outputs';
import {
  buildPlan,
  containerRegistryCommand,
  kubeconfigContext,
  renderShell,
  S3_SECRET,
  SPARK_EKS_FLAVOR,
  SPARK_EKS_FLAVOR_SOURCE,
  STEP_POD_SERVER_URL,
  secretValuesForZenml,
  shellQuote,
  stepOperatorCommand,
  zenmlNames,
} from '../../../scripts/operate/zenml-commands';

const OUTPUTS: StackOutputs = {
  region: 'eu-west-1',
  artifactBucketName: 'zenml-spark-artifacts-1a2b',
  artifactStorePath: 's3://zenml-spark-artifacts-1a2b',
  ecrRepositoryUri: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/zenml',
  containerRegistryUri: '111122223333.dkr.ecr.eu-west-1.amazonaws.com',
  clusterName: 'zenml-spark',
  clusterEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
  sparkMasterUrl: 'k8s://https://ABC.gr7.eu-west-1.eks.amazonaws.com',
  sparkNamespace: 'spark-namespace',
  sparkServiceAccount: 'spark-service-account',
  sparkRoleArn: 'arn:aws:iam::111122223333:role/zenml-spark-spark',
  databaseEndpoint: 'db.abc.eu-west-1.rds.amazonaws.com',
  databasePort: '3306',
  rdsSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:zenml-spark/rds_authentication-AbCdEf',
  zenmlServerUrl: 'http://zenml-server.zenml.svc:8080',
  sparkEventLogDir: 's3a://zenml-spark-artifacts-1a2b/spark-events/',
  updateKubeconfigCommand: 'aws eks update-kubeconfig --name zenml-spark --region eu-west-1',
};
const S3_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:zenml-spark/s3_authentication-XyZ123';
const TAG = 'spark-4.1.2-zenml-0.98.0-0123456789ab';
const DB = { stepImageTag: TAG, nodeInstanceType: 't3a.xlarge' };

/** Runs a rendered line through bash's own parser and returns the words it produces. */
function bashWords(line: string): string[] {
  const res = spawnSync('bash', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  expect(res.status).toBe(0);
  return res.stdout.split('\0').slice(0, -1);
}

describe('buildPlan', () => {
  test('keyless stack: the components, the spark-eks flavor and a stack set active, no secret, no authentication_secret', () => {
    // GIVEN a stack without s3AccessKey WHEN the plan is built
    const plan = buildPlan(OUTPUTS, DB);
    const argvs = plan.zenml.map((c) => c.argv.join(' '));

    // THEN
    expect(argvs).toEqual([
      'zenml artifact-store register spark_artifact_store --flavor=s3 --path=s3://zenml-spark-artifacts-1a2b',
      'zenml container-registry register spark_container_registry --flavor=aws --uri=111122223333.dkr.ecr.eu-west-1.amazonaws.com',
      'zenml step-operator flavor register zenml_spark_eks.flavors.SparkEksStepOperatorFlavor',
      'zenml step-operator register spark_step_operator --flavor=spark-eks ' +
        '--kubernetes_namespace=spark-namespace --service_account_name=spark-service-account ' +
        '--kubernetes_context=arn:aws:eks:eu-west-1:111122223333:cluster/zenml-spark --region=eu-west-1 ' +
        `--node_instance_type=t3a.xlarge --image=111122223333.dkr.ecr.eu-west-1.amazonaws.com/zenml:${TAG} ` +
        '--server_url=http://zenml-server.zenml.svc:8080 --event_log_dir=s3a://zenml-spark-artifacts-1a2b/spark-events/',
      'zenml stack register spark_stack -o default -a spark_artifact_store -c spark_container_registry ' +
        '-s spark_step_operator --set',
    ]);
    // The RDS master credentials are never copied into ZenML, where every ZenML user could read them.
    expect(plan.zenml.some((c) => c.secretFrom !== undefined)).toBe(false);
    expect(plan.kubeconfig.argv).toEqual([
      'aws',
      'eks',
      'update-kubeconfig',
      '--name',
      'zenml-spark',
      '--region',
      'eu-west-1',
    ]);
  });

  test('with an S3 secret: s3_authentication is created before the artifact store that uses it', () => {
    const plan = buildPlan({ ...OUTPUTS, s3SecretArn: S3_ARN }, DB);
    const s3 = plan.zenml.findIndex((c) => c.argv.includes(S3_SECRET));
    const store = plan.zenml.findIndex((c) => c.argv[1] === 'artifact-store');

    expect(plan.zenml[s3].secretFrom?.secretArn).toBe(S3_ARN);
    expect(s3).toBeLessThan(store);
    expect(plan.zenml[store].argv).toContain(`--authentication_secret=${S3_SECRET}`);
  });

  test('a prefix renames every component and the stack', () => {
    const plan = buildPlan(OUTPUTS, { ...DB, prefix: 'team-a' });
    expect(plan.zenml.at(-1)?.argv).toEqual(
      expect.arrayContaining(['team-a_stack', 'team-a_step_operator', 'default']),
    );
  });
});

describe('zenmlNames', () => {
  test.each(['', '1abc', 'has space', 'x'.repeat(42)])('rejects prefix %p, naming the flag', (prefix) => {
    expect(() => zenmlNames(prefix)).toThrow(/--zenml-prefix/);
  });
});

describe('shellQuote', () => {
  test.each([
    ['plain-word_1.2/x=y:z', 'plain-word_1.2/x=y:z'],
    ["it's", `'it'\\''s'`],
    ['$HOME "x"', `'$HOME "x"'`],
  ])('%p -> %p, and bash reads it back unchanged', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
    expect(bashWords(shellQuote(word))).toEqual([word]);
  });
});

describe('renderShell', () => {
  const secretCmd = buildPlan({ ...OUTPUTS, s3SecretArn: S3_ARN }, DB).zenml[0];

  test('without values, the secret is fetched at paste time and no value appears', () => {
    const line = renderShell(secretCmd);
    expect(line).toContain(`aws secretsmanager get-secret-value --secret-id ${S3_ARN} --region eu-west-1`);
    expect(line).toMatch(/^zenml secret create s3_authentication --values="\$\(.*\)"$/);
  });

  test('with values, they are one shell word of JSON that bash passes through intact', () => {
    const values = { aws_access_key_id: 'AK', aws_secret_access_key: `p'w "$(rm -rf /)" $HOME` };
    const words = bashWords(renderShell(secretCmd, values));
    expect(words.slice(0, 4)).toEqual(['zenml', 'secret', 'create', 's3_authentication']);
    expect(JSON.parse(words[4].replace(/^--values=/, ''))).toEqual(values);
  });
});

describe('secretValuesForZenml', () => {
  test('stringifies the numeric port RDS writes (ZenML rejects non-string values)', () => {
    const out = secretValuesForZenml(JSON.stringify({ username: 'u', port: 3306, password: 'p' }), 'id');
    expect(out).toEqual({ username: 'u', port: '3306', password: 'p' });
  });

  test('not JSON: the error names the secret and never shows its content', () => {
    expect(() => secretValuesForZenml('hunter2-not-json', 'my-secret')).toThrow(
      /^secret my-secret is not JSON/,
    );
    expect(() => secretValuesForZenml('hunter2-not-json', 'my-secret')).not.toThrow(/hunter2/);
  });

  test('a JSON array is rejected', () => {
    expect(() => secretValuesForZenml('["a"]', 's')).toThrow(/not a JSON object/);
  });
});

describe('container registry', () => {
  const names = zenmlNames();

  test('the default repository `zenml` uses the aws flavor with the bare registry host', () => {
    expect(containerRegistryCommand(names, OUTPUTS).argv).toEqual([
      'zenml',
      'container-registry',
      'register',
      'spark_container_registry',
      '--flavor=aws',
      '--uri=111122223333.dkr.ecr.eu-west-1.amazonaws.com',
    ]);
  });

  test('a prefixed repository `<prefix>/zenml` needs the default flavor with the prefix in the URI', () => {
    const prefixed = {
      ...OUTPUTS,
      ecrRepositoryUri: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/team-a/zenml',
    };
    const command = containerRegistryCommand(names, prefixed);
    expect(command.argv.slice(-2)).toEqual([
      '--flavor=default',
      '--uri=111122223333.dkr.ecr.eu-west-1.amazonaws.com/team-a',
    ]);
    expect(command.title).toMatch(/docker login .* 111122223333\.dkr\.ecr\.eu-west-1\.amazonaws\.com/);
  });
});

describe('what the user reads above each command, exactly', () => {
  test('keyless and keyed stacks: every title', () => {
    expect(buildPlan(OUTPUTS, DB).zenml.map((c) => c.title)).toEqual([
      'Artifact store: the S3 bucket; the client uses your AWS credentials, Spark pods their Pod Identity role',
      "Container registry: ECR (ZenML pushes images to the 'zenml' repository)",
      "Step operator flavor spark-eks: this project's (pipeline/zenml_spark_eks, installed by requirements/zenml.txt)",
      'Step operator: each step a Spark driver pod on EKS (client mode, keyless S3A, the step image as is; build it once: npm run build-spark-image -- --target zenml-step)',
      'Stack: the four components together, set active',
    ]);
    const keyed = buildPlan({ ...OUTPUTS, s3SecretArn: S3_ARN }, DB);
    expect(keyed.zenml.slice(0, 2).map((c) => c.title)).toEqual([
      'ZenML secret s3_authentication: the access key the artifact store authenticates with (s3AccessKey=true)',
      'Artifact store: the S3 bucket, authenticated by the s3_authentication secret',
    ]);
    expect(keyed.kubeconfig.title).toBe(
      'kubectl access to the cluster (your IAM principal must be in clusterAdminPrincipalArns)',
    );
  });

  test('a prefixed repository: the title names it and the docker login, and the URI loses only the trailing /zenml', () => {
    const names = zenmlNames();
    const command = containerRegistryCommand(names, {
      ...OUTPUTS,
      ecrRepositoryUri: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/zenml-team/zenml',
    });
    expect(command.title).toBe(
      "Container registry: ECR repository 'zenml-team/zenml' (default flavor, since the aws flavor cannot hold a path; " +
        'log Docker in first: aws ecr get-login-password | docker login --username AWS --password-stdin 111122223333.dkr.ecr.eu-west-1.amazonaws.com)',
    );
    expect(command.argv).toEqual([
      'zenml',
      'container-registry',
      'register',
      'spark_container_registry',
      '--flavor=default',
      '--uri=111122223333.dkr.ecr.eu-west-1.amazonaws.com/zenml-team',
    ]);
  });
});

describe('secretValuesForZenml, every shape', () => {
  test('null and missing values are left out; nested values become JSON; everything else a string', () => {
    expect(
      secretValuesForZenml(JSON.stringify({ a: null, b: 0, c: false, d: { e: 1 }, f: [1], g: '' }), 's'),
    ).toEqual({ b: '0', c: 'false', d: '{"e":1}', f: '[1]', g: '' });
  });

  test('JSON that is not an object is refused, naming the secret and not its content', () => {
    for (const text of ['null', '3', '"hunter2"', '[1]', 'true']) {
      expect(() => secretValuesForZenml(text, 'the-secret')).toThrow(
        'secret the-secret is not a JSON object of key/value pairs',
      );
    }
  });
});

describe('the spark-eks step operator', () => {
  const names = zenmlNames();

  test('no image builder anywhere: steps run in the prebuilt step image', () => {
    const argvs = buildPlan(OUTPUTS, DB).zenml.map((c) => c.argv.join(' '));
    expect(argvs.filter((a) => /image-builder|-i /.test(a))).toEqual([]);
    expect(argvs.filter((a) => a.includes('spark-kubernetes'))).toEqual([]);
  });

  test('the flavor is registered before the component that uses it', () => {
    const argvs = buildPlan(OUTPUTS, DB).zenml.map((c) => c.argv.slice(0, 4).join(' '));
    expect(argvs.indexOf('zenml step-operator flavor register')).toBe(
      argvs.indexOf('zenml step-operator register spark_step_operator') - 1,
    );
  });

  test("the step pods' server URL is the stack's ZenmlServerUrl (your own server with zenmlServer=false); a bad tag is refused", () => {
    const own = { ...OUTPUTS, zenmlServerUrl: 'https://zenml.example.com' };
    expect(stepOperatorCommand(names, own, DB).argv).toContain('--server_url=https://zenml.example.com');
    expect(() => stepOperatorCommand(names, OUTPUTS, { ...DB, stepImageTag: 'has space' })).toThrow(
      /step image tag 'has space'/,
    );
  });

  test('the flavor registered is the one in pipeline/, with the in-cluster server URL as its default', () => {
    const flavor = readFileSync(
      join(__dirname, '../../../pipeline/zenml_spark_eks/flavors/spark_eks_step_operator_flavor.py'),
      'utf8',
    );
    expect(flavor).toContain(`IN_CLUSTER_SERVER_URL = "${STEP_POD_SERVER_URL}"`);
    expect(flavor).toContain(`SPARK_EKS_STEP_OPERATOR_FLAVOR = "${SPARK_EKS_FLAVOR}"`);
    const init = readFileSync(
      join(__dirname, '../../../pipeline/zenml_spark_eks/flavors/__init__.py'),
      'utf8',
    );
    expect(SPARK_EKS_FLAVOR_SOURCE.split('.').at(-1)).toBe('SparkEksStepOperatorFlavor');
    expect(init).toContain('SparkEksStepOperatorFlavor,');
  });

  test('the kubeconfig context is the one update-kubeconfig creates', () => {
    expect(kubeconfigContext(OUTPUTS)).toBe('arn:aws:eks:eu-west-1:111122223333:cluster/zenml-spark');
  });
});
