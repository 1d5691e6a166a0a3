import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import {
  CliError,
  COMMON_OPTIONS,
  parseFlags,
  resolveTarget,
  settingsFromFlags,
} from '../../scripts/lib/cli';
import { matchingAdmin, parseCallerArn } from '../../scripts/lib/principals';

const USAGE = 'Usage: test';
const ROOT = path.resolve(__dirname, '..', '..');

describe('parseFlags', () => {
  test('repeated -c pairs and --stack are parsed', () => {
    const flags = parseFlags(
      ['-c', 'namePrefix=abc', '-c', 'nodeMinSize=2', '--stack', 's'],
      COMMON_OPTIONS,
      USAGE,
    );
    expect(flags.context).toEqual(['namePrefix=abc', 'nodeMinSize=2']);
    expect(flags.stack).toBe('s');
  });

  test('an unknown flag is a usage error (exit 2) naming it', () => {
    expect(() => parseFlags(['--stak', 'x'], COMMON_OPTIONS, USAGE)).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/^Unknown option '--stak'/) }),
    );
  });

  test('a stray positional is a usage error', () => {
    expect(() => parseFlags(['zenml-spark'], COMMON_OPTIONS, USAGE)).toThrow(CliError);
  });
});

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
      /^Invalid setting: nodeInstanceType='t3a.huge-ish' \(from context \(cdk.json or -c\)\): one of the x86_64 types/,
    );
  });

  test('a malformed -c pair names the pair', () => {
    expect(() => resolveTarget({ context: ['nodeMinSize'] }, {})).toThrow(
      /-c nodeMinSize: expected key=value/,
    );
  });

  test('a bad --stack is rejected', () => {
    expect(() => resolveTarget({ stack: 'bad_name!' }, {})).toThrow(/^--stack 'bad_name!'/);
  });
});

describe('caller vs clusterAdminPrincipalArns', () => {
  const ROLE =
    'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123';
  const SESSION = 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/jane@example.com';

  test('an assumed-role session matches its role even though the session ARN drops the path', () => {
    expect(matchingAdmin(parseCallerArn(SESSION), [ROLE])).toBe(ROLE);
  });

  test('the same role name in another account does not match', () => {
    expect(
      matchingAdmin(parseCallerArn(SESSION), [ROLE.replace('111122223333', '444455556666')]),
    ).toBeUndefined();
  });

  test('a user matches only its own ARN, not a role of the same name', () => {
    const user = 'arn:aws:iam::111122223333:user/jane';
    expect(matchingAdmin(parseCallerArn(user), [user])).toBe(user);
    expect(matchingAdmin(parseCallerArn(user), ['arn:aws:iam::111122223333:role/jane'])).toBeUndefined();
  });

  test('root is recognised (it cannot be given cluster access the normal way)', () => {
    expect(parseCallerArn('arn:aws:iam::111122223333:root').kind).toBe('root');
  });
});

describe('settingsFromFlags', () => {
  test('applies -c pairs over cdk.json and returns them for the CDK CLI', () => {
    const { cliContext, config } = settingsFromFlags(['nodeMinSize=2', 'nodeDesiredSize=2'], {});
    expect(cliContext).toEqual({ nodeMinSize: '2', nodeDesiredSize: '2' });
    expect(config.nodeMinSize).toBe(2);
  });

  test('a malformed pair is a usage error (exit 2), a bad value a setting error (exit 1)', () => {
    expect(() => settingsFromFlags(['oops'], {})).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => settingsFromFlags(['nodeMinSize=9'], {})).toThrow(
      expect.objectContaining({
        exitCode: 1,
        message: expect.stringMatching(/^Invalid setting: nodeMinSize='9'/),
      }),
    );
  });
});

describe.each(['synth', 'cost', 'critical-path'])('scripts/%s.ts', (name) => {
  test('an unknown flag is one error line plus the usage, exit 2, no stack trace', () => {
    const r = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'tsx'),
      [path.join(ROOT, 'scripts', `${name}.ts`), '--bogus'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("error: Unknown option '--bogus'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
