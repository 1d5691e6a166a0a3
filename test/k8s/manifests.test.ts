import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  assertNoTokens,
  pipelineObjectsByStep,
  resolveValues,
  toYaml,
  writeManifests,
} from '../../k8s/manifests';
import { placeholdersIn } from '../../k8s/placeholders';
import { PIPELINE_STEPS } from '../../lib/settings/pipeline';

const KNOWN = {
  region: 'eu-west-1',
  accountId: '123456789012',
  bucketName: 'zenml-spark-artifacts-123456789012',
  imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml:spark-0123abcd',
  sparkRoleArn: 'arn:aws:iam::123456789012:role/zenml-spark-spark',
  runId: 'run-7',
  clusterName: 'zenml-spark',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'manifests-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const documents = (file: string) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS());

describe('writeManifests', () => {
  test('GIVEN no values WHEN written THEN one file per chart, every gap a named placeholder', () => {
    const written = writeManifests(dir);
    expect(written.map((w) => [w.chart, w.file.replace(dir, ''), w.objects])).toEqual([
      ['spark-rbac', '/spark-rbac.k8s.yaml', 6],
      ['pipeline-jobs', '/pipeline-jobs.k8s.yaml', 11],
      ['cluster-autoscaler', '/cluster-autoscaler.k8s.yaml', 6],
      ['zenml-server', '/zenml-server.k8s.yaml', 7],
      ['spark-history-server', '/spark-history-server.k8s.yaml', 5],
    ]);
    for (const w of written) expect(documents(w.file)).toHaveLength(w.objects);
    const jobsText = readFileSync(written[1].file, 'utf8');
    expect(placeholdersIn(jobsText)).toEqual([
      'PLACEHOLDER-ACCOUNT-ID',
      'PLACEHOLDER-ARTIFACT-BUCKET',
      'PLACEHOLDER-CLUSTER-NAME', // in the file header only
      'PLACEHOLDER-IMAGE-TAG',
      'PLACEHOLDER-REGION',
      'PLACEHOLDER-RUN-ID',
      'PLACEHOLDER-SPARK-ROLE-ARN',
    ]);
    // The RBAC chart is the one the stack applies at deploy: it never depends on deploy-time values.
    expect(placeholdersIn(readFileSync(written[0].file, 'utf8').replace(/^#.*\n/gm, ''))).toEqual([]);
    // The autoscaler's review copy needs the cluster's name and region (the stack fills both in).
    expect(placeholdersIn(readFileSync(written[2].file, 'utf8').replace(/^#.*\n/gm, ''))).toEqual([
      'PLACEHOLDER-CLUSTER-NAME',
      'PLACEHOLDER-REGION',
    ]);
    // The server chart's deploy-time values are the database endpoint, the secrets and the region.
    expect(placeholdersIn(readFileSync(written[3].file, 'utf8').replace(/^#.*\n/gm, ''))).toEqual([
      'PLACEHOLDER-DATABASE-ENDPOINT',
      'PLACEHOLDER-RDS-SECRET-ARN',
      'PLACEHOLDER-REGION',
      'PLACEHOLDER-ZENML-ADMIN-SECRET-ARN',
      'PLACEHOLDER-ZENML-JWT-SECRET-ARN',
    ]);
    // The history server's review copy: the bucket, the image repository's account and region.
    expect(placeholdersIn(readFileSync(written[4].file, 'utf8').replace(/^#.*\n/gm, ''))).toEqual([
      'PLACEHOLDER-ACCOUNT-ID',
      'PLACEHOLDER-ARTIFACT-BUCKET',
      'PLACEHOLDER-REGION',
    ]);
  });

  test('zenmlServer=false: no server chart', () => {
    expect(writeManifests(dir, { zenmlServer: false }).map((w) => w.chart)).toEqual([
      'spark-rbac',
      'pipeline-jobs',
      'cluster-autoscaler',
      'spark-history-server',
    ]);
  });

  test('sparkHistoryServer=false: no history server chart', () => {
    expect(writeManifests(dir, { sparkHistoryServer: false }).map((w) => w.chart)).not.toContain(
      'spark-history-server',
    );
  });

  test('GIVEN a deployed stack values WHEN written THEN no placeholder is left', () => {
    const [rbac, jobs, autoscaler] = writeManifests(dir, KNOWN);
    for (const file of [rbac.file, jobs.file, autoscaler.file]) {
      expect(placeholdersIn(readFileSync(file, 'utf8'))).toEqual([]);
    }
    const objects = documents(jobs.file);
    const job = objects.find((o) => o.kind === 'Job');
    expect(job.metadata.name).toBe('spark-run-7-importer');
    expect(job.spec.template.spec.containers[0].image).toBe(KNOWN.imageUri);
    expect(readFileSync(jobs.file, 'utf8')).toContain(
      `# Pod Identity role of the service account (associated by the stack, no annotation): ${KNOWN.sparkRoleArn}`,
    );
  });

  test('an image is made from account and region when only those are known', () => {
    expect(resolveValues({ accountId: '123456789012', region: 'us-east-2' }).imageUri).toBe(
      '123456789012.dkr.ecr.us-east-2.amazonaws.com/zenml:PLACEHOLDER-IMAGE-TAG',
    );
  });

  test('the node type is checked: steps sized for a t3a.xlarge do not fit a t3a.large', () => {
    expect(() => writeManifests(dir, { ...KNOWN, nodeInstanceType: 't3a.large' })).toThrow(
      /stepResources\.importer/,
    );
  });

  test('a CDK token in a manifest is an error', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CDK token as it appears in synthesized text
    expect(() => assertNoTokens('c', 'image: ${Token[TOKEN.123]}')).toThrow(
      /chart c: unresolved CDK token \$\{Token\[TOKEN.123\]\}/,
    );
    expect(() => assertNoTokens('c', 'image: repo/zenml:tag')).not.toThrow();
  });
});

describe('pipelineObjectsByStep', () => {
  test('each step gets its Service and Job; the executor template is shared', () => {
    const { shared, steps } = pipelineObjectsByStep(KNOWN);
    expect(shared.map((o: { kind?: string }) => o.kind)).toEqual(['ConfigMap']);
    for (const step of PIPELINE_STEPS) {
      expect(steps[step].map((o: { kind?: string }) => o.kind)).toEqual(['Service', 'Job']);
    }
  });
});

describe('the written files', () => {
  const header = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('# '));

  test('each file opens with what it is and the values it was rendered with; the server chart with its own note', () => {
    const out = join(dir, 'nested', 'dist');
    const [rbac, , , server] = writeManifests(out, {
      ...KNOWN,
      kubernetesVersion: '1.35',
      zenmlDatabaseAuth: 'password',
    });
    expect(header(rbac.file)).toEqual([
      '# Chart spark-rbac, written by k8s/manifests.ts. PLACEHOLDER-* values are not known yet: render with real',
      '# values (scripts/operate/run-pipeline.ts does for the Jobs); the API server rejects the placeholder names.',
      `# region=eu-west-1 account=123456789012 bucket=${KNOWN.bucketName}`,
      `# image=${KNOWN.imageUri} runId=run-7 node=t3a.xlarge cluster=zenml-spark kubernetes=1.35`,
      `# Pod Identity role of the service account (associated by the stack, no annotation): ${KNOWN.sparkRoleArn}`,
    ]);
    expect(header(server.file)).toEqual([
      '# Chart zenml-server, written by k8s/manifests.ts: the ZenML server (zenmldocker/zenml-server:0.98.0), for review.',
      '# The stack applies it at deploy with the database endpoint and the secret ARNs (PLACEHOLDER-* here) filled in.',
      '# region=eu-west-1 databaseAuth=password',
      '# It holds no secret: the launcher (zenml-server/launcher.py) reads them from Secrets Manager at run time.',
    ]);
    // The review copy of the server: the endpoint a placeholder, MySQL's port and the zenml database.
    const deploy = documents(server.file).find((o) => o.kind === 'Deployment');
    const env = Object.fromEntries(
      deploy.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [
        e.name,
        e.value,
      ]),
    );
    expect(env.ZENML_STORE_URL).toBe('mysql://PLACEHOLDER-DATABASE-ENDPOINT:3306/zenml');
  });

  test('a CDK token in a value is refused before the file is written', () => {
    const token = ['$', '{Token[TOKEN.9]}'].join(''); // a CDK token as it renders
    expect(() => writeManifests(dir, { ...KNOWN, imageUri: token })).toThrow(
      `chart pipeline-jobs: unresolved CDK token ${token} in the written manifest`,
    );
  });

  test('toYaml never folds a long value onto a second line (a spark-submit --conf is longer than 80 characters)', () => {
    const long = `spark.driver.extraJavaOptions=${'-Dx=y '.repeat(20).trim()}`;
    expect(toYaml([{ args: [long] }, { kind: 'B' }])).toBe(`args:\n  - ${long}\n---\nkind: B\n`);
  });
});
