/** `render-manifests` against a real moto server: the deployed stack's values end up in the YAML. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { placeholdersIn } from '../../../k8s/placeholders';
import { type MotoServer, startMotoServer } from '../../../scripts/verify/moto/moto-server';
import {
  createFixtureStack,
  createSecret,
  DB_HOST,
  isolatedEnv,
  REGION,
  rdsSecretValue,
  runCli,
} from '../emulator-fixtures';

jest.setTimeout(120_000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let moto: MotoServer;
let out: string;
beforeAll(async () => {
  moto = await startMotoServer();
  const rds = await createSecret(moto, 'zenml-spark/rds_authentication', rdsSecretValue(DB_HOST));
  await createFixtureStack(moto, { rdsSecretArn: rds });
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'render-'));
});
afterAll(async () => {
  await moto?.stop();
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

test('with an image tag and run id, the manifests carry the stack values and no placeholder', () => {
  const r = runCli(
    'operate/render-manifests.ts',
    ['--out', out, '--image-tag', 'v1', '--run-id', 'run-1'],
    isolatedEnv(moto),
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const files = fs.readdirSync(out).sort();
  expect(files).toEqual([
    'cluster-autoscaler.k8s.yaml',
    'pipeline-jobs.k8s.yaml',
    'spark-history-server.k8s.yaml',
    'spark-rbac.k8s.yaml',
  ]);
  const texts = files.map((f) => fs.readFileSync(path.join(out, f), 'utf8'));
  const text = texts.join('\n');
  expect(placeholdersIn(text)).toEqual([]);
  expect(text).toContain(`${moto.accountId}.dkr.ecr.${REGION}.amazonaws.com/zenml:v1`);
  expect(text).toMatch(/zenml-spark-artifactbucket-[a-z0-9]+/);
  // The autoscaler discovers this stack's cluster, in its region (both from the outputs).
  expect(texts[0]).toContain('k8s.io/cluster-autoscaler/zenml-spark');
  expect(texts[0]).toContain(`value: ${REGION}`);
  // The history server reads the event logs of this stack's bucket, from its image in this stack's ECR.
  expect(texts[2]).toMatch(/s3a:\/\/zenml-spark-artifactbucket-[a-z0-9]+\/spark-events/);
  expect(texts[2]).toContain(`${moto.accountId}.dkr.ecr.${REGION}.amazonaws.com/zenml:spark-history-server`);
  for (const doc of texts.flatMap((t) => parseAllDocuments(t))) expect(doc.errors).toEqual([]);
  expect(r.stdout).toMatch(/pipeline-jobs\s+\d+\s+\S+pipeline-jobs\.k8s\.yaml\s+-/);
});

test('without an image tag, the remaining placeholders are listed', () => {
  const r = runCli('operate/render-manifests.ts', ['--out', out], isolatedEnv(moto));
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('PLACEHOLDER-IMAGE-TAG');
  expect(r.stdout).toContain('Placeholders left: pass --image-tag/--image and --run-id');
});

test('a bad --run-id is rejected before anything is read', () => {
  const r = runCli('operate/render-manifests.ts', ['--run-id', 'Run_1'], isolatedEnv(moto));
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^error: --run-id 'Run_1': 1-24 lowercase letters/);
});
