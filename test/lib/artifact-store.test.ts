import { Match } from 'aws-cdk-lib/assertions';
import { synth } from './fixtures';

const artifactBucket = (template: ReturnType<typeof synth>['template']) => {
  const buckets = template.findResources('AWS::S3::Bucket', {
    Properties: { LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts/' }) },
  });
  expect(Object.keys(buckets)).toHaveLength(1);
  const [id, bucket] = Object.entries(buckets)[0];
  return { id, bucket };
};

describe('ArtifactStore', () => {
  test('all public access blocked, on the artifact and the access-log bucket', () => {
    const { template } = synth();
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const b of Object.values(buckets)) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  test('TLS-only bucket policy: deny any request without aws:SecureTransport', () => {
    const { template } = synth();
    const { id } = artifactBucket(template);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('encrypted at rest', () => {
    const { bucket } = artifactBucket(synth().template);
    expect(
      bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
    ).toEqual({
      SSEAlgorithm: 'AES256',
    });
  });

  test('versioning optional: off by default, on with bucketVersioning', () => {
    expect(artifactBucket(synth().template).bucket.Properties.VersioningConfiguration).toBeUndefined();
    expect(
      artifactBucket(synth({ bucketVersioning: true }).template).bucket.Properties.VersioningConfiguration,
    ).toEqual({
      Status: 'Enabled',
    });
  });

  test('destroy mode: emptied (auto-delete custom resource) and deleted on destroy', () => {
    const { template } = synth();
    const { bucket } = artifactBucket(template);
    expect(bucket.DeletionPolicy).toBe('Delete');
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });

  test('retain mode: the bucket is kept and never emptied', () => {
    const { template } = synth({ removalMode: 'retain' });
    expect(artifactBucket(template).bucket.DeletionPolicy).toBe('Retain');
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });
});
