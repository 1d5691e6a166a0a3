/** The checkov gates: one checkov run over the cloud assembly (CloudFormation) and dist/ (Kubernetes). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type AssemblyIndex, synthAcknowledgement } from '../parsers/assembly-index';
import { parseCheckov } from '../parsers/checkov';
import { triage } from '../parsers/findings';
import {
  acks,
  failed,
  type GateResult,
  rel,
  requireEnv,
  result,
  TOOL_TIMEOUT_MS,
  templatesOf,
} from '../result';
import { runTool, tail } from './tool';

export async function checkovGates(
  index: AssemblyIndex | undefined,
  outDir: string,
  distDir: string,
  want: Set<string>,
) {
  const started = Date.now();
  const frameworks: string[] = [];
  const dirs: string[] = [];
  if (want.has('checkov-cfn') && index) {
    frameworks.push('cloudformation');
    dirs.push(outDir);
  }
  const distExists = fs.existsSync(distDir);
  if (want.has('checkov-k8s') && distExists) {
    frameworks.push('kubernetes');
    dirs.push(distDir);
  }
  const results: GateResult[] = [];
  const cfnScope = index ? `${templatesOf(index).length} template(s) in ${rel(outDir)}` : rel(outDir);
  if (want.has('checkov-k8s') && !distExists) {
    results.push(
      failed(
        'checkov-k8s',
        rel(distDir),
        started,
        `${rel(distDir)}/ not found: the main synth command (npm run synth) writes it`,
      ),
    );
  }
  if (want.has('checkov-cfn') && !index)
    results.push(failed('checkov-cfn', cfnScope, started, 'no cloud assembly'));
  if (frameworks.length === 0) return results;

  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-checkov-'));
  try {
    const args = [
      ...dirs.flatMap((d) => ['-d', d]),
      '--framework',
      ...frameworks,
      '--output',
      'json',
      '--output-file-path',
      reportDir,
      '--quiet',
      '--compact',
      // Offline: no policy download, no Prisma Cloud mapping, no version check.
      '--skip-download',
    ];
    const env = {
      ...process.env,
      BC_SKIP_MAPPING: 'TRUE',
      LOG_LEVEL: 'ERROR',
      // Its Kubernetes runner otherwise skips every file under a dot-directory anywhere in the
      // absolute path (e.g. a dist/ inside .cache/), and reports nothing.
      CKV_IGNORE_HIDDEN_DIRECTORIES: 'false',
    };
    const run = await runTool(requireEnv('GATES_CHECKOV'), args, { env, timeoutMs: TOOL_TIMEOUT_MS });
    const reportFile = path.join(reportDir, 'results_json.json');
    // checkov exits 1 when a check failed; anything else without a report means it broke.
    if (run.timedOut || !fs.existsSync(reportFile) || (run.code !== 0 && run.code !== 1)) {
      const problem = `checkov failed (exit ${run.code ?? run.signal}${run.timedOut ? ', timed out' : ''}):\n${tail(run.stderr)}`;
      for (const [fw, gate, scope] of [
        ['cloudformation', 'checkov-cfn', cfnScope],
        ['kubernetes', 'checkov-k8s', rel(distDir)],
      ]) {
        if (frameworks.includes(fw)) results.push(failed(gate, scope, started, problem));
      }
      return results;
    }
    const parsed = parseCheckov(fs.readFileSync(reportFile, 'utf8'), index);
    const { entries, errors } = acks('checkov-acknowledgements.yaml');
    const gateOf: Record<string, string> = { cloudformation: 'checkov-cfn', kubernetes: 'checkov-k8s' };
    for (const fw of frameworks) {
      const gate = gateOf[fw];
      const scope = fw === 'cloudformation' ? cfnScope : `${rel(distDir)}/`;
      const r = parsed.find((p) => p.framework === fw);
      if (!r) {
        // checkov leaves a framework out of its report when it found nothing to scan.
        results.push(failed(gate, scope, started, `checkov found no ${fw} resources to check in ${scope}`));
        continue;
      }
      // One acknowledgement file for both frameworks; each gate judges only its own entries.
      const mine = entries.filter((e) =>
        fw === 'kubernetes'
          ? e.rule.startsWith('CKV_K8S') || e.rule.startsWith('CKV2_K8S')
          : !/K8S/.test(e.rule),
      );
      const t = triage(r.findings, mine, {
        synthAcknowledgement: index ? (res, id) => synthAcknowledgement(index, res, id) : undefined,
      });
      results.push(
        result(gate, `${scope} (${r.resources} resources, ${r.passed} checks passed)`, started, t, {
          problems: [...errors, ...r.parsingErrors.map((f) => `checkov could not parse ${f}`)],
        }),
      );
    }
    return results;
  } finally {
    fs.rmSync(reportDir, { recursive: true, force: true });
  }
}
