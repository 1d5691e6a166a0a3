import type { NodegroupNow } from '../../../../scripts/operate/pools/observe';
import {
  type Observed,
  planPause,
  planResume,
  Refusal,
  stateAfter,
} from '../../../../scripts/operate/pools/plan';
import type { DeployedStack } from '../../../../scripts/operate/stack-outputs';

const STACK: DeployedStack = {
  stackName: 'zenml-spark',
  stackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/zenml-spark/x',
  status: 'UPDATE_COMPLETE',
  rawOutputs: { ClusterName: 'zenml-spark' },
};

const ng = (
  pool: 'system' | 'spark',
  min: number,
  desired: number,
  max: number,
  status = 'ACTIVE',
): NodegroupNow => ({
  name: `${pool}-nodes`,
  pool,
  status,
  min,
  desired,
  max,
});

/** A running cluster with the default sizes: system 1/1/1, Spark 0/desired/4, DB up, autoscaler at 1. */
function running(overrides: Partial<Observed> = {}, sparkDesired = 0): Observed {
  return {
    deployed: {
      stack: STACK,
      template: { Resources: {} },
      clusterName: 'zenml-spark',
      configured: {
        system: { pool: 'system', logicalId: 'SystemNodes', min: 1, desired: 1, max: 1 },
        spark: { pool: 'spark', logicalId: 'SparkNodes', min: 0, desired: 0, max: 4 },
      },
      databaseId: 'zenml-spark-metadata',
    },
    nodegroups: { system: ng('system', 1, 1, 1), spark: ng('spark', 0, sparkDesired, 4) },
    database: {
      id: 'zenml-spark-metadata',
      arn: 'arn:aws:rds:eu-west-1:123456789012:db:zenml-spark-metadata',
      status: 'available',
    },
    kube: {
      autoscaler: { replicas: 1, available: 1 },
      sparkWork: [],
      systemNodesReady: 1,
      corednsAvailable: 2,
    },
    ...overrides,
  };
}

/** What a pause leaves behind, as the next observation would see it. */
const paused = (): Observed =>
  running({
    nodegroups: { system: ng('system', 0, 0, 1), spark: ng('spark', 0, 0, 4) },
    database: { id: 'zenml-spark-metadata', status: 'stopped' },
    kube: {
      autoscaler: { replicas: 0, available: 0 },
      sparkWork: [],
      systemNodesReady: 0,
      corednsAvailable: 0,
    },
  });

const refusalOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Refusal);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('planPause', () => {
  test('GIVEN a running cluster THEN autoscaler to 0 first, then both pools to 0 keeping max, then the DB stopped', () => {
    const plan = planPause(running({}, 1), { force: false });
    expect(plan.steps).toEqual([
      { kind: 'autoscaler', from: 1, to: 0 },
      {
        kind: 'nodegroup',
        name: 'spark-nodes',
        pool: 'spark',
        from: { min: 0, desired: 1, max: 4 },
        to: { min: 0, desired: 0, max: 4 },
      },
      {
        kind: 'nodegroup',
        name: 'system-nodes',
        pool: 'system',
        from: { min: 1, desired: 1, max: 1 },
        to: { min: 0, desired: 0, max: 1 },
      },
      {
        kind: 'database',
        id: 'zenml-spark-metadata',
        arn: 'arn:aws:rds:eu-west-1:123456789012:db:zenml-spark-metadata',
        action: 'stop',
      },
    ]);
  });

  test('GIVEN an idle Spark pool THEN it is left alone and said so', () => {
    const plan = planPause(running(), { force: false });
    expect(plan.steps.map((s) => s.kind)).toEqual(['autoscaler', 'nodegroup', 'database']);
    expect(plan.unchanged).toEqual([
      'node group spark-nodes (spark pool): already min 0 / desired 0 / max 4',
    ]);
  });

  test('idempotent: a paused cluster has nothing to change', () => {
    const plan = planPause(paused(), { force: false });
    expect(plan.steps).toEqual([]);
    expect(plan.unchanged).toHaveLength(4);
    // A stop under way is where pause wants it too.
    expect(
      planPause({ ...paused(), database: { id: 'db', status: 'stopping' } }, { force: false }).steps,
    ).toEqual([]);
  });

  test('refuses while Spark work runs, naming it; --force pauses anyway', () => {
    const o = running({
      kube: {
        autoscaler: { replicas: 1, available: 1 },
        sparkWork: ['Job/spark-run-1-trainer', 'Pod/spark-run-1-trainer-abcde'],
        systemNodesReady: 1,
        corednsAvailable: 2,
      },
    });
    expect(refusalOf(() => planPause(o, { force: false }))).toBe(
      'Spark work is still running in spark-namespace (Job/spark-run-1-trainer, Pod/spark-run-1-trainer-abcde): pausing would kill it; wait for it to finish, or pass --force',
    );
    expect(planPause(o, { force: true }).steps.map((s) => s.kind)).toEqual([
      'autoscaler',
      'nodegroup',
      'database',
    ]);
  });

  test.each([
    ['UPDATE_IN_PROGRESS', /stack 'zenml-spark' is UPDATE_IN_PROGRESS: pause would change/],
    ['UPDATE_ROLLBACK_FAILED', /stack 'zenml-spark' is UPDATE_ROLLBACK_FAILED/],
  ])('refuses while the stack is %s', (status, message) => {
    expect(
      refusalOf(() =>
        planPause(running({ deployed: { ...running().deployed, stack: { ...STACK, status } } }), {
          force: true,
        }),
      ),
    ).toMatch(message);
  });

  test('a rolled-back update leaves the previous deploy running: allowed', () => {
    const o = running({
      deployed: { ...running().deployed, stack: { ...STACK, status: 'UPDATE_ROLLBACK_COMPLETE' } },
    });
    expect(planPause(o, { force: false }).steps.length).toBeGreaterThan(0);
  });

  test('refuses while a node group or the database is changing', () => {
    const updating = running({
      nodegroups: { system: ng('system', 1, 1, 1), spark: ng('spark', 0, 0, 4, 'UPDATING') },
    });
    expect(refusalOf(() => planPause(updating, { force: false }))).toBe(
      'node group spark-nodes (spark pool) is UPDATING: a change is under way; retry when it is ACTIVE (npm run status)',
    );
    for (const status of ['modifying', 'backing-up', 'starting', 'rebooting']) {
      expect(refusalOf(() => planPause(running({ database: { id: 'db', status } }), { force: false }))).toBe(
        `database db is ${status}: it is changing; retry when it is available (npm run status)`,
      );
    }
  });

  test('a missing pool is a refusal, not a crash', () => {
    expect(
      refusalOf(() =>
        planPause(running({ nodegroups: { system: ng('system', 1, 1, 1) } }), { force: false }),
      ),
    ).toMatch(/has no spark node group/);
  });
});

