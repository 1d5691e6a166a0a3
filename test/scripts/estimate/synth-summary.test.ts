import { resolveConfig } from '../../../lib/settings/config';
import { readRawSettings } from '../../../lib/settings/read-settings';
import { zenmlServerSummary } from '../../../scripts/estimate/synth';

const config = (s: Record<string, unknown>) => resolveConfig(readRawSettings(s, {}));

describe('synth summary: the ZenML server', () => {
  test('names the namespace, the image version, the database auth, the secrets store and how to reach it', () => {
    const text = zenmlServerSummary(config({})).join('\n');
    expect(text).toContain('server zenmldocker/zenml-server:0.98.0 in namespace zenml');
    expect(text).toContain('RDS IAM auth as zenml_server');
    expect(text).toContain('secrets store: AWS Secrets Manager, zenml/*');
    expect(text).toContain('npm run zenml-login');
    expect(zenmlServerSummary(config({ zenmlDatabaseAuth: 'password' })).join('\n')).toContain(
      'the master password, read from Secrets Manager at run time',
    );
  });

  test('zenmlServer=false: no database, your server named', () => {
    const text = zenmlServerSummary(config({ zenmlServer: false, zenmlServerUrl: 'https://z.example.com' }));
    expect(text.join('\n')).toMatch(/database none .*\n.*your server at https:\/\/z\.example\.com/);
  });
});
