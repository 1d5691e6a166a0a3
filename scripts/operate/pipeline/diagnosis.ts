/**
 * Why a step's driver pod is not running, in the terms the API server gives: the newest pod's
 * phase, its conditions that are not met (PodScheduled=False: Unschedulable, with the scheduler's
 * message), its containers' waiting/terminated reasons, and the latest events of the pod and of
 * its Job (FailedScheduling, TriggeredScaleUp from the cluster autoscaler, FailedCreate when
 * admission refused the pod). Pure functions over `kubectl get -o json` output, plus one fetcher.
 */
import { type Kubectl, kubectl } from './kubectl';

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

interface ContainerStatus {
  readonly name: string;
  readonly state?: {
    readonly waiting?: { readonly reason?: string; readonly message?: string };
    readonly terminated?: { readonly reason?: string; readonly exitCode?: number; readonly message?: string };
  };
}

export interface PodJson {
  readonly metadata: { readonly name: string; readonly creationTimestamp?: string };
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: readonly Condition[];
    readonly containerStatuses?: readonly ContainerStatus[];
  };
}

export interface EventJson {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly count?: number;
  readonly lastTimestamp?: string | null;
  readonly eventTime?: string | null;
  readonly metadata?: { readonly creationTimestamp?: string };
  readonly involvedObject?: { readonly kind?: string; readonly name?: string };
}

/** The most recent of a Job's pods (a retry's pod is the interesting one). */
export function newestPod<P extends PodJson>(pods: readonly P[]): P | undefined {
  return [...pods]
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))
    .at(-1);
}

/** One line per unmet condition and per container that is not running. */
export function podProblems(pod: PodJson): string[] {
  const lines: string[] = [];
  for (const c of pod.status?.conditions ?? []) {
    if (c.status === 'True' || !c.reason) continue;
    lines.push(`${c.type}=${c.status}: ${c.reason}${c.message ? `: ${c.message}` : ''}`);
  }
  for (const cs of pod.status?.containerStatuses ?? []) {
    const w = cs.state?.waiting;
    const t = cs.state?.terminated;
    if (w?.reason)
      lines.push(`container ${cs.name} waiting: ${w.reason}${w.message ? `: ${w.message}` : ''}`);
    if (t)
      lines.push(`container ${cs.name} terminated: ${t.reason ?? 'exit'} (exit code ${t.exitCode ?? '?'})`);
  }
  return lines;
}

const eventTime = (e: EventJson) => e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';

/** The latest events, newest last, as `Kind/name Type Reason: message (xN)`. */
export function eventLines(events: readonly EventJson[], limit = 5): string[] {
  return [...events]
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
    .slice(-limit)
    .map(
      (e) =>
        `${e.involvedObject?.kind ?? '?'}/${e.involvedObject?.name ?? '?'} ${e.type ?? ''} ${e.reason ?? ''}: ` +
        `${(e.message ?? '').trim()}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`,
    );
}

/** The newest event with this reason (the API server returns events in no useful order). */
function latest(events: readonly EventJson[], reason: string): EventJson | undefined {
  return [...events]
    .filter((e) => e.reason === reason)
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
    .at(-1);
}

/**
 * A short reason for a Pending step, for the progress line ('' when there is nothing to say).
 * Cluster Autoscaler writes one of two events on an unschedulable pod (core/v1, source
 * `cluster-autoscaler`): TriggeredScaleUp ("pod triggered scale-up: [{<asg> 0->1 (max: 4)}]") when
 * it adds a node for it, NotTriggerScaleUp ("pod didn't trigger scale-up: ...") when no node it
 * could add would take the pod (the Spark pool at its maximum, or a pod that fits no pool). The
 * newer of the two says where the step stands.
 */
export function pendingReason(pod: PodJson | undefined, events: readonly EventJson[]): string {
  if (!pod) {
    const created = latest(events, 'FailedCreate');
    return created ? `no pod: ${created.message ?? 'FailedCreate'}` : 'no pod yet';
  }
  const scaleUp = latest(events, 'TriggeredScaleUp');
  const noScaleUp = latest(events, 'NotTriggerScaleUp');
  const unschedulable = pod.status?.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False',
  );
  if (unschedulable) {
    if (scaleUp && (!noScaleUp || eventTime(scaleUp) >= eventTime(noScaleUp))) {
      return `waiting for a new node (cluster autoscaler: ${scaleUp.message ?? 'scale-up triggered'})`;
    }
    if (noScaleUp) {
      return `not scheduled, and the cluster autoscaler adds no node for it: ${noScaleUp.message ?? 'NotTriggerScaleUp'}`;
    }
    return `not scheduled: ${unschedulable.message ?? unschedulable.reason ?? ''}`;
  }
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting?.reason)?.state?.waiting;
  return waiting ? `container waiting: ${waiting.reason}` : '';
}

export interface StepDiagnosis {
  readonly pod?: PodJson;
  readonly events: EventJson[];
}

/** Reads the Job's newest pod and the events of both (failures to read are left out). */
export async function diagnose(k: Kubectl, namespace: string, jobName: string): Promise<StepDiagnosis> {
  const pods = await kubectl(k, [
    'get',
    'pods',
    '-n',
    namespace,
    '-l',
    `batch.kubernetes.io/job-name=${jobName}`,
    '-o',
    'json',
  ]);
  const pod = pods.code === 0 ? newestPod((JSON.parse(pods.stdout).items ?? []) as PodJson[]) : undefined;
  const events: EventJson[] = [];
  for (const name of [jobName, pod?.metadata.name].filter((n): n is string => !!n)) {
    const got = await kubectl(k, [
      'get',
      'events',
      '-n',
      namespace,
      '--field-selector',
      `involvedObject.name=${name}`,
      '-o',
      'json',
    ]);
    if (got.code === 0) events.push(...((JSON.parse(got.stdout).items ?? []) as EventJson[]));
  }
  return { pod, events };
}

/** The report printed when a step failed or timed out, before its log tail. */
export function diagnosisReport(d: StepDiagnosis): string[] {
  const lines = d.pod
    ? [
        `pod ${d.pod.metadata.name}: ${d.pod.status?.phase ?? 'Unknown'}`,
        ...podProblems(d.pod).map((l) => `  ${l}`),
      ]
    : ['no driver pod was created'];
  const events = eventLines(d.events);
  if (events.length > 0) lines.push('latest events:', ...events.map((l) => `  ${l}`));
  return lines;
}
