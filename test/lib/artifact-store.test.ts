import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ArtifactStore } from '../../lib/artifact-store';
import { removalBehaviour } from '../../lib/removal';
import { bareStack } from './bare-stack';
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

describe('ArtifactStore in a bare Stack', () => {
  test('GIVEN destroy mode WHEN created THEN the artifact bucket logs to its own access-log bucket', () => {
    // GIVEN
    const stack = bareStack();
    // WHEN
    const store = new ArtifactStore(stack, 'Store', {
      removal: removalBehaviour('destroy'),
      versioned: false,
    });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: {
        DestinationBucketName: {
          Ref: stack.getLogicalId(store.accessLogsBucket.node.defaultChild as CfnElement),
        },
        LogFilePrefix: 'artifacts/',
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' }),
          { Id: 'ExpireSparkEventLogs', Prefix: 'spark-events/', ExpirationInDays: 30, Status: 'Enabled' },
        ],
      },
      VersioningConfiguration: Match.absent(),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.absent(),
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' })] },
    });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });

  test('GIVEN versioned WHEN created THEN versioning on and old versions expire after 30 days', () => {
    const stack = bareStack();
    new ArtifactStore(stack, 'Store', { removal: removalBehaviour('destroy'), versioned: true });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]),
      },
    });
    // Rolled-over event-log parts are rewritten as they roll: their old versions go after a day.
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'ExpireSparkEventLogs',
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          }),
        ]),
      },
    });
  });

  test('GIVEN an event-log prefix that is not a folder WHEN created THEN an error naming it', () => {
    expect(
      () =>
        new ArtifactStore(bareStack(), 'Store', {
          removal: removalBehaviour('destroy'),
          versioned: false,
          eventLogPrefix: 'spark-events',
        }),
    ).toThrow(/^ArtifactStore: eventLogPrefix='spark-events': /);
  });

  test('GIVEN autoDeleteObjects false (emulator build) WHEN created in destroy mode THEN no auto-delete resource', () => {
    const stack = bareStack();
    new ArtifactStore(stack, 'Store', {
      removal: removalBehaviour('destroy'),
      versioned: false,
      autoDeleteObjects: false,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });

  test('WHEN grantReadWrite THEN exactly the S3A/s3fs actions (sorted by CDK), on this bucket and its objects only', () => {
    // GIVEN
    const stack = bareStack();
    const store = new ArtifactStore(stack, 'Store', {
      removal: removalBehaviour('destroy'),
      versioned: false,
    });
    const role = new iam.Role(stack, 'Reader', {
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com'),
    });
    // WHEN
    store.grantReadWrite(role);
    // THEN
    const bucketId = stack.getLogicalId(store.bucket.node.defaultChild as CfnElement);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as CfnElement) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
            Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
          },
          {
            Effect: 'Allow',
            Action: [
              's3:AbortMultipartUpload',
              's3:DeleteObject',
              's3:GetObject',
              's3:ListMultipartUploadParts',
              's3:PutObject',
            ],
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
          },
        ],
      },
    });
  });
});