describe('planResume', () => {
  test('GIVEN a paused cluster THEN the DB started, the pools at the template sizes, the autoscaler back', () => {
    const plan = planResume(paused());
    expect(plan.steps).toEqual([
      { kind: 'database', id: 'zenml-spark-metadata', arn: undefined, action: 'start' },
      {
        kind: 'nodegroup',
        name: 'system-nodes',
        pool: 'system',
        from: { min: 0, desired: 0, max: 1 },
        to: { min: 1, desired: 1, max: 1 },
      },
      { kind: 'autoscaler', from: 0, to: 1 },
    ]);
    expect(plan.unchanged).toEqual([
      'node group spark-nodes (spark pool): already min 0 / desired 0 / max 4',
    ]);
  });

  test('the sizes come from the deployed template (warm Spark nodes restored)', () => {
    const o = paused();
    const withWarm = {
      ...o,
      deployed: {
        ...o.deployed,
        configured: {
          ...o.deployed.configured,
          spark: { pool: 'spark' as const, logicalId: 'S', min: 1, desired: 1, max: 6 },
        },
      },
      nodegroups: { ...o.nodegroups, spark: ng('spark', 0, 0, 6) },
    };
    const spark = planResume(withWarm).steps.find((s) => s.kind === 'nodegroup' && s.pool === 'spark');
    expect(spark).toMatchObject({ to: { min: 1, desired: 1, max: 6 } });
  });

  test('idempotent: a running cluster has nothing to change; Spark nodes the autoscaler added are kept', () => {
    expect(planResume(running({}, 2)).steps).toEqual([]);
    // AWS restarted the DB after 7 days but the pools are still at 0: only the pools and the autoscaler.
    const o = { ...paused(), database: { id: 'db', status: 'available' } };
    expect(planResume(o).steps.map((s) => s.kind)).toEqual(['nodegroup', 'autoscaler']);
  });

  test('refuses while the database is stopping; waits for one already starting', () => {
    expect(refusalOf(() => planResume({ ...paused(), database: { id: 'db', status: 'stopping' } }))).toBe(
      'database db is stopping (a pause is under way): RDS cannot start it until it is stopped; retry in a few minutes',
    );
    expect(
      planResume({ ...paused(), database: { id: 'db', status: 'starting' } }).steps.map((s) => s.kind),
    ).toEqual(['nodegroup', 'autoscaler']);
  });
});

test('stateAfter: the nodes per pool and the database state a plan leaves (what the cost after prices)', () => {
  expect(stateAfter(running({}, 2), planPause(running({}, 2), { force: true }))).toEqual({
    nodes: { system: 0, spark: 0 },
    databaseRunning: false,
  });
  expect(stateAfter(paused(), planResume(paused()))).toEqual({
    nodes: { system: 1, spark: 0 },
    databaseRunning: true,
  });
});
