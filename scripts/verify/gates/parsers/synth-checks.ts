/**
 * The policy checks that run inside every `cdk synth` (lib/validation.ts): cfn-guard's Control
 * Tower rules, cdk-nag AwsSolutions and aws-cdk-lib's CloudFormation validation. They already
 * block synth; the gates only show, from the cloud assembly, that they ran and what they
 * acknowledged, so the summary table covers every gate.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Violation {
  ruleName: string;
  acknowledgedId?: string;
  reason?: string;
  violatingConstructs: { constructPath: string }[];
}

interface PluginReport {
  pluginName: string;
  pluginVersion?: string;
  conclusion: string;
  violations: Violation[];
  suppressedViolations?: Violation[];
}

export interface SynthCheck {
  readonly check: string;
  readonly ran: boolean;
  readonly version?: string;
  /** Unacknowledged violations in the report (synth would have failed on any). */
  readonly violations: { rule: string; construct: string }[];
  /** Acknowledged findings: one per rule and construct. */
  readonly acknowledged: { rule: string; construct: string; reason: string }[];
}

/** Reads cdk.out/validation-report.json (written by aws-cdk-lib when validation plugins ran). */
export function readSynthChecks(outDir: string): { report: boolean; checks: SynthCheck[] } {
  const file = path.join(outDir, 'validation-report.json');
  if (!fs.existsSync(file)) return { report: false, checks: [] };
  const doc: { pluginReports?: PluginReport[] } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const checks = (doc.pluginReports ?? []).map((p) => ({
    check: p.pluginName,
    ran: true,
    version: p.pluginVersion,
    violations: p.violations.flatMap((v) =>
      v.violatingConstructs.map((c) => ({ rule: v.ruleName, construct: c.constructPath })),
    ),
    acknowledged: (p.suppressedViolations ?? []).flatMap((v) =>
      v.violatingConstructs.map((c) => ({
        rule: v.ruleName,
        construct: c.constructPath,
        reason: v.reason ?? '',
      })),
    ),
  }));
  return { report: true, checks };
}

/** cdk-nag reports no plugin report when it passes; its acknowledgements are in the construct metadata. */
export function countAcknowledgedIds(
  acks: ReadonlyMap<string, ReadonlyMap<string, string>>,
  prefix: string,
): number {
  let n = 0;
  for (const byId of acks.values()) for (const id of byId.keys()) if (id.startsWith(prefix)) n++;
  return n;
}
