/**
 * checkov, run once for both frameworks (its import alone costs seconds): cloudformation over the
 * cloud assembly's templates, kubernetes over dist/. Failed checks become findings named the way
 * gates/checkov-acknowledgements.yaml names them.
 */
import * as path from 'node:path';
import { type AssemblyIndex, resourceName } from './assembly-index';
import type { Finding } from './findings';

interface CheckovCheck {
  check_id: string;
  check_name: string;
  resource: string;
  file_path: string;
  file_line_range?: [number, number];
  severity?: string | null;
}

interface CheckovReport {
  check_type: string;
  results: { failed_checks: CheckovCheck[]; parsing_errors?: string[] };
  summary: {
    passed: number;
    failed: number;
    skipped: number;
    parsing_errors: number;
    resource_count: number;
  };
}

export interface CheckovFramework {
  readonly framework: string;
  readonly findings: Finding[];
  readonly passed: number;
  readonly resources: number;
  readonly parsingErrors: string[];
}

/**
 * checkov names a Kubernetes resource `Kind.namespace.name`, and its graph checks (CKV2_K8S_*) add
 * the pod's labels after the name (`Pod.ns.name.app.kubernetes.io/component-driver...`, including a
 * cdk8s address hash). The acknowledgement name is `Kind/namespace/name`: this repo's object names
 * contain no dots (cdk8s names are DNS labels), so the name is the third dotted part.
 */
export function kubernetesResourceName(checkovResource: string): string {
  const [kind, namespace, name] = checkovResource.split('.');
  return name !== undefined ? `${kind}/${namespace}/${name}` : checkovResource;
}

/**
 * Parses checkov's results_json.json (one report object for one framework, a list for several).
 * A framework that scanned nothing does not appear in checkov's output: the caller checks that.
 */
export function parseCheckov(json: string, index: AssemblyIndex | undefined): CheckovFramework[] {
  const doc = JSON.parse(json);
  const reports: CheckovReport[] = Array.isArray(doc) ? doc : [doc];
  return reports
    .filter((r) => r && typeof r === 'object' && 'check_type' in r)
    .map((r) => ({
      framework: r.check_type,
      passed: r.summary.passed,
      resources: r.summary.resource_count,
      parsingErrors: r.results.parsing_errors ?? [],
      findings: r.results.failed_checks.map((c) => {
        const file = path.basename(c.file_path);
        let resource = c.resource;
        if (r.check_type === 'cloudformation' && index) {
          resource = resourceName(index, file, c.resource.slice(c.resource.lastIndexOf('.') + 1));
        } else if (r.check_type === 'kubernetes') {
          resource = kubernetesResourceName(c.resource);
        }
        return {
          rule: c.check_id,
          resource,
          location: `${r.check_type}:${file}${c.file_line_range ? `:${c.file_line_range[0]}` : ''} ${c.resource}`,
          message: c.check_name,
          severity: c.severity ?? undefined,
        };
      }),
    }));
}
