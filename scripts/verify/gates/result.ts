/**
 * What every gate runner returns, and the helpers they share: the result of one gate (passed,
 * findings, acknowledged, problems), the tool paths scripts/verify/gates.sh exports, and the
 * acknowledgement files in gates/.
 */
import * as path from 'node:path';
import { REPO_ROOT } from '../../lib/settings';
import type { AssemblyIndex } from './parsers/assembly-index';
import {
  type AcknowledgedFinding,
  type Acknowledgement,
  type Finding,
  loadAcknowledgements,
  type Triage,
} from './parsers/findings';

/** Bound on one tool run. */
export const TOOL_TIMEOUT_MS = 5 * 60_000;
const ACK_DIR = path.join(REPO_ROOT, 'gates');

export interface GateResult {
  gate: string;
  scope: string;
  passed: boolean;
  findings: number;
  acknowledged: number;
  ms: number;
  /** Why the gate failed other than by findings (missing input, tool error, canary missed). */
  problems: string[];
  unacknowledged: Finding[];
  acknowledgedFindings: AcknowledgedFinding[];
  stale: { rule: string; resource: string }[];
  notes: string[];
}

export function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: run the gates through scripts/verify/gates.sh, which installs the tools`,
    );
  return v;
}

export function rel(p: string): string {
  return path.relative(REPO_ROOT, p) || '.';
}

export function result(
  gate: string,
  scope: string,
  started: number,
  t?: Triage,
  extra: Partial<GateResult> = {},
): GateResult {
  const problems = [...(extra.problems ?? []), ...(t?.invalid ?? [])];
  const stale = t?.stale ?? [];
  const unacknowledged = t?.unacknowledged ?? [];
  const acknowledged = t?.acknowledged ?? [];
  for (const s of stale)
    problems.push(`stale acknowledgement: ${s.rule} on ${s.resource} matched no finding; remove it`);
  return {
    gate,
    scope,
    passed: problems.length === 0 && unacknowledged.length === 0,
    findings: unacknowledged.length + acknowledged.length,
    acknowledged: acknowledged.length,
    ms: Date.now() - started,
    problems,
    unacknowledged,
    acknowledgedFindings: acknowledged,
    stale,
    notes: extra.notes ?? [],
  };
}

/**
 * The run's verdict: exit 0 only when every gate asked for returned a result and every result
 * passed. A gate that returned nothing (a runner that forgot it, a filter gone wrong) fails the run
 * as surely as one with an unacknowledged finding.
 */
export function verdict(
  wanted: Iterable<string>,
  results: readonly GateResult[],
): { exitCode: 0 | 1; failedGates: string[]; missingGates: string[] } {
  const missingGates = [...wanted].filter((g) => !results.some((r) => r.gate === g));
  const failedGates = [...new Set(results.filter((r) => !r.passed).map((r) => r.gate))];
  const ok = results.length > 0 && missingGates.length === 0 && failedGates.length === 0;
  return { exitCode: ok ? 0 : 1, failedGates, missingGates };
}

export function failed(gate: string, scope: string, started: number, problem: string): GateResult {
  return result(gate, scope, started, undefined, { problems: [problem] });
}

export function acks(file: string): { entries: Acknowledgement[]; errors: string[] } {
  return loadAcknowledgements(path.join(ACK_DIR, file));
}

export function templatesOf(index: AssemblyIndex): string[] {
  return index.stacks.map((s) => path.join(index.outDir, s.templateFile));
}
