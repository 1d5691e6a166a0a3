/** ECR: the repository ZenML expects, scanned on push, with its lifecycle rules. */
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { physicalNames } from '../../../../lib/settings/names';
import { rawJsonCall } from '../emulator';
import type { DeployedContext } from './context';

export async function checkEcr(ctx: DeployedContext): Promise<void> {
  const { c, config, r } = ctx;
  const names = physicalNames(config);
  const repo = (
    await c.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [names.ecrRepositoryName] }))
  ).repositories?.[0];
  r.check('ECR', `repository '${names.ecrRepositoryName}' exists`, !!repo, repo?.repositoryUri ?? 'missing');
  if (repo) {
    // moto stores the CloudFormation casing ({"ScanOnPush": true}) and returns it as is, which the SDK
    // drops as an unknown member: read the raw answer instead.
    const raw = await rawJsonCall(
      c.endpoint,
      c.region,
      'ecr',
      'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories',
      {
        repositoryNames: [names.ecrRepositoryName],
      },
    );
    const scan = (raw as { repositories?: { imageScanningConfiguration?: Record<string, unknown> }[] })
      .repositories?.[0]?.imageScanningConfiguration;
    const scanOnPush = scan?.scanOnPush ?? scan?.ScanOnPush;
    if (scanOnPush === undefined) {
      r.notModelled(
        'ECR',
        'scan on push',
        'AWS::ECR::Repository ImageScanningConfiguration (it keeps the key ScanOnPush, which its API answer drops)',
      );
    } else {
      r.check('ECR', 'scan on push', scanOnPush === true, JSON.stringify(scan));
    }
    r.check(
      'ECR',
      'encrypted (AES256)',
      repo.encryptionConfiguration?.encryptionType === 'AES256',
      `${repo.encryptionConfiguration?.encryptionType}`,
    );
    r.check(
      'ECR',
      'tags mutable (ZenML re-pushes tags)',
      repo.imageTagMutability === 'MUTABLE',
      `${repo.imageTagMutability}`,
    );
  }
  r.notModelled('ECR', 'lifecycle policy', 'AWS::ECR::Repository LifecyclePolicy');
}
