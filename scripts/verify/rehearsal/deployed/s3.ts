/** S3: both buckets private, encrypted, owner-enforced; the artifact bucket logs into the other. */
import { GetBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { physicalOf } from '../emulator';
import type { DeployedContext } from './context';

export async function checkS3(ctx: DeployedContext): Promise<void> {
  const { c, outcomes, r } = ctx;
  const bucket = physicalOf(outcomes, 'AWS::S3::Bucket', 'ArtifactStoreBucket');
  const logs = physicalOf(outcomes, 'AWS::S3::Bucket', 'ArtifactStoreAccessLogs');
  for (const [label, name] of [
    ['artifact bucket', bucket],
    ['access-log bucket', logs],
  ] as const) {
    if (!name) {
      r.check('S3', `${label} exists`, false, 'not in ListStackResources');
      continue;
    }
    const enc = await c.s3.send(new GetBucketEncryptionCommand({ Bucket: name }));
    const algo =
      enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
    r.check('S3', `${label} encrypted (SSE-S3)`, algo === 'AES256', `SSEAlgorithm=${algo}`);
  }
  r.notModelled(
    'S3',
    'public access block, ACLs disabled, versioning, access logging, lifecycle',
    'AWS::S3::Bucket',
  );
  r.notModelled('S3', 'TLS-only bucket policy', 'AWS::S3::BucketPolicy (type skipped)');
}
