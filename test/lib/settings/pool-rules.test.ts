/**
 * The settings that synthesize but can never become healthy, each rejected with one line, and
 * each rule tested at its boundary on both sides (the last value accepted, the first rejected).
 */
import { ConfigError, resolveConfig } from '../../../lib/settings/config';
import { MAX_SPARK_NODES, MAX_SYSTEM_NODES, poolProblems } from '../../../lib/settings/pool-rules';
import { readRawSettings } from '../../../lib/settings/read-settings';

const fromContext = (settings: Record<string, unknown>) => resolveConfig(readRawSettings(settings, {}));

function errorFor(settings: Record<string, unknown>): string {
  try {
    fromContext(settings);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(settings)} to be rejected`);
}

const accepts = (settings: Record<string, unknown>) => expect(() => fromContext(settings)).not.toThrow();

describe('system pool', () => {
  test('no system node: nowhere to run CoreDNS, the autoscaler, the ZenML server (1 accepted, 0 rejected)', () => {
    accepts({ systemNodeCount: 1 });
    const message = errorFor({ systemNodeCount: 0 });
    expect(message).toMatch(
      /^Invalid setting: systemNodeCount=0 \(from context \(cdk\.json or -c\)\): an integer from 1 to 3/,
    );
    expect(message).toMatch(/CoreDNS add-on never turns ACTIVE/);
    expect(message.split('\n')).toHaveLength(1);
  });

  test(`at most ${MAX_SYSTEM_NODES} system nodes`, () => {
    accepts({ systemNodeCount: MAX_SYSTEM_NODES });
    expect(errorFor({ systemNodeCount: MAX_SYSTEM_NODES + 1 })).toMatch(
      /systemNodeCount=4 .*an integer from 1 to 3/,
    );
  });

  test('the system pods must fit on one system node: t3a.medium holds them, t3a.small does not', () => {
    accepts({ systemNodeInstanceType: 't3a.medium' });
    const message = errorFor({ systemNodeInstanceType: 't3a.small' });
    expect(message).toBe(
      "Invalid setting: systemNodeInstanceType='t3a.small' (from context (cdk.json or -c)): a type that holds every " +
        'system pod on one node (CoreDNS x2, the cluster autoscaler, the ZenML server, a Spark history server: ' +
        '800m CPU / 2276Mi / 5 pods); t3a.small leaves 1755m / 1323Mi / 5 pods after its DaemonSets, e.g. t3a.medium',
    );
  });

  test('a type the sizing does not know is rejected (nothing could say whether the pods fit)', () => {
    expect(errorFor({ systemNodeInstanceType: 'c7i.large' })).toMatch(
      /systemNodeInstanceType='c7i.large'.*one of the x86_64 types the sizing knows: .*t3a.medium/,
    );
  });
});

describe('Spark pool', () => {
  test('the largest step must fit on one Spark node: t3a.xlarge holds the trainer, t3a.large does not', () => {
    accepts({ nodeInstanceType: 't3a.xlarge' });
    const message = errorFor({ nodeInstanceType: 't3a.large' });
    expect(message).toBe(
      "Invalid setting: nodeInstanceType='t3a.large' (from context (cdk.json or -c)): a type that holds the largest " +
        'pipeline step (trainer: driver + 2 executors, 3000m CPU / 12904Mi) on one node; t3a.large leaves 1755m / ' +
        '6709Mi after its DaemonSets, so the step would stay Pending and the autoscaler would never add a node for it',
    );
  });

  test('a Spark pool that can never hold a node (1 accepted, 0 rejected)', () => {
    accepts({ nodeMaxSize: 1 });
    expect(errorFor({ nodeMaxSize: 0 })).toMatch(
      /^Invalid setting: nodeMaxSize=0 .*: an integer from 1 to 100: a Spark pool that can never hold a node/,
    );
  });

  test(`nodeMaxSize at most ${MAX_SPARK_NODES}`, () => {
    accepts({ nodeMaxSize: MAX_SPARK_NODES });
    expect(errorFor({ nodeMaxSize: MAX_SPARK_NODES + 1 })).toMatch(
      /nodeMaxSize=101 .*: an integer from 1 to 100$/,
    );
  });

  test('nodeMinSize from 0 up to nodeMaxSize (warm nodes are allowed)', () => {
    accepts({ nodeMinSize: 0 });
    accepts({ nodeMinSize: 4, nodeMaxSize: 4 });
    expect(errorFor({ nodeMinSize: 5, nodeMaxSize: 4 })).toMatch(/nodeMinSize=5 .*at most nodeMaxSize \(4\)/);
    expect(errorFor({ nodeMinSize: -1 })).toMatch(/nodeMinSize=-1 .*an integer from 0 to 100/);
  });
});

test('poolProblems: a maximum of 0 under a minimum of 1 is two problems; a negative maximum only its own', () => {
  const defaults = {
    nodeInstanceType: 't3a.xlarge',
    nodeMinSize: 0,
    nodeMaxSize: 4,
    systemNodeInstanceType: 't3a.medium',
    systemNodeCount: 1,
  };
  expect(poolProblems({ ...defaults, nodeMinSize: 1, nodeMaxSize: 0 })).toEqual([
    [
      'nodeMaxSize',
      'an integer from 1 to 100: a Spark pool that can never hold a node leaves every step Pending (EKS also rejects maxSize 0)',
    ],
    ['nodeMinSize', 'at most nodeMaxSize (0)'],
  ]);
  // nodeMaxSize=-1 is already wrong as itself: no second message about nodeMinSize exceeding it.
  expect(poolProblems({ ...defaults, nodeMinSize: 0, nodeMaxSize: -1 })).toEqual([
    [
      'nodeMaxSize',
      `an integer from 1 to ${MAX_SPARK_NODES}: a Spark pool that can never hold a node leaves every step Pending (EKS also rejects maxSize 0)`,
    ],
  ]);
  // A non-integer is the type check's to report (config.ts), not a range problem here.
  expect(poolProblems({ ...defaults, systemNodeCount: 1.5, nodeMaxSize: 2.5 })).toEqual([]);
});

test('an unknown type: the message lists the known types, comma-separated, and says where to add one', () => {
  const [[key, message]] = poolProblems({
    nodeInstanceType: 'c7i.large',
    nodeMinSize: 0,
    nodeMaxSize: 4,
    systemNodeInstanceType: 't3a.medium',
    systemNodeCount: 1,
  });
  expect(key).toBe('nodeInstanceType');
  expect(message).toMatch(/^one of the x86_64 types the sizing knows: t3a\.\w+(, [a-z0-9]+\.\w+)+ /);
  expect(message).toMatch(
    / \(the nodes run the AL2023 x86_64 AMI; add a shape to lib\/settings\/node-shapes\.ts for another type\)$/,
  );
});

test('poolProblems: the defaults have none; several problems come together, one per setting', () => {
  const defaults = {
    nodeInstanceType: 't3a.xlarge',
    nodeMinSize: 0,
    nodeMaxSize: 4,
    systemNodeInstanceType: 't3a.medium',
    systemNodeCount: 1,
  };
  expect(poolProblems(defaults)).toEqual([]);
  const problems = poolProblems({
    ...defaults,
    nodeInstanceType: 't3a.large',
    systemNodeInstanceType: 't3a.small',
    systemNodeCount: 0,
  });
  expect(problems.map(([key]) => key)).toEqual([
    'nodeInstanceType',
    'systemNodeInstanceType',
    'systemNodeCount',
  ]);
});
