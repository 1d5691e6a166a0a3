/**
 * One signed AWS JSON 1.1 call, for the one service the scripts ask something of but have no SDK
 * client for: CloudWatch Logs (preflight looks for log groups a retained deploy left behind).
 * Credentials come from the SDK's own chain through a client the scripts already build; the
 * request is signed with Signature Version 4 (node:crypto), so no undeclared package is used.
 *
 * If @aws-sdk/client-cloudwatch-logs ever becomes a dependency, replace this with it.
 */
import { createHash, createHmac } from 'node:crypto';
import { CliError } from './cli';

export interface JsonCallTarget {
  readonly region: string;
  /** An endpoint for every service (AWS_ENDPOINT_URL); default the service's regional endpoint. */
  readonly endpoint?: string;
  readonly credentials: () => Promise<{
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  }>;
}

/** An AWS error answer: its `__type` (without the namespace) and message. */
export class AwsJsonError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    // The name is the error code, as the SDK's errors carry it (explainAwsError reads it).
    this.name = code;
  }
}

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** The Authorization header of a SigV4-signed POST / with the given headers and body. */
export function signV4(o: {
  readonly host: string;
  readonly region: string;
  readonly service: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly amzDate: string;
}): string {
  const date = o.amzDate.slice(0, 8);
  const headers = Object.entries({ ...o.headers, host: o.host })
    .map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([k]) => k).join(';');
  const canonicalRequest = [
    'POST',
    '/',
    '',
    ...headers.map(([k, v]) => `${k}:${v}`),
    '',
    signedHeaders,
    sha256Hex(o.body),
  ].join('\n');
  const scope = `${date}/${o.region}/${o.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', o.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${o.secretAccessKey}`, date);
  const kSigning = hmac(hmac(hmac(kDate, o.region), o.service), 'aws4_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${o.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

/**
 * POSTs `body` to `<service>` as `<targetPrefix>.<operation>` and returns the parsed answer; an
 * error answer is an AwsJsonError, an unreachable endpoint a CliError.
 */
export async function awsJsonCall(
  target: JsonCallTarget,
  service: string,
  targetPrefix: string,
  operation: string,
  body: object,
): Promise<Record<string, unknown>> {
  const suffix = target.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const url = new URL(target.endpoint ?? `https://${service}.${target.region}.${suffix}`);
  const creds = await target.credentials();
  const payload = JSON.stringify(body);
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-date': amzDate,
    'x-amz-target': `${targetPrefix}.${operation}`,
    ...(creds.sessionToken ? { 'x-amz-security-token': creds.sessionToken } : {}),
  };
  const authorization = signV4({
    host: url.host,
    region: target.region,
    service,
    body: payload,
    headers,
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey,
    amzDate,
  });
  let res: Response;
  try {
    res = await fetch(new URL('/', url), {
      method: 'POST',
      headers: { ...headers, authorization },
      body: payload,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    throw new CliError(`${operation}: cannot reach ${url.origin} (${(e as Error).message})`);
  }
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Some errors (authentication, in front of the service) come back as XML.
    const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
    parsed = { __type: tag('Code') ?? String(res.status), message: tag('Message') ?? text.slice(0, 200) };
  }
  if (!res.ok) {
    const code = String(parsed.__type ?? parsed.code ?? res.status).replace(/^.*#/, '');
    throw new AwsJsonError(code, String(parsed.message ?? parsed.Message ?? text), res.status);
  }
  return parsed;
}
