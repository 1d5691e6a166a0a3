/** The gates' summary table and, per gate, its problems, findings and notes. */
import { table } from '../../lib/table';
import type { AcknowledgedFinding } from './parsers/findings';
import type { GateResult } from './result';

function fmtMs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function printReport(results: GateResult[], verbose: boolean, totalMs: number) {
  console.log('\nGates');
  console.log(
    table(
      ['gate', 'result', 'findings', 'acknowledged', 'time', 'scope'],
      results.map((r) => [
        r.gate,
        r.passed ? 'pass' : 'FAIL',
        String(r.findings),
        String(r.acknowledged),
        fmtMs(r.ms),
        r.scope,
      ]),
    ),
  );
  for (const r of results) {
    const lines: string[] = [];
    for (const p of r.problems) lines.push(`  ! ${p.replaceAll('\n', '\n    ')}`);
    for (const f of r.unacknowledged) {
      lines.push(
        `  ✗ ${f.rule}${f.severity ? ` (${f.severity})` : ''} ${f.resource}\n      ${f.message}\n      at ${f.location}`,
      );
    }
    const byRule = new Map<string, AcknowledgedFinding[]>();
    for (const f of r.acknowledgedFindings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
    if (verbose) {
      for (const f of r.acknowledgedFindings) {
        lines.push(`  ✓ ${f.rule} ${f.resource}: ${f.reason}`);
      }
    } else if (r.gate === 'cfn-lint' || r.gate.startsWith('checkov')) {
      // cfn-lint warnings and checkov checks are listed even when acknowledged: rule, count, where.
      for (const [rule, found] of byRule) {
        const where = [...new Set(found.map((f) => f.resource.replace(/^ZenmlSpark\//, '')))];
        lines.push(`  ✓ ${rule} x${found.length} acknowledged: ${where.join(', ')}`);
      }
    }
    for (const n of r.notes) lines.push(`  · ${n}`);
    if (lines.length > 0) console.log(`\n${r.gate}\n${lines.join('\n')}`);
  }
  const failedGates = results.filter((r) => !r.passed).map((r) => r.gate);
  if (failedGates.length > 0) {
    console.log(
      `\nFailed: ${failedGates.join(', ')}. Fix the finding, or acknowledge it narrowly with a reason in gates/*.yaml (docs/gates.md).`,
    );
  }
  console.log(`gates took ${fmtMs(totalMs)}`);
  // The plain closing line test runners print, so CI logs read the same for every suite.
  console.log(`gates: ${results.length - failedGates.length} passed, ${failedGates.length} failed`);
}

/** The results as --json writes them: everything but the matched secret values. */
export function resultsJson(results: readonly GateResult[]): string {
  return `${JSON.stringify(
    results.map(({ gate, passed, findings, acknowledged, ms, scope, problems, unacknowledged }) => ({
      gate,
      passed,
      findings,
      acknowledged,
      ms,
      scope,
      problems,
      unacknowledged: unacknowledged.map(({ secret: _s, ...f }) => f),
    })),
    null,
    2,
  )}\n`;
}
