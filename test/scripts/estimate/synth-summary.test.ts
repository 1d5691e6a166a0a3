import { resolveConfig } from '../../../lib/settings/config';
import { readRawSettings } from '../../../lib/settings/read-settings';
import { summaryFrame, zenmlServerSummary } from '../../../scripts/estimate/synth';

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

describe('synth summary: the emulator build', () => {
  test('GIVEN emulator=true THEN the first line says it is the moto build and the hint is not to deploy it', () => {
    const frame = summaryFrame(config({ emulator: true }), 'cdk.out', 12_300);
    expect(frame.first[0]).toMatch(
      /^EMULATOR BUILD \(emulator=true\): the local moto build, .*not for deploying$/,
    );
    expect(frame.first[1]).toBe('zenml-spark-eks: synthesized offline in 12.3 s');
    expect(frame.next).toMatch(
      /^Templates in cdk\.out\/: the emulator \(moto\) build, for the local test suites .*not for deploying/,
    );
    expect(frame.next).not.toMatch(/deploy with/);
  });

  test('GIVEN a real build THEN no emulator line, and the hint points at npm test and the deploy commands', () => {
    const frame = summaryFrame(config({}), 'cdk.out', 1000);
    expect(frame.first).toEqual(['zenml-spark-eks: synthesized offline in 1.0 s']);
    expect(frame.next).toBe(
      'Templates in cdk.out/. Next: npm test, or deploy with the commands in README.md.',
    );
  });
});
