import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ArtifactStore } from '../../lib/artifact-store';
import { removalBehaviour } from '../../lib/removal';
import { S3AuthenticationSecret } from '../../lib/s3-authentication-secret';
import { bareStack } from './bare-stack';

describe('S3AuthenticationSecret in a bare Stack', () => {
  function create() {
    // GIVEN
    const stack = bareStack();
    const artifactStore = new ArtifactStore(stack, 'Store', {
      removal: removalBehaviour('destroy'),
      versioned: false,
    });
    // WHEN
    const s3Auth = new S3AuthenticationSecret(stack, 'S3Auth', {
      artifactStore,
      secretName: 'team/s3_authentication',
      userName: 'team-zenml-s3',
    });
    const id = (c: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(c.node.defaultChild as CfnElement);
    return { template: Template.fromStack(stack), s3Auth, artifactStore, id };
  }

  test('THEN the user carries no policy of its own: its permissions sit on a group scoped to the bucket', () => {
    const { template, s3Auth, artifactStore, id } = create();
    template.hasResourceProperties('AWS::IAM::User', {
      UserName: 'team-zenml-s3',
      Groups: [{ Ref: id(s3Auth.group) }],
      Policies: Match.absent(),
      ManagedPolicyArns: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::Group', { Path: '/zenml-spark-eks/' });
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Groups: [{ Ref: id(s3Auth.group) }],
      Users: Match.absent(),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Resource: { 'Fn::GetAtt': [id(artifactStore.bucket), 'Arn'] } }),
        ]),
      },
    });
  });

  test('THEN the secret has the guide schema, and the key reaches it only as a Fn::GetAtt', () => {
    const { template, s3Auth, id } = create();
    const accessKey = id(s3Auth.node.findChild('AccessKey'));
    template.hasResourceProperties('AWS::IAM::AccessKey', { UserName: { Ref: id(s3Auth.user) } });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'team/s3_authentication',
      SecretString: {
        'Fn::Join': [
          '',
          [
            '{"aws_access_key_id":"',
            { Ref: accessKey },
            '","aws_secret_access_key":"',
            { 'Fn::GetAtt': [accessKey, 'SecretAccessKey'] },
            '","aws_session_token":""}',
          ],
        ],
      },
    });
  });
});
