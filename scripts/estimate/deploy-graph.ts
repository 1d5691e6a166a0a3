/**
 * How long `cdk deploy` and `cdk destroy` wait, read from a synthesized template: the resource
 * dependency graph CloudFormation itself schedules from (Ref, Fn::GetAtt, Fn::Sub, DependsOn:
 * only what the template declares), weighted by typical create and delete durations per
 * resource type (timings/resource-times.json, with sources), and its critical path.
 *
 * CloudFormation starts a resource as soon as everything it references is complete, and deletes
 * one only after everything that references it is gone. So the deploy estimate is the longest
 * weighted path through the graph, and the destroy estimate the longest path through the reversed
 * graph. Pure: no file or network access except loadResourceTimes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CfnTemplate } from './cloud-assembly';

export type EdgeKind = 'Ref' | 'GetAtt' | 'Sub' | 'DependsOn';

/** `from` cannot start before `to` is complete (and `to` cannot be deleted before `from` is gone). */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kinds: readonly EdgeKind[];
}

export interface GraphResource {
  readonly id: string;
  readonly type: string;
  /** `Retain`/`Snapshot`... as written in the template; Retain means destroy leaves it alone. */
  readonly deletionPolicy?: string;
  /** A Lambda function attached to the VPC (it waits for its network interfaces on create). */
  readonly inVpc: boolean;
  /**
   * A subnet or security group a VPC Lambda function uses: Lambda releases its shared network
   * interfaces only minutes after the function is gone, and until then this cannot be deleted.
   */
  readonly holdsLambdaEnis: boolean;
}

export interface DeployGraph {
  readonly resources: ReadonlyMap<string, GraphResource>;
  /** resource id -> the resources it waits for, as the template declares them. */
  readonly deps: ReadonlyMap<string, ReadonlyMap<string, Edge>>;
  /** node group id -> the default routes of its subnets, which it must declare a wait for. */
  readonly nodegroupRoutes: ReadonlyMap<string, readonly string[]>;
}

export interface ResourceTime {
  readonly create: number;
  readonly delete: number;
  readonly basis: string;
}

export interface ResourceTimes {
  readonly retrieved: string;
  readonly sources: Readonly<Record<string, string>>;
  readonly default: ResourceTime;
  /** Extra delete wait of a subnet/security group used by a VPC Lambda function. */
  readonly lambdaEniRelease: ResourceTime;
  /** A pending Spark pod to a Ready Spark node when the pool is at 0 (after the deploy, per run). */
  readonly sparkNodeScaleUp: ResourceTime;
  readonly types: Readonly<Record<string, ResourceTime>>;
}

export const RESOURCE_TIMES_FILE = path.resolve(__dirname, '..', '..', 'timings', 'resource-times.json');

export function loadResourceTimes(file = RESOURCE_TIMES_FILE): ResourceTimes {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ResourceTimes;
}

/** Builds the graph of one template: the references and DependsOn it declares, nothing added. */
export function buildDeployGraph(template: CfnTemplate): DeployGraph {
  const eniHolders = new Set<string>();
  for (const r of Object.values(template.Resources)) {
    if (r.Type === 'AWS::Lambda::Function' && r.Properties?.VpcConfig !== undefined) {
      visitReferences(r.Properties.VpcConfig, (target) => eniHolders.add(target));
    }
  }
  const resources = new Map<string, GraphResource>();
  for (const [id, r] of Object.entries(template.Resources)) {
    const raw = r as { DeletionPolicy?: string };
    resources.set(id, {
      id,
      type: r.Type,
      deletionPolicy: raw.DeletionPolicy,
      inVpc: r.Type === 'AWS::Lambda::Function' && r.Properties?.VpcConfig !== undefined,
      // Only subnets and security groups the template owns: an EKS-created cluster security group
      // used by the function is EKS's to delete.
      holdsLambdaEnis:
        eniHolders.has(id) && (r.Type === 'AWS::EC2::Subnet' || r.Type === 'AWS::EC2::SecurityGroup'),
    });
  }
  const deps = new Map<string, Map<string, Edge>>();
  for (const id of resources.keys()) deps.set(id, new Map());
  const add = (from: string, to: string, kind: EdgeKind) => {
    if (from === to || !resources.has(to)) return;
    const byTarget = deps.get(from) as Map<string, Edge>;
    const prev = byTarget.get(to);
    const kinds = prev ? [...new Set([...prev.kinds, kind])] : [kind];
    byTarget.set(to, { from, to, kinds });
  };

  for (const [id, r] of Object.entries(template.Resources)) {
    const dependsOn = r.DependsOn === undefined ? [] : ([] as string[]).concat(r.DependsOn);
    for (const target of dependsOn) add(id, target, 'DependsOn');
    visitReferences(r.Properties, (target, kind) => add(id, target, kind));
  }
  return { resources, deps, nodegroupRoutes: nodegroupDefaultRoutes(template) };
}

