/**
 * The honest part of the deploy/destroy rehearsal against the local emulator: which resources of
 * the template the emulator really created, which it skipped (and said so in its log), which the
 * emulator build of the app leaves out compared with the real template, and which outputs point at
 * something that was not created. Pure functions over the template, ListStackResources and moto's
 * log, so they are unit-tested.
 */

export type Template = {
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown; Condition?: string }>;
};

export interface StackResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId?: string;
  readonly status?: string;
}

export type Outcome = 'created' | 'skipped by emulator' | 'NOT CREATED';

export interface ResourceOutcome {
  readonly logicalId: string;
  readonly type: string;
  readonly outcome: Outcome;
  readonly physicalId?: string;
}

/** Resource types moto's CloudFormation said it does not implement ("No Moto CloudFormation support for X"). */
export function skippedTypesFromLog(log: string): Set<string> {
  const types = new Set<string>();
  for (const m of log.matchAll(/No Moto CloudFormation support for ([A-Za-z0-9:]+)/g)) types.add(m[1]);
  return types;
}

/** Resource types whose CloudFormation delete the rehearsal's moto shim supplies (scripts/verify/rehearsal/moto-shims). */
export function shimmedDeleteTypes(log: string): {
  loaded: boolean;
  types: string[];
  deleted: Map<string, number>;
} {
  const m = /rehearsal-moto: CloudFormation delete supplied for: (.*)/.exec(log);
  const deleted = new Map<string, number>();
  for (const d of log.matchAll(/rehearsal-moto: CloudFormation delete of ([A-Za-z0-9:]+) /g)) {
    deleted.set(d[1], (deleted.get(d[1]) ?? 0) + 1);
  }
  const types = m && m[1].trim() !== 'nothing' ? m[1].trim().split(/\s+/) : [];
  return { loaded: m !== null, types, deleted };
}

/**
 * One outcome per resource of the deployed template. A resource counts as created when the stack
 * lists it under its logical id with its type and a completed status (moto leaves the physical id
 * of some types empty, e.g. AWS::RDS::DBSubnetGroup); a resource whose type the emulator said it
 * skips is "skipped by emulator"; anything else was silently not created and fails the rehearsal.
 */
export function classifyResources(
  template: Template,
  stackResources: readonly StackResource[],
  skippedTypes: ReadonlySet<string>,
): ResourceOutcome[] {
  const byId = new Map(stackResources.map((r) => [r.logicalId, r]));
  return Object.entries(template.Resources)
    .map(([logicalId, r]) => {
      const listed = byId.get(logicalId);
      const created =
        listed !== undefined &&
        listed.type === r.Type &&
        /_COMPLETE$/.test(listed.status ?? '') &&
        !/DELETE/.test(listed.status ?? '');
      const outcome: Outcome = created
        ? 'created'
        : skippedTypes.has(r.Type)
          ? 'skipped by emulator'
          : 'NOT CREATED';
      return { logicalId, type: r.Type, outcome, physicalId: listed?.physicalId };
    })
    .sort((a, b) => a.type.localeCompare(b.type) || a.logicalId.localeCompare(b.logicalId));
}

export interface TypeSummary {
  readonly type: string;
  readonly real: number;
  readonly emulatorBuild: number;
  readonly created: number;
  readonly skipped: number;
  readonly notCreated: number;
}

export function typeCounts(template: Template): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of Object.values(template.Resources)) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  return counts;
}

/**
 * Per resource type: how many the real template has, how many the emulator build has, and what the
 * emulator did with those. Types with emulatorBuild < real are what the emulator build leaves out.
 */
export function summarizeTypes(
  real: Template | undefined,
  emulatorBuild: Template,
  outcomes: readonly ResourceOutcome[],
): TypeSummary[] {
  const realCounts = real ? typeCounts(real) : new Map<string, number>();
  const emuCounts = typeCounts(emulatorBuild);
  const types = [...new Set([...realCounts.keys(), ...emuCounts.keys()])].sort();
  return types.map((type) => {
    const of = outcomes.filter((o) => o.type === type);
    return {
      type,
      real: realCounts.get(type) ?? 0,
      emulatorBuild: emuCounts.get(type) ?? 0,
      created: of.filter((o) => o.outcome === 'created').length,
      skipped: of.filter((o) => o.outcome === 'skipped by emulator').length,
      notCreated: of.filter((o) => o.outcome === 'NOT CREATED').length,
    };
  });
}

/** Logical ids an expression refers to through Ref / Fn::GetAtt (pseudo parameters excluded). */
export function referencedLogicalIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (k === 'Ref' && typeof inner === 'string' && !inner.startsWith('AWS::')) ids.add(inner);
        else if (k === 'Fn::GetAtt') {
          const target = Array.isArray(inner)
            ? inner[0]
            : typeof inner === 'string'
              ? inner.split('.')[0]
              : undefined;
          if (typeof target === 'string') ids.add(target);
        } else walk(inner);
      }
    }
  };
  walk(value);
  return ids;
}

export interface OutputCheck {
  readonly name: string;
  readonly value?: string;
  /** Referenced resources the emulator did not create: the value cannot be the real one. */
  readonly dependsOnSkipped: string[];
}

export function checkOutputs(
  template: Template,
  outcomes: readonly ResourceOutcome[],
  deployed: Readonly<Record<string, string>>,
): OutputCheck[] {
  const notCreated = new Set(outcomes.filter((o) => o.outcome !== 'created').map((o) => o.logicalId));
  return Object.entries(template.Outputs ?? {}).map(([name, o]) => ({
    name,
    value: deployed[name],
    dependsOnSkipped: [...referencedLogicalIds(o.Value)].filter((id) => notCreated.has(id)).sort(),
  }));
}

/** The CDK CLI's words for a deploy it skipped because nothing changed. */
export function reportsNoChanges(cliOutput: string, stackName: string): boolean {
  return cliOutput.split('\n').some((l) => l.includes(stackName) && /\(no changes\)/.test(l));
}
