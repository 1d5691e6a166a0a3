/** The cfn-lint gate: the templates of the cloud assembly, errors never acknowledgeable. */
import { type AssemblyIndex, synthAcknowledgement } from '../parsers/assembly-index';
import { cfnLintExitIsResult, isError, parseCfnLint } from '../parsers/cfn-lint';
import { type Triage, triage } from '../parsers/findings';
import { acks, failed, type GateResult, requireEnv, result, TOOL_TIMEOUT_MS, templatesOf } from '../result';
import { runTool, tail } from './tool';

export async function cfnLintGate(index: AssemblyIndex, region: string | undefined): Promise<GateResult> {
  const started = Date.now();
  const templates = templatesOf(index);
  const scope = `${templates.length} template(s), region ${region ?? 'us-east-1'}`;
  const args = ['--format', 'json', ...(region ? ['--regions', region] : []), '--', ...templates];
  const run = await runTool(requireEnv('GATES_CFN_LINT'), args, { timeoutMs: TOOL_TIMEOUT_MS });
  if (run.timedOut || !cfnLintExitIsResult(run.code)) {
    return failed(
      'cfn-lint',
      scope,
      started,
      `cfn-lint failed (exit ${run.code ?? run.signal}):\n${tail(run.stderr)}`,
    );
  }
  const findings = parseCfnLint(run.stdout, index);
  const { entries, errors } = acks('cfn-lint.yaml');
  const t = triage(findings, entries, {
    synthAcknowledgement: (r, id) => synthAcknowledgement(index, r, id),
  });
  // Errors are never acknowledgeable: a template cfn-lint calls invalid is fixed, not explained.
  const ackedErrors = t.acknowledged.filter(isError);
  const triaged: Triage = {
    ...t,
    acknowledged: t.acknowledged.filter((f) => !isError(f)),
    unacknowledged: [...t.unacknowledged, ...ackedErrors],
  };
  return result('cfn-lint', scope, started, triaged, {
    problems: [
      ...errors,
      ...ackedErrors.map(
        (f) => `${f.rule} on ${f.resource} is an error: errors cannot be acknowledged, fix them`,
      ),
    ],
  });
}