/** Calls `found` for every resource a value references (Ref, Fn::GetAtt, Fn::Sub). */
function visitReferences(value: unknown, found: (target: string, kind: EdgeKind) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) visitReferences(v, found);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  if (typeof obj.Ref === 'string') found(obj.Ref, 'Ref');
  const getAtt = obj['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found(getAtt[0], 'GetAtt');
  if (typeof getAtt === 'string') found(getAtt.split('.')[0], 'GetAtt');
  const sub = obj['Fn::Sub'];
  if (sub !== undefined) {
    const [text, vars] = Array.isArray(sub) ? [sub[0], sub[1] as Record<string, unknown> | undefined] : [sub];
    if (typeof text === 'string') {
      // ${Name} and ${Name.Attr} are references; ${!Literal} is an escape; variables given in the
      // second argument are local names, not resources.
      for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const name = m[1].split('.')[0];
        if (!vars || !(name in vars)) found(name, 'Sub');
      }
    }
    if (vars) visitReferences(vars, found);
  }
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'Ref' || k === 'Fn::GetAtt' || k === 'Fn::Sub') continue;
    visitReferences(v, found);
  }
}

/**
 * The default (0.0.0.0/0) routes of the subnets each managed node group is placed in. Nodes join
 * the cluster only once their private subnets have that route (a NAT gateway, or endpoints), so a
 * node group the template lets start before it would hang. This is a fact read from the template,
 * not an edge: the graph carries only what the template declares, and parallelismChecks fails
 * when a node group does not declare the wait (a model that added the edge itself could not
 * notice the stack dropping it).
 */
function nodegroupDefaultRoutes(template: CfnTemplate): Map<string, string[]> {
  const routeTableOfSubnet = new Map<string, string>();
  const routesOfTable = new Map<string, string[]>();
  for (const [id, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::EC2::SubnetRouteTableAssociation') {
      const subnet = refTarget(p.SubnetId);
      const table = refTarget(p.RouteTableId);
      if (subnet && table) routeTableOfSubnet.set(subnet, table);
    }
    if (r.Type === 'AWS::EC2::Route' && p.DestinationCidrBlock === '0.0.0.0/0') {
      const table = refTarget(p.RouteTableId);
      if (table) routesOfTable.set(table, [...(routesOfTable.get(table) ?? []), id]);
    }
  }
  const result = new Map<string, string[]>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::EKS::Nodegroup') continue;
    const routes = new Set<string>();
    for (const subnet of ((r.Properties?.Subnets as unknown[]) ?? []).map(refTarget)) {
      const table = subnet === undefined ? undefined : routeTableOfSubnet.get(subnet);
      for (const route of (table && routesOfTable.get(table)) || []) routes.add(route);
    }
    result.set(id, [...routes]);
  }
  return result;
}

function refTarget(value: unknown): string | undefined {
  if (value && typeof value === 'object' && typeof (value as { Ref?: unknown }).Ref === 'string') {
    return (value as { Ref: string }).Ref;
  }
  return undefined;
}

export type Mode = 'deploy' | 'destroy';

export interface ScheduledResource {
  readonly id: string;
  readonly type: string;
  readonly start: number;
  readonly duration: number;
  readonly finish: number;
  /** The predecessor whose completion this resource waited for last (on the critical path when chained). */
  readonly waitedFor?: string;
  /** Why it waited for that predecessor. */
  readonly edge?: Edge;
}

export interface Schedule {
  readonly mode: Mode;
  /** Seconds from the first resource starting to the last one finishing. */
  readonly total: number;
  readonly resources: ReadonlyMap<string, ScheduledResource>;
  /** The critical path, first resource first. */
  readonly criticalPath: readonly ScheduledResource[];
}

