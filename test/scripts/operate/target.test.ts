import { resolveTarget } from '../../../scripts/operate/target';

describe('resolveTarget', () => {
  test('defaults: the stack is the namePrefix; the region comes from AWS_REGION', () => {
    const t = resolveTarget({}, { AWS_REGION: 'eu-central-1' });
    expect(t.stackName).toBe('zenml-spark');
    expect([t.region, t.regionSource]).toEqual(['eu-central-1', 'AWS_REGION']);
  });

  test('-c namePrefix renames the stack; --region beats the region setting', () => {
    const t = resolveTarget({ context: ['namePrefix=team-a', 'region=eu-west-1'], region: 'us-east-1' }, {});
    expect(t.stackName).toBe('team-a');
    expect([t.region, t.regionSource]).toEqual(['us-east-1', '--region']);
  });

  test('the region setting beats AWS_REGION (the app deploys there)', () => {
    const t = resolveTarget({ context: ['region=eu-west-1'] }, { AWS_REGION: 'us-east-1' });
    expect([t.region, t.regionSource]).toEqual(['eu-west-1', 'setting region']);
  });

  test('ZENML_SPARK_* environment variables apply, as in the app', () => {
    expect(resolveTarget({}, { ZENML_SPARK_NAME_PREFIX: 'from-env' }).stackName).toBe('from-env');
  });

  test('an invalid setting is one error naming key, value and what is allowed', () => {
    expect(() => resolveTarget({ context: ['nodeInstanceType=t3a.huge-ish'] }, {})).toThrow(
      /^Invalid setting: nodeInstanceType='t3a.huge-ish' \(from -c\): one of the x86_64 types/,
    );
  });

  test('a malformed -c pair names the pair', () => {
    expect(() => resolveTarget({ context: ['nodeMinSize'] }, {})).toThrow(
      /-c nodeMinSize: expected key=value/,
    );
  });

  test("--region is held to the region setting's rule, with the same words (exit 2)", () => {
    const why = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as { message: string; exitCode?: number };
      }
      throw new Error('no error');
    };
    const setting = why(() => resolveTarget({ context: ['region=xx-nowhere-1'] }, {}));
    const flag = why(() => resolveTarget({ region: 'xx-nowhere-1' }, {}));
    expect(setting.message).toMatch(
      /^Invalid setting: region='xx-nowhere-1' \(from -c\): a region whose RDS root CA/,
    );
    expect([flag.message, flag.exitCode]).toEqual([
      `--region 'xx-nowhere-1': ${setting.message.replace(/^.*?\(from -c\): /, '')}`,
      2,
    ]);
    // Without the in-cluster server there is no RDS CA to need: the same holds for both.
    const own = ['zenmlServer=false', 'zenmlServerUrl=https://zenml.example.com'];
    expect(resolveTarget({ context: own, region: 'xx-nowhere-1' }, {}).region).toBe('xx-nowhere-1');
    expect(resolveTarget({ context: [...own, 'region=xx-nowhere-1'] }, {}).region).toBe('xx-nowhere-1');
  });

  test('a bad --stack is rejected', () => {
    expect(() => resolveTarget({ stack: 'bad_name!' }, {})).toThrow(/^--stack 'bad_name!'/);
  });
});
