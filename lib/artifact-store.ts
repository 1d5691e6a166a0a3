/**
 * The S3 bucket ZenML's artifact store and the Spark steps write to: private, TLS-only,
 * encrypted, with server access logs, and emptied on destroy in `destroy` mode.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { wildcardUnderResourceFinding } from './finding-ids';
import type { RemovalBehaviour } from './removal';
import {
  DEFAULT_EVENT_LOG_PREFIX,
  EVENT_LOG_EXPIRATION_DAYS,
  eventLogPrefixProblem,
} from './settings/spark-history';

export interface ArtifactStoreProps {
  readonly removal: RemovalBehaviour;
  readonly versioned: boolean;
  /**
   * Empty the buckets on destroy through CDK's auto-delete custom resource. The local emulator cannot
   * run its Lambda, so the emulator build turns it off.
   * @default removal.emptyOnDelete
   */
  readonly autoDeleteObjects?: boolean;
  /**
   * S3 key prefix of the Spark event logs (the sparkEventLogPrefix setting, e.g. `spark-events/`):
   * objects under it expire after `eventLogExpirationDays`, a backstop to the history server's
   * cleaner (which runs only while the server does).
   * @default DEFAULT_EVENT_LOG_PREFIX ('spark-events/')
   */
  readonly eventLogPrefix?: string;
  /** @default EVENT_LOG_EXPIRATION_DAYS (30) */
  readonly eventLogExpirationDays?: number;
}

export class ArtifactStore extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  /** The Spark event-log prefix inside the bucket (ends with '/'). */
  readonly eventLogPrefix: string;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    const eventLogPrefix = props.eventLogPrefix ?? DEFAULT_EVENT_LOG_PREFIX;
    const prefixProblem = eventLogPrefixProblem(eventLogPrefix);
    if (prefixProblem) throw new Error(`ArtifactStore: eventLogPrefix='${eventLogPrefix}': ${prefixProblem}`);
    this.eventLogPrefix = eventLogPrefix;
    const autoDeleteObjects = props.autoDeleteObjects ?? props.removal.emptyOnDelete;
    const common = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removal.dataPolicy,
      autoDeleteObjects,
    } as const;

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    // cdk-nag's S1 already exempts a bucket that is another bucket's log target; cfn-guard does not.
    Validations.of(this.accessLogsBucket).acknowledge(
      {
        id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
        reason:
          'This is the server-access-log target of the artifact bucket; logging it into itself would loop.',
      },
      {
        id: 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check',
        reason:
          'Access logs are append-only records that expire after 90 days; versions would only delay that.',
      },
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...common,
      versioned: props.versioned,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [
        { abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ...(props.versioned ? [{ noncurrentVersionExpiration: Duration.days(30) }] : []),
        {
          id: 'ExpireSparkEventLogs',
          prefix: eventLogPrefix,
          expiration: Duration.days(props.eventLogExpirationDays ?? EVENT_LOG_EXPIRATION_DAYS),
          ...(props.versioned ? { noncurrentVersionExpiration: Duration.days(1) } : {}),
        },
      ],
    });
    if (!props.versioned) {
      Validations.of(this.bucket).acknowledge({
        id: 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check',
        reason:
          'ZenML artifacts are immutable, run-scoped keys that are rewritten only by reruns; versioning is the bucketVersioning setting, off by default for cost.',
      });
    }
    for (const bucket of [this.bucket, this.accessLogsBucket]) {
      Validations.of(bucket).acknowledge(
        {
          id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
          reason:
            'SSE-S3 encrypts every object; SSE-KMS would put a key policy and KMS request charges in front of every Spark read and write without narrowing access (the bucket policy and IAM do that).',
        },
        {
          id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
          reason:
            'Object Lock would make `cdk destroy` unable to empty the bucket; pipeline artifacts are reproducible, not records.',
        },
        {
          id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
          reason:
            'Nothing consumes bucket events in this setup; a notification target would be an unused resource.',
        },
      );
    }
  }

  /**
   * Read and write objects of this bucket only: exactly the actions Hadoop S3A and ZenML's s3fs
   * use, rather than the `s3:GetObject*`/`s3:List*` families `Bucket.grantReadWrite` hands out.
   */
  grantReadWrite(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      resourceArns: [this.bucket.bucketArn],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        's3:GetObject',
        's3:PutObject',
        's3:DeleteObject',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
      ],
      resourceArns: [this.bucket.arnForObjects('*')],
    });
    if (Construct.isConstruct(grantee)) {
      Validations.of(grantee).acknowledge({
        id: this.objectWildcardFindingId,
        reason:
          'The only wildcard is the objects of the artifact bucket: ZenML and Spark write run-scoped keys that cannot be listed in advance.',
      });
    }
  }

  /**
   * What the Spark History Server needs on the event-log prefix, and nothing more: list the bucket
   * only under the prefix (the `s3:prefix` condition; S3A lists `<prefix>` and `<prefix>*`), read
   * the objects under it, and delete them, which its cleaner does (spark.history.fs.cleaner.*).
   * One write: PutObject on the prefix's own key (`spark-events/`, no wildcard), the S3A directory
   * marker its init container creates so that the server can start before any step has run. The bucket is SSE-S3 encrypted, so no KMS permission is
   * needed (a customer-managed key would need kms:Decrypt here).
   */
  grantEventLogReadAndClean(grantee: iam.IGrantable): void {
    const prefix = this.eventLogPrefix;
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [prefix, `${prefix}*`] } },
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:DeleteObject'],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject'],
      resourceArns: [this.bucket.arnForObjects(prefix)],
    });
    if (Construct.isConstruct(grantee)) {
      Validations.of(grantee).acknowledge({
        id: wildcardUnderResourceFinding(this.bucket.node.defaultChild as s3.CfnBucket, `/${prefix}*`),
        reason:
          "The only wildcard is the Spark event-log prefix: Spark names each application's log after its id, which cannot be listed in advance.",
      });
    }
  }

  /** The cdk-nag finding id of the one wildcard these grants contain: the objects of this bucket. */
  get objectWildcardFindingId(): string {
    return wildcardUnderResourceFinding(this.bucket.node.defaultChild as s3.CfnBucket, '/*');
  }
}