/** Typical duration of one resource; Retain-ed resources cost nothing on destroy. */
export function durationOf(resource: GraphResource, times: ResourceTimes, mode: Mode): number {
  if (mode === 'destroy' && resource.deletionPolicy === 'Retain') return 0;
  const key = resource.inVpc ? `${resource.type}@vpc` : resource.type;
  const t = times.types[key] ?? times.types[resource.type] ?? timeForUnlisted(resource.type, times);
  if (mode === 'deploy') return t.create;
  return t.delete + (resource.holdsLambdaEnis ? times.lambdaEniRelease.delete : 0);
}

function timeForUnlisted(type: string, times: ResourceTimes): ResourceTime {
  // Any other custom resource is a Lambda invocation, not a quick API call.
  if (type.startsWith('Custom::')) return times.types['AWS::CloudFormation::CustomResource'] ?? times.default;
  return times.default;
}

/**
 * Earliest start/finish of every resource, as CloudFormation would schedule them with unlimited
 * parallelism. `weight` overrides durations (e.g. to measure a sub-chain).
 */
export function schedule(
  graph: DeployGraph,
  times: ResourceTimes,
  mode: Mode,
  weight: (r: GraphResource) => number = (r) => durationOf(r, times, mode),
): Schedule {
  // Predecessors of a resource: what it references (deploy), or what references it (destroy).
  const preds = new Map<string, Edge[]>();
  for (const id of graph.resources.keys()) preds.set(id, []);
  for (const [from, byTarget] of graph.deps) {
    for (const edge of byTarget.values()) {
      if (mode === 'deploy') (preds.get(from) as Edge[]).push(edge);
      else (preds.get(edge.to) as Edge[]).push(edge);
    }
  }
  const done = new Map<string, ScheduledResource>();
  const visiting = new Set<string>();
  const visit = (id: string): ScheduledResource => {
    const known = done.get(id);
    if (known) return known;
    if (visiting.has(id)) throw new Error(`dependency cycle through ${id}`);
    visiting.add(id);
    let start = 0;
    let waitedFor: string | undefined;
    let edge: Edge | undefined;
    for (const e of preds.get(id) ?? []) {
      const pred = mode === 'deploy' ? e.to : e.from;
      const f = visit(pred).finish;
      if (waitedFor === undefined || f > start) {
        start = f;
        waitedFor = pred;
        edge = e;
      }
    }
    const r = graph.resources.get(id) as GraphResource;
    const duration = weight(r);
    const s: ScheduledResource = {
      id,
      type: r.type,
      start,
      duration,
      finish: start + duration,
      waitedFor,
      edge,
    };
    visiting.delete(id);
    done.set(id, s);
    return s;
  };
  for (const id of graph.resources.keys()) visit(id);

  let last: ScheduledResource | undefined;
  for (const s of done.values()) if (!last || s.finish > last.finish) last = s;
  const criticalPath: ScheduledResource[] = [];
  for (let s = last; s; s = s.waitedFor ? done.get(s.waitedFor) : undefined) criticalPath.unshift(s);
  return { mode, total: last?.finish ?? 0, resources: done, criticalPath };
}

/**
 * The chain of resources `from` transitively waits for to reach `to` (deploy direction), or
 * undefined when `from` does not wait for `to` at all.
 */
export function dependencyPath(graph: DeployGraph, from: string, to: string): Edge[] | undefined {
  const cameFrom = new Map<string, Edge>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (id === to) {
      const chain: Edge[] = [];
      for (let cur = to; cur !== from; ) {
        const e = cameFrom.get(cur) as Edge;
        chain.unshift(e);
        cur = e.from;
      }
      return chain;
    }
    for (const e of graph.deps.get(id)?.values() ?? []) {
      if (!seen.has(e.to)) {
        seen.add(e.to);
        cameFrom.set(e.to, e);
        queue.push(e.to);
      }
    }
  }
  return undefined;
}

/** Resources of one type, in template order. */
export function idsOfType(graph: DeployGraph, type: string): string[] {
  return [...graph.resources.values()].filter((r) => r.type === type).map((r) => r.id);
}

/** `m:ss` for a duration in seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** One line per edge: `A -[DependsOn]-> B`. */
export function describeChain(chain: readonly Edge[], graph: DeployGraph): string {
  return chain
    .map((e) => {
      const t = graph.resources.get(e.to)?.type ?? '?';
      return `${e.from} -[${e.kinds.join('+')}]-> ${e.to} (${t})`;
    })
    .join('\n');
}
