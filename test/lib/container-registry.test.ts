import { Match } from 'aws-cdk-lib/assertions';
import { synth } from './fixtures';

describe('ContainerRegistry', () => {
  test('repository named as ZenML expects: `zenml`, or under the configured prefix', () => {
    synth().template.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'zenml' });
    synth({ ecrRepositoryPrefix: 'team-a' }).template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'team-a/zenml',
    });
  });

  test('scan on push and a lifecycle rule', () => {
    const repo = Object.values(synth().template.findResources('AWS::ECR::Repository'))[0];
    expect(repo.Properties.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
    const rules = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules.map((r: { selection: { tagStatus: string } }) => r.selection.tagStatus)).toEqual([
      'untagged',
      'any',
    ]);
    // The console lists rules by description: each says what it is for.
    expect(rules.map((r: { description: string }) => r.description)).toEqual([
      expect.stringMatching(/untagged/i),
      expect.stringMatching(/size/i),
    ]);
  });

  test('destroy mode: emptied and deleted on destroy (native EmptyOnDelete, no custom resource)', () => {
    synth().template.hasResource('AWS::ECR::Repository', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ EmptyOnDelete: true }),
    });
  });

  test('retain mode: images are kept', () => {
    synth({ removalMode: 'retain' }).template.hasResource('AWS::ECR::Repository', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ EmptyOnDelete: false }),
    });
  });
});
