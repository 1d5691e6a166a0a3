/** The moto server helper itself: account, log capture, reset, and that stop() really stops it. */
import { CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { startMotoServer } from '../../../../scripts/verify/moto/moto-server';
import { clients, REGION } from '../../emulator-fixtures';

jest.setTimeout(120_000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

test('serves on 127.0.0.1 with the given account, logs skipped resource types, resets, and stops', async () => {
  const moto = await startMotoServer({ accountId: '333344445555' });
  try {
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { cfn } = clients(moto);
    // GIVEN a template with a type moto's CloudFormation skips
    await cfn.send(
      new CreateStackCommand({
        StackName: 's',
        TemplateBody: JSON.stringify({
          Resources: {
            B: { Type: 'AWS::S3::Bucket' },
            P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'B' }, PolicyDocument: {} } },
          },
        }),
      }),
    );
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 's' }))).Stacks?.[0];
    expect(stack?.StackId).toContain(`:${'333344445555'}:stack/s/`);
    expect(moto.readLog()).toContain('No Moto CloudFormation support for AWS::S3::BucketPolicy');

    await moto.reset();
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 's' }))).rejects.toThrow(/does not exist/);
  } finally {
    await moto.stop();
  }
  await expect(
    fetch(`${moto.endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) }),
  ).rejects.toThrow();
  await moto.stop(); // idempotent
});

test('setStackStatus puts a real stack into a state moto never reaches by itself', async () => {
  const moto = await startMotoServer();
  try {
    const { cfn } = clients(moto);
    await cfn.send(
      new CreateStackCommand({
        StackName: 'x',
        TemplateBody: '{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}',
      }),
    );
    await moto.setStackStatus(REGION, 'x', 'ROLLBACK_COMPLETE');
    expect((await cfn.send(new DescribeStacksCommand({ StackName: 'x' }))).Stacks?.[0].StackStatus).toBe(
      'ROLLBACK_COMPLETE',
    );
  } finally {
    await moto.stop();
  }
});
