/**
 * The gates' decision: when one gate passes, and when the run exits 0. The parsers are tested apart
 * (parsers/); these hold the verdict itself, so a gate that passes with an unacknowledged finding,
 * a stale acknowledgement or a gate that returned nothing fails here.
 */
import type { Finding, Triage } from '../../../../scripts/verify/gates/parsers/findings';
import { failed, type GateResult, result, verdict } from '../../../../scripts/verify/gates/result';

const finding = (rule: string, resource = 'ZenmlSpark/ArtifactStore/Bucket'): Finding => ({
  rule,
  resource,
  location: 'synth',
  message: rule,
});
const triaged = (t: Partial<Triage>): Triage => ({
  unacknowledged: [],
  acknowledged: [],
  stale: [],
  invalid: [],
  ...t,
});

describe('one gate', () => {
  test('GIVEN no findings THEN it passes with zero counts and no problems', () => {
    const r = result('cfn-lint', 'scope', Date.now(), triaged({}));
    expect(r).toMatchObject({ gate: 'cfn-lint', scope: 'scope', passed: true, findings: 0, acknowledged: 0 });
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([]);
  });

  test('GIVEN one unacknowledged finding THEN it fails and lists it', () => {
    const f = finding('W3005');
    const r = result('cfn-lint', 's', Date.now(), triaged({ unacknowledged: [f] }));
    expect(r.passed).toBe(false);
    expect(r.findings).toBe(1);
    expect(r.acknowledged).toBe(0);
    expect(r.unacknowledged).toEqual([f]);
    expect(r.problems).toEqual([]);
  });

  test('GIVEN only acknowledged findings THEN it passes and counts them as findings and acknowledged', () => {
    const acked = [
      { ...finding('W3005'), reason: 'a reviewed reason' },
      { ...finding('W3663'), reason: 'another' },
    ];
    const r = result('cfn-lint', 's', Date.now(), triaged({ acknowledged: acked }));
    expect(r).toMatchObject({ passed: true, findings: 2, acknowledged: 2 });
    expect(r.acknowledgedFindings).toEqual(acked);
  });

  test('GIVEN one acknowledged and one unacknowledged finding THEN it fails; findings counts both', () => {
    const r = result(
      'g',
      's',
      Date.now(),
      triaged({ unacknowledged: [finding('A')], acknowledged: [{ ...finding('B'), reason: 'r' }] }),
    );
    expect(r).toMatchObject({ passed: false, findings: 2, acknowledged: 1 });
  });

  test('GIVEN a stale acknowledgement and no findings THEN it fails, naming rule and resource', () => {
    const stale = [{ rule: 'CKV_AWS_18', resource: 'ZenmlSpark/Gone' }];
    const r = result('checkov-cfn', 's', Date.now(), triaged({ stale }));
    expect(r.passed).toBe(false);
    expect(r.stale).toEqual(stale);
    expect(r.problems).toEqual([
      'stale acknowledgement: CKV_AWS_18 on ZenmlSpark/Gone matched no finding; remove it',
    ]);
  });

  test('GIVEN an invalid acknowledgement THEN it fails with that problem', () => {
    const r = result('cfn-lint', 's', Date.now(), triaged({ invalid: ['gates/x.yaml entry 1: bad'] }));
    expect(r.passed).toBe(false);
    expect(r.problems).toEqual(['gates/x.yaml entry 1: bad']);
  });

  test('GIVEN a problem from the runner THEN it fails, with the runner problems first and its notes kept', () => {
    const r = result('secrets', 's', Date.now(), triaged({ invalid: ['invalid'] }), {
      problems: ['canary missed'],
      notes: ['a note'],
    });
    expect(r.passed).toBe(false);
    expect(r.problems).toEqual(['canary missed', 'invalid']);
    expect(r.notes).toEqual(['a note']);
  });

  test('GIVEN no triage at all THEN it passes with nothing (cdk-nag counts its own)', () => {
    expect(result('cdk-nag', 's', Date.now())).toMatchObject({ passed: true, findings: 0, problems: [] });
  });

  test('failed(): a gate that could not run fails with the reason', () => {
    const r = failed('kubeconform', 'dist', Date.now(), 'kubeconform not found');
    expect(r).toMatchObject({ gate: 'kubeconform', scope: 'dist', passed: false, findings: 0 });
    expect(r.problems).toEqual(['kubeconform not found']);
  });

  test('time: ms counts from the start the runner passes', () => {
    const r = result('g', 's', Date.now() - 5_000);
    expect(r.ms).toBeGreaterThanOrEqual(5_000);
    expect(r.ms).toBeLessThan(60_000);
  });
});

describe('the run', () => {
  const pass = (gate: string): GateResult => result(gate, 's', Date.now());
  const fail = (gate: string): GateResult => failed(gate, 's', Date.now(), 'broken');

  test('GIVEN every wanted gate passed THEN exit 0', () => {
    expect(verdict(['cfn-lint', 'secrets'], [pass('cfn-lint'), pass('secrets')])).toEqual({
      exitCode: 0,
      failedGates: [],
      missingGates: [],
    });
  });

  test('GIVEN one gate failed THEN exit 1 naming it', () => {
    expect(verdict(['cfn-lint', 'secrets'], [pass('cfn-lint'), fail('secrets')])).toEqual({
      exitCode: 1,
      failedGates: ['secrets'],
      missingGates: [],
    });
  });

  test('GIVEN a wanted gate returned no result THEN exit 1 naming it', () => {
    expect(verdict(['cfn-lint', 'secrets'], [pass('cfn-lint')])).toEqual({
      exitCode: 1,
      failedGates: [],
      missingGates: ['secrets'],
    });
  });

  test('GIVEN no results at all THEN exit 1, even with nothing wanted', () => {
    expect(verdict([], []).exitCode).toBe(1);
  });

  test('GIVEN a gate that passed for one scope and failed for another THEN exit 1, the gate named once', () => {
    expect(verdict(['checkov-cfn'], [pass('checkov-cfn'), fail('checkov-cfn'), fail('checkov-cfn')])).toEqual(
      {
        exitCode: 1,
        failedGates: ['checkov-cfn'],
        missingGates: [],
      },
    );
  });
});
