/**
 * The signed JSON call preflight uses for CloudWatch Logs, against a moto server that checks
 * signatures (authentication on): a correct Signature Version 4 is accepted, a wrong key is not.
 */
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AwsJsonError, awsJsonCall } from '../../../scripts/lib/aws-json';
import { type MotoServer, startMotoServer } from '../../../scripts/verify/moto/moto-server';

jest.setTimeout(120_000);

let moto: MotoServer;
let key: { accessKeyId: string; secretAccessKey: string };
beforeAll(async () => {
  moto = await startMotoServer();
  const iam = new IAMClient({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'AKIAFIXTURE', secretAccessKey: 'x' },
  });
  await iam.send(new CreateUserCommand({ UserName: 'signer' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'signer',
      PolicyName: 'logs',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }],
      }),
    }),
  );
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'signer' }))).AccessKey;
  key = { accessKeyId: k?.AccessKeyId as string, secretAccessKey: k?.SecretAccessKey as string };
  // From here on moto checks every request's signature against its IAM keys.
  await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
});
afterAll(async () => {
  await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: 'inf' }).catch(() => undefined);
  await moto?.stop();
});

const call = (
  credentials: { accessKeyId: string; secretAccessKey: string },
  operation: string,
  body: object,
) =>
  awsJsonCall(
    { region: 'eu-west-1', endpoint: moto.endpoint, credentials: async () => credentials },
    'logs',
    'Logs_20140328',
    operation,
    body,
  );

test('a correctly signed call is answered', async () => {
  await call(key, 'CreateLogGroup', { logGroupName: '/aws/rds/instance/x/error' });
  const res = await call(key, 'DescribeLogGroups', { logGroupNamePrefix: '/aws/rds/instance/x/' });
  expect((res.logGroups as { logGroupName: string }[]).map((g) => g.logGroupName)).toEqual([
    '/aws/rds/instance/x/error',
  ]);
});

test('a wrong secret key is rejected with the service error, by name', async () => {
  // (An unauthorized but correctly signed call is AccessDenied, not a signature error.)
  await expect(call({ ...key, secretAccessKey: 'wrong' }, 'DescribeLogGroups', {})).rejects.toBeInstanceOf(
    AwsJsonError,
  );
  await expect(call({ ...key, secretAccessKey: 'wrong' }, 'DescribeLogGroups', {})).rejects.toMatchObject({
    name: 'SignatureDoesNotMatch',
    message: expect.stringMatching(/signature we calculated does not match/),
  });
});
