/** Secrets Manager: moto's CloudFormation skips AWS::SecretsManager::*, so the secret is absent. */
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { physicalNames } from '../../../../lib/settings/names';
import type { DeployedContext } from './context';

export async function checkSecrets(ctx: DeployedContext): Promise<void> {
  const { c, config, r } = ctx;
  const names = physicalNames(config);
  const secrets = (await c.sm.send(new ListSecretsCommand({}))).SecretList ?? [];
  const rdsSecret = secrets.find((s) => s.Name === names.rdsSecretName);
  if (rdsSecret) r.check('Secrets', `'${names.rdsSecretName}' exists`, true, rdsSecret.ARN ?? '');
  else
    r.notModelled(
      'Secrets',
      `'${names.rdsSecretName}' (generated DB credentials)`,
      'AWS::SecretsManager::Secret (type skipped)',
    );
}
