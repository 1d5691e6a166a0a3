/** The synth-time checks as gates: read from cdk.out/validation-report.json and the construct metadata. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AssemblyIndex } from '../../../../../scripts/verify/gates/parsers/assembly-index';
import { synthGates } from '../../../../../scripts/verify/gates/runners/synth';
import { tempDir } from '../../../../temp-dirs';

const ALL = new Set(['cfn-guard', 'cfn-validate', 'cdk-nag']);

function index(outDir: string, acks: Record<string, Record<string, string>> = {}): AssemblyIndex {
  return {
    outDir,
    stacks: [],
    synthAcknowledgements: new Map(
      Object.entries(acks).map(([p, byId]) => [p, new Map(Object.entries(byId))]),
    ),
  };
}

function outWith(reports: unknown[] | undefined): string {
  const dir = tempDir('gates-synth-');
  if (reports)
    fs.writeFileSync(path.join(dir, 'validation-report.json'), JSON.stringify({ pluginReports: reports }));
  return dir;
}

const guard = (violations: unknown[], suppressed: unknown[] = []) => ({
  pluginName: 'cdk-validator-cfnguard',
  pluginVersion: '0.0.62',
  conclusion: violations.length ? 'failure' : 'success',
  violations,
  suppressedViolations: suppressed,
});
const validate = { pluginName: 'CloudFormation Validate', conclusion: 'success', violations: [] };

describe('synth gates', () => {
  // The CloudFormation Validate report carries no version: one space, not two (fixed with this test).
  test('GIVEN clean reports THEN cfn-guard and cfn-validate pass; acknowledged ones are counted with their reason', () => {
    const out = outWith([
      guard(
        [],
        [
          {
            ruleName: 's3_bucket_versioning_enabled_check',
            reason: 'versioning is a setting',
            violatingConstructs: [{ constructPath: '/ZenmlSpark/ArtifactStore/Bucket' }],
          },
        ],
      ),
      validate,
    ]);
    const results = synthGates(index(out), out, ALL);
    const byGate = Object.fromEntries(results.map((r) => [r.gate, r]));
    expect(byGate['cfn-guard']).toMatchObject({
      passed: true,
      findings: 1,
      acknowledged: 1,
      scope: 'cdk-validator-cfnguard 0.0.62 in cdk synth',
    });
    expect(byGate['cfn-guard'].acknowledgedFindings).toEqual([
      {
        rule: 's3_bucket_versioning_enabled_check',
        resource: 'ZenmlSpark/ArtifactStore/Bucket',
        location: 'synth',
        message: 's3_bucket_versioning_enabled_check',
        reason: 'versioning is a setting',
      },
    ]);
    expect(
      byGate['cfn-guard'].notes.some((n) => n.startsWith('rule ') && n.includes('disabled app-wide')),
    ).toBe(true);
    expect(byGate['cfn-validate']).toMatchObject({
      passed: true,
      scope: 'CloudFormation Validate in cdk synth',
    });
  });

  test('GIVEN a violation in the report THEN cfn-guard fails with it', () => {
    const out = outWith([
      guard([
        {
          ruleName: 'rule_x',
          violatingConstructs: [{ constructPath: 'ZenmlSpark/A' }, { constructPath: 'ZenmlSpark/B' }],
        },
      ]),
      validate,
    ]);
    const r = synthGates(index(out), out, new Set(['cfn-guard']));
    expect(r).toHaveLength(1);
    expect(r[0].passed).toBe(false);
    expect(r[0].unacknowledged.map((f) => [f.rule, f.resource])).toEqual([
      ['rule_x', 'ZenmlSpark/A'],
      ['rule_x', 'ZenmlSpark/B'],
    ]);
  });

  test('GIVEN no validation report, or no report of a plugin THEN its gate fails naming the file', () => {
    const none = outWith(undefined);
    const results = synthGates(index(none), none, new Set(['cfn-guard', 'cfn-validate']));
    expect(results.map((r) => [r.gate, r.passed])).toEqual([
      ['cfn-guard', false],
      ['cfn-validate', false],
    ]);
    expect(results[0].problems[0]).toMatch(
      /validation-report\.json has no cdk-validator-cfnguard report: was it synthesized by npm run synth\?$/,
    );
    const onlyGuard = outWith([guard([])]);
    const r = synthGates(index(onlyGuard), onlyGuard, new Set(['cfn-validate']));
    expect(r.map((x) => [x.gate, x.passed])).toEqual([['cfn-validate', false]]);
  });

  test('cdk-nag: passes (synth would have failed), counting only the AwsSolutions acknowledgements on constructs', () => {
    const out = outWith([guard([]), validate]);
    const acks = {
      'ZenmlSpark/A': { 'Annotation::AwsSolutions-IAM5[Resource::*]': 'r', 'cdk-validator-cfnguard::x': 'r' },
      'ZenmlSpark/B': { 'Annotation::AwsSolutions-S1': 'r', 'AwsSolutions-S2': 'r' },
    };
    const [nag] = synthGates(index(out, acks), out, new Set(['cdk-nag']));
    expect(nag).toMatchObject({ gate: 'cdk-nag', passed: true, findings: 2, acknowledged: 2 });
    expect(nag.notes).toEqual([
      'synth fails on any unacknowledged cdk-nag finding; acknowledgements are on the constructs',
    ]);
  });

  test('a gate not wanted is not reported', () => {
    const out = outWith([guard([]), validate]);
    expect(synthGates(index(out), out, new Set())).toEqual([]);
  });
});
