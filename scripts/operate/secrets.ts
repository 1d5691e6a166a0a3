/** Reads the stack's Secrets Manager secrets, only for the callers that asked for values. */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { errorName, explainAwsError } from '../lib/aws-clients';
import { CliError } from '../lib/cli';
import { secretValuesForZenml } from './zenml-commands';

/** The secret's JSON as string values (what ZenML accepts). The message on failure never holds a value. */
export async function readSecretValues(
  sm: SecretsManagerClient,
  secretArn: string,
): Promise<Record<string, string>> {
  let secretString: string | undefined;
  try {
    secretString = (await sm.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (e) {
    if (errorName(e) === 'ResourceNotFoundException') {
      throw new CliError(
        `secret ${secretArn} (named in the stack outputs) does not exist; was it deleted by hand?`,
      );
    }
    throw explainAwsError(e, `reading secret ${secretArn}`);
  }
  if (secretString === undefined) throw new CliError(`secret ${secretArn} has no string value`);
  try {
    return secretValuesForZenml(secretString, secretArn);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
