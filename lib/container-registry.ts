/**
 * The ECR repository ZenML's image builder pushes step images to, and the Spark image lives in.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import type { RemovalBehaviour } from './removal';

export interface ContainerRegistryProps {
  /** `zenml` unless a path prefix is configured: ZenML pushes to `<registry>/zenml:<tag>`. */
  readonly repositoryName: string;
  readonly removal: RemovalBehaviour;
  /** @default 30 */
  readonly maxUntaggedImageAgeDays?: number;
  /** @default 100 */
  readonly maxImageCount?: number;
}

export class ContainerRegistry extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      // ZenML re-pushes the same tag (e.g. `<pipeline>-orchestrator`) on every build, so tags must be mutable.
      imageTagMutability: ecr.TagMutability.MUTABLE,
      encryption: ecr.RepositoryEncryption.AES_256,
      removalPolicy: props.removal.dataPolicy,
      // Native `EmptyOnDelete` of AWS::ECR::Repository: no custom resource needed.
      emptyOnDelete: props.removal.emptyOnDelete,
      lifecycleRules: [
        {
          description: 'Drop untagged layers left by re-pushed tags',
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: Duration.days(props.maxUntaggedImageAgeDays ?? 30),
          rulePriority: 1,
        },
        {
          description: 'Cap the repository size',
          tagStatus: ecr.TagStatus.ANY,
          maxImageCount: props.maxImageCount ?? 100,
          rulePriority: 2,
        },
      ],
    });
    Validations.of(this.repository).acknowledge({
      id: 'cdk-validator-cfnguard::ecr_private_tag_immutability_enabled_check',
      reason:
        'ZenML re-pushes the same tags on every build; immutable tags would fail its image builder. The lifecycle rules clear the untagged layers this leaves.',
    });
  }
}
