/**
 * The one AWS client factory of the scripts: every SDK client is built from one AwsTarget, so
 * region, endpoint, retries and (for the emulator) credentials are decided in one place; plus one
 * translation of SDK failures into messages a user can act on.
 *
 * The endpoint is passed in (from AWS_ENDPOINT_URL, read by the entry point) rather than left to
 * the SDK's own environment lookup, so tests and the moto rehearsal say explicitly where calls go.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { CliError } from './cli';

export interface AwsTarget {
  /** Undefined: the SDK resolves it from AWS_REGION / the profile. */
  readonly region?: string;
  /** Another endpoint for every service (the moto server in tests). */
  readonly endpoint?: string;
  /** Fixed credentials (the emulator's throwaway keys); undefined: the SDK's default chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Reads the endpoint override the AWS CLI and SDKs share; entry points pass process.env. */
export function endpointFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const url = env.AWS_ENDPOINT_URL?.trim();
  if (!url) return undefined;
  if (!/^https?:\/\/[^\s/]+/.test(url)) {
    throw new CliError(`AWS_ENDPOINT_URL='${url}': expected an http(s) URL such as http://127.0.0.1:5000`, 2);
  }
  return url;
}

interface ClientConfig {
  readonly region?: string;
  readonly endpoint?: string;
  readonly maxAttempts: number;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

function config(target: AwsTarget): ClientConfig {
  // Bounded: a wrong endpoint or an offline machine fails in seconds, not after minutes of retries.
  return {
    region: target.region,
    endpoint: target.endpoint,
    maxAttempts: 2,
    ...(target.credentials ? { credentials: target.credentials } : {}),
  };
}

/** One SDK client for the target, e.g. `awsClient(S3Client, target, { forcePathStyle: true })`. */
export function awsClient<C, X extends object = object>(
  Client: new (config: ClientConfig & X) => C,
  target: AwsTarget,
  extra?: X,
): C {
  return new Client({ ...config(target), ...extra } as ClientConfig & X);
}

/** The clients the operator commands use, all for one target. */
export function awsClients(target: AwsTarget) {
  return {
    cloudFormation: awsClient(CloudFormationClient, target),
    ec2: awsClient(EC2Client, target),
    eks: awsClient(EKSClient, target),
    iam: awsClient(IAMClient, target),
    rds: awsClient(RDSClient, target),
    secretsManager: awsClient(SecretsManagerClient, target),
    sts: awsClient(STSClient, target),
  };
}
export type AwsClients = ReturnType<typeof awsClients>;

/** The region the SDK settled on (the given one, or from AWS_REGION / the profile). */
export async function resolvedRegion(clients: AwsClients): Promise<string> {
  try {
    return await clients.sts.config.region();
  } catch {
    throw new CliError(
      'no AWS region: pass --region, set the region setting (-c region=eu-west-1) or AWS_REGION',
    );
  }
}

/** Error name/code the SDK reports, whatever the service's error shape. */
export function errorName(e: unknown): string {
  const err = e as { name?: string; Code?: string; code?: string };
  return err.Code ?? err.name ?? err.code ?? 'Error';
}

/**
 * Turns the SDK failures a user meets before and after a deploy into one line that says what to
 * do; anything else keeps its own message, prefixed with what was being attempted.
 */
export function explainAwsError(e: unknown, doing: string, region?: string): CliError {
  const err = e as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  const name = errorName(e);
  const msg = err.message ?? String(e);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(msg)) {
    if (/expired/i.test(msg)) {
      return new CliError(
        `${doing}: your AWS credentials have expired (${msg}); refresh them (e.g. aws sso login)`,
      );
    }
    return new CliError(
      `${doing}: no AWS credentials found; configure them (aws configure / aws sso login / AWS_PROFILE) and retry`,
    );
  }
  if (/^(ExpiredToken|ExpiredTokenException|RequestExpired)$/.test(name) || /token.*expired/i.test(msg)) {
    return new CliError(
      `${doing}: your AWS session token has expired; refresh your credentials (e.g. aws sso login)`,
    );
  }
  if (
    /^(InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|InvalidSignatureException)$/.test(
      name,
    )
  ) {
    return new CliError(
      `${doing}: AWS rejected the credentials (${name})` +
        (region ? `; they are wrong, or region ${region} is not enabled for the account` : ''),
    );
  }
  if (/^(AccessDenied|AccessDeniedException|UnauthorizedOperation)$/.test(name)) {
    return new CliError(`${doing}: access denied (${msg})`);
  }
  const code = err.code ?? (err as { cause?: { code?: string } }).cause?.code;
  if (code && /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT)$/.test(code)) {
    return new CliError(
      `${doing}: cannot reach the AWS endpoint (${code})` +
        (region ? `; check the region '${region}', the network and AWS_ENDPOINT_URL` : ''),
    );
  }
  return new CliError(`${doing}: ${name}: ${msg}`);
}
