import { table } from '../../../../scripts/lib/table';
import { printReport, resultsJson } from '../../../../scripts/verify/gates/report';
import { type GateResult, result } from '../../../../scripts/verify/gates/result';

function printed(results: GateResult[], verbose: boolean): string {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    lines.push(a.join(' '));
  });
  try {
    printReport(results, verbose, 12_345);
  } finally {
    log.mockRestore();
  }
  return lines.join('\n');
}

const acked = (rule: string, resource: string, reason = 'a reviewed reason') => ({
  rule,
  resource,
  location: 'x',
  message: rule,
  reason,
});
const lint = (): GateResult =>
  result('cfn-lint', 'scope', Date.now(), {
    unacknowledged: [
      {
        rule: 'W1',
        resource: 'ZenmlSpark/A',
        location: 'T.json:3 Resources/A',
        message: 'bad',
        severity: 'Warning',
      },
    ],
    acknowledged: [acked('W2', 'ZenmlSpark/B'), acked('W2', 'ZenmlSpark/C')],
    stale: [],
    invalid: [],
  });

describe('gates report', () => {
  test('per gate: problems, each unacknowledged finding with where, acknowledged ones by rule and count, notes', () => {
    const r = lint();
    r.notes.push('a note');
    r.problems.push('first line\nsecond line');
    const out = printed([r], false);
    expect(out).toContain('  ! first line\n    second line');
    expect(out).toContain('  ✗ W1 (Warning) ZenmlSpark/A\n      bad\n      at T.json:3 Resources/A');
    expect(out).toContain('  ✓ W2 x2 acknowledged: B, C');
    expect(out).toContain('  · a note');
    expect(out).toContain('Failed: cfn-lint.');
    expect(out).toContain('gates took 12.3 s');
    expect(out.endsWith('gates: 0 passed, 1 failed')).toBe(true);
  });

  test('--verbose lists every acknowledged finding with its reason; other gates list them only when verbose', () => {
    expect(printed([lint()], true)).toContain('  ✓ W2 ZenmlSpark/B: a reviewed reason');
    const guard = result('cfn-guard', 's', Date.now(), {
      unacknowledged: [],
      acknowledged: [acked('rule_y', 'ZenmlSpark/D')],
      stale: [],
      invalid: [],
    });
    const quiet = printed([guard], false);
    expect(quiet).not.toContain('rule_y');
    expect(quiet).not.toContain('Failed:');
    expect(quiet).toContain('gates: 1 passed, 0 failed');
    expect(printed([guard], true)).toContain('  ✓ rule_y ZenmlSpark/D: a reviewed reason');
  });

  test('the whole text: the table, then a block per gate with something to say, the failed gates, the time', () => {
    const pass = result('cfn-guard', 'cdk.out/ guard rules', Date.now() - 2_000);
    pass.ms = 2_049;
    const fail = result('checkov-k8s', 'dist/', Date.now(), {
      unacknowledged: [
        { rule: 'CKV_K8S_1', resource: 'Deployment/x', location: 'x.yaml', message: 'no limits' },
      ],
      acknowledged: [acked('CKV_K8S_2', 'ZenmlSpark/Stack/ZenmlSpark/Pod'), acked('CKV_K8S_2', 'Other/Pod')],
      stale: [],
      invalid: [],
    });
    fail.ms = 100;
    expect(printed([pass, fail], false)).toBe(
      [
        '\nGates',
        table(
          ['gate', 'result', 'findings', 'acknowledged', 'time', 'scope'],
          [
            ['cfn-guard', 'pass', '0', '0', '2.0 s', 'cdk.out/ guard rules'],
            ['checkov-k8s', 'FAIL', '3', '2', '0.1 s', 'dist/'],
          ],
        ),
        // No severity: none printed. checkov's acknowledged checks listed, ZenmlSpark/ cut at the start only.
        '\ncheckov-k8s\n  ✗ CKV_K8S_1 Deployment/x\n      no limits\n      at x.yaml\n  ✓ CKV_K8S_2 x2 acknowledged: Stack/ZenmlSpark/Pod, Other/Pod',
        '\nFailed: checkov-k8s. Fix the finding, or acknowledge it narrowly with a reason in gates/*.yaml (docs/gates.md).',
        'gates took 12.3 s',
        'gates: 1 passed, 1 failed',
      ].join('\n'),
    );
  });

  test('--json: every gate without the matched secret values', () => {
    const r = result('secrets', 's', Date.now(), {
      unacknowledged: [
        { rule: 'k', resource: 'repo:x', location: 'l', message: 'm', secret: 'hunter2', fingerprint: 'f' },
      ],
      acknowledged: [],
      stale: [],
      invalid: [],
    });
    const json = resultsJson([r]);
    expect(json).not.toContain('hunter2');
    expect(JSON.parse(json)).toEqual([
      {
        gate: 'secrets',
        passed: false,
        findings: 1,
        acknowledged: 0,
        ms: expect.any(Number),
        scope: 's',
        problems: [],
        unacknowledged: [{ rule: 'k', resource: 'repo:x', location: 'l', message: 'm', fingerprint: 'f' }],
      },
    ]);
    expect(json.endsWith('\n')).toBe(true);
  });
});
