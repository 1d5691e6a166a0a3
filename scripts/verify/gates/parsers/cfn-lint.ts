/**
 * cfn-lint over every template of the cloud assembly. Errors fail the gate outright (they cannot
 * be acknowledged); warnings and informational findings fail unless gates/cfn-lint.yaml
 * acknowledges them for the named construct with a reason.
 */
import { type AssemblyIndex, resourceName } from './assembly-index';
import type { Finding } from './findings';

interface CfnLintMatch {
  Rule: { Id: string; ShortDescription?: string };
  Level: string;
  Message: string;
  Filename: string;
  Location: { Start: { LineNumber: number }; Path?: (string | number)[] | null };
}

/** Turns cfn-lint's `--format json` output into findings named by construct path. */
export function parseCfnLint(json: string, index: AssemblyIndex): Finding[] {
  const matches: CfnLintMatch[] = JSON.parse(json || '[]');
  return matches.map((m) => {
    const p = m.Location.Path ?? [];
    const logicalId = p[0] === 'Resources' && typeof p[1] === 'string' ? p[1] : undefined;
    const file = m.Filename.split('/').pop() ?? m.Filename;
    return {
      rule: m.Rule.Id,
      severity: m.Level,
      resource: logicalId
        ? resourceName(index, file, logicalId)
        : `${file}#${p.slice(0, 2).join('/') || 'template'}`,
      location: `${file}:${m.Location.Start.LineNumber} ${p.join('/')}`,
      message: m.Message,
    };
  });
}

/** cfn-lint's exit code is a bit mask (2 error, 4 warning, 8 informational); anything else means it broke. */
export function cfnLintExitIsResult(code: number | null): boolean {
  return code !== null && code >= 0 && code <= 14 && code % 2 === 0;
}

export function isError(f: Finding): boolean {
  return f.severity === 'Error' || /^E/.test(f.rule);
}
