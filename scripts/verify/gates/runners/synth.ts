/**
 * The synth-time policy checks as gates (cfn-guard, cfn-validate, cdk-nag): read from the cloud
 * assembly's validation report and acknowledgements, not run again.
 */
import { DISABLED_GUARD_RULES } from '../../../../lib/validation';
import type { AssemblyIndex } from '../parsers/assembly-index';
import { countAcknowledgedIds, readSynthChecks } from '../parsers/synth-checks';
import { failed, type GateResult, rel, result } from '../result';

export function synthGates(index: AssemblyIndex, outDir: string, want: Set<string>): GateResult[] {
  const started = Date.now();
  const { report, checks } = readSynthChecks(outDir);
  const results: GateResult[] = [];
  const fromReport = (gate: string, pluginName: string, notes: string[]) => {
    if (!want.has(gate)) return;
    const c = checks.find((x) => x.check === pluginName);
    if (!report || !c) {
      results.push(
        failed(
          gate,
          pluginName,
          started,
          `${rel(outDir)}/validation-report.json has no ${pluginName} report: was it synthesized by npm run synth?`,
        ),
      );
      return;
    }
    const r = result(gate, [pluginName, c.version, 'in cdk synth'].filter(Boolean).join(' '), started, {
      unacknowledged: c.violations.map((v) => ({
        rule: v.rule,
        resource: v.construct,
        location: 'synth',
        message: v.rule,
      })),
      acknowledged: c.acknowledged.map((a) => ({
        rule: a.rule,
        resource: a.construct.replace(/^\/+/, ''),
        location: 'synth',
        message: a.rule,
        reason: a.reason,
      })),
      stale: [],
      invalid: [],
    });
    r.notes.push(...notes);
    results.push(r);
  };
  fromReport(
    'cfn-guard',
    'cdk-validator-cfnguard',
    Object.entries(DISABLED_GUARD_RULES).map(
      ([rule, reason]) => `rule ${rule} disabled app-wide (lib/validation.ts): ${reason}`,
    ),
  );
  fromReport('cfn-validate', 'CloudFormation Validate', []);
  if (want.has('cdk-nag')) {
    // cdk-nag adds no plugin report when it passes; synth would have failed on any unacknowledged finding.
    const n = countAcknowledgedIds(index.synthAcknowledgements, 'Annotation::AwsSolutions-');
    results.push({
      ...result('cdk-nag', 'AwsSolutions pack in cdk synth', started),
      findings: n,
      acknowledged: n,
      notes: ['synth fails on any unacknowledged cdk-nag finding; acknowledgements are on the constructs'],
    });
  }
  return results;
}
