/**
 * Talking to the emulator (a moto server) after a deploy: SDK clients made by the shared factory
 * with the rehearsal's throwaway credentials, one raw JSON call for what the SDK drops, and lookups
 * in the deployed resources.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type AwsTarget, awsClient } from '../../lib/aws-clients';
import { RehearsalError } from './checks';
import type { ResourceOutcome, StackResource, Template } from './outcomes';

/** The account moto answers with in the rehearsal. */
export const ACCOUNT = '123456789012';
/** Accepted by moto, which checks no signature; never a credential anywhere. */
export const REHEARSAL_CREDENTIALS = {
  accessKeyId: 'AKIAREHEARSAL0000000',
  secretAccessKey: 'rehearsal-not-a-secret',
};

export function emulatorClients(endpoint: string, region: string) {
  const target: AwsTarget = { region, endpoint, credentials: REHEARSAL_CREDENTIALS };
  return {
    endpoint,
    region,
    cfn: awsClient(CloudFormationClient, target),
    s3: awsClient(S3Client, target, { forcePathStyle: true }),
    ecr: awsClient(ECRClient, target),
    ec2: awsClient(EC2Client, target),
    rds: awsClient(RDSClient, target),
    iam: awsClient(IAMClient, target),
    sm: awsClient(SecretsManagerClient, target),
  };
}
export type EmulatorClients = ReturnType<typeof emulatorClients>;

/** One AWS JSON-protocol call without the SDK's response parsing (moto is the only endpoint this reaches). */
export async function rawJsonCall(
  endpoint: string,
  region: string,
  service: string,
  target: string,
  body: object,
): Promise<unknown> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      // moto routes by the credential scope; it does not check the signature.
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAREHEARSAL0000000/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new RehearsalError(`${target} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

export const errName = (e: unknown) => (e as { name?: string }).name ?? String(e);

export function physicalOf(
  outcomes: readonly ResourceOutcome[],
  type: string,
  logicalPrefix: string,
): string | undefined {
  return outcomes.find(
    (o) => o.type === type && o.logicalId.startsWith(logicalPrefix) && o.outcome === 'created',
  )?.physicalId;
}

export async function listStackResources(
  cfn: CloudFormationClient,
  stackName: string,
): Promise<StackResource[]> {
  const out: StackResource[] = [];
  for await (const page of paginateListStackResources({ client: cfn }, { StackName: stackName })) {
    for (const r of page.StackResourceSummaries ?? []) {
      out.push({
        logicalId: r.LogicalResourceId ?? '',
        type: r.ResourceType ?? '',
        physicalId: r.PhysicalResourceId || undefined,
        status: r.ResourceStatus,
      });
    }
  }
  return out;
}

export function readTemplate(outDir: string, artifactId: string): Template {
  return JSON.parse(fs.readFileSync(path.join(outDir, `${artifactId}.template.json`), 'utf8'));
}
