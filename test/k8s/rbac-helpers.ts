/** Evaluates RBAC PolicyRules as the API server's authorizer does (for resource requests). */
export interface PolicyRule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
  readonly nonResourceURLs?: string[];
}

export interface ApiRequest {
  readonly apiGroup: string;
  readonly resource: string;
  readonly verb: string;
}

const matches = (values: readonly string[] | undefined, wanted: string) =>
  (values ?? []).some((v) => v === '*' || v === wanted);

export function allows(rules: readonly PolicyRule[], request: ApiRequest): boolean {
  return rules.some(
    (rule) =>
      // A rule limited to resourceNames cannot authorize create, list, watch or deletecollection.
      (rule.resourceNames === undefined || rule.resourceNames.length === 0) &&
      matches(rule.apiGroups, request.apiGroup) &&
      matches(rule.resources, request.resource) &&
      matches(rule.verbs, request.verb),
  );
}

/** Every (apiGroup, resource, verb) a rule set grants, wildcards left as '*'. */
export function grants(rules: readonly PolicyRule[]): string[] {
  return rules.flatMap((r) =>
    (r.apiGroups ?? []).flatMap((g) =>
      (r.resources ?? []).flatMap((res) => r.verbs.map((v) => `${g || 'core'}/${res}:${v}`)),
    ),
  );
}
