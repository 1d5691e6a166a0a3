import {
  eventLines,
  newestPod,
  pendingReason,
  podProblems,
} from '../../../../scripts/operate/pipeline/diagnosis';

const unschedulable = {
  metadata: { name: 'spark-r1-importer-abc', creationTimestamp: '2026-11-30T10:00:05Z' },
  status: {
    phase: 'Pending',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: '0/2 nodes are available: 2 node(s) had untolerated taint',
      },
    ],
  },
};

describe('diagnosis of a step whose pod is not running', () => {
  test('newestPod picks the latest attempt', () => {
    const old = { metadata: { name: 'old', creationTimestamp: '2026-11-30T10:00:00Z' } };
    expect(newestPod([unschedulable, old])?.metadata.name).toBe('spark-r1-importer-abc');
    expect(newestPod([])).toBeUndefined();
  });

  test('podProblems names unmet conditions and containers that are not running', () => {
    const pod = {
      ...unschedulable,
      status: {
        ...unschedulable.status,
        containerStatuses: [
          { name: 'driver', state: { waiting: { reason: 'ImagePullBackOff', message: 'not found' } } },
        ],
      },
    };
    expect(podProblems(pod)).toEqual([
      'PodScheduled=False: Unschedulable: 0/2 nodes are available: 2 node(s) had untolerated taint',
      'container driver waiting: ImagePullBackOff: not found',
    ]);
    expect(
      podProblems({ metadata: { name: 'x' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
    ).toEqual([]);
  });

  test('pendingReason: the scheduler, then the autoscaler adding a node, then admission', () => {
    expect(pendingReason(unschedulable, [])).toBe(
      'not scheduled: 0/2 nodes are available: 2 node(s) had untolerated taint',
    );
    expect(
      pendingReason(unschedulable, [
        { reason: 'TriggeredScaleUp', message: 'pod triggered scale-up: [{eks-spark 0->1 (max: 4)}]' },
      ]),
    ).toBe(
      'waiting for a new node (cluster autoscaler: pod triggered scale-up: [{eks-spark 0->1 (max: 4)}])',
    );
    expect(
      pendingReason(undefined, [{ reason: 'FailedCreate', message: 'forbidden: violates PodSecurity' }]),
    ).toBe('no pod: forbidden: violates PodSecurity');
    expect(pendingReason(undefined, [])).toBe('no pod yet');
  });

  test('pendingReason: the newer of the autoscaler events wins (the pool at its maximum, then a node added)', () => {
    const scaleUp = {
      reason: 'TriggeredScaleUp',
      message: 'pod triggered scale-up: [{eks-spark 0->1 (max: 4)}]',
      lastTimestamp: '2026-11-30T10:00:05Z',
    };
    const noScaleUp = {
      reason: 'NotTriggerScaleUp',
      message: "pod didn't trigger scale-up: 1 max node group size reached",
      lastTimestamp: '2026-11-30T10:00:09Z',
    };
    expect(pendingReason(unschedulable, [noScaleUp, scaleUp])).toBe(
      "not scheduled, and the cluster autoscaler adds no node for it: pod didn't trigger scale-up: 1 max node group size reached",
    );
    expect(
      pendingReason(unschedulable, [{ ...scaleUp, lastTimestamp: '2026-11-30T10:00:10Z' }, noScaleUp]),
    ).toBe(
      'waiting for a new node (cluster autoscaler: pod triggered scale-up: [{eks-spark 0->1 (max: 4)}])',
    );
  });

  test('eventLines keeps the newest events in time order, with repeat counts', () => {
    const events = [1, 2, 3, 4, 5, 6].map((i) => ({
      type: 'Warning',
      reason: `R${i}`,
      message: `m${i}`,
      count: i === 6 ? 3 : 1,
      lastTimestamp: `2026-11-30T10:00:0${i}Z`,
      involvedObject: { kind: 'Pod', name: 'p' },
    }));
    expect(eventLines(events.reverse(), 2)).toEqual(['Pod/p Warning R5: m5', 'Pod/p Warning R6: m6 (x3)']);
  });
});
