import * as fs from 'node:fs';
import { SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT } from '../../../lib/settings/names';
import { PIPELINE_STEPS, RUN_ID_PATTERN } from '../../../lib/settings/pipeline';
import { POOL_LABEL, sparkPodPlacement } from '../../../lib/settings/scheduling';
import {
  DEFAULT_EVENT_LOG_PREFIX,
  eventLogConf,
  historyServerConf,
  SPARK_HISTORY_PORT,
} from '../../../lib/settings/spark-history';
import { CONTRACT_FILE, contractJson } from '../../../scripts/generate/spark-contract';

const committed = fs.readFileSync(CONTRACT_FILE, 'utf8');

test('spark/zenml_spark_steps/contract.json is the generated one (refresh: spark-contract.ts --write)', () => {
  expect(committed).toBe(contractJson());
});

test('the contract carries the TypeScript constants the Python steps share', () => {
  const contract = JSON.parse(committed);
  expect(contract.steps).toEqual([...PIPELINE_STEPS]);
  expect(contract.runIdPattern).toBe(RUN_ID_PATTERN.source);
  expect([contract.sparkNamespace, contract.sparkServiceAccount]).toEqual([
    SPARK_NAMESPACE,
    SPARK_SERVICE_ACCOUNT,
  ]);
});

test('the contract carries the placement every Spark pod spec needs: toleration, selector, safe-to-evict', () => {
  const { scheduling } = JSON.parse(committed);
  expect(scheduling).toEqual({
    poolLabel: POOL_LABEL,
    pools: { system: 'system', spark: 'spark' },
    sparkPod: sparkPodPlacement(),
    systemNodeSelector: { [POOL_LABEL]: 'system' },
  });
  expect(scheduling.sparkPod).toEqual({
    nodeSelector: { 'zenml-spark-eks/pool': 'spark' },
    tolerations: [{ key: 'zenml-spark-eks/pool', operator: 'Equal', value: 'spark', effect: 'NoSchedule' }],
    annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' },
  });
});

test('the run-id rule reads the same in both languages: no syntax that Python and JavaScript differ on', () => {
  // Python's re and JavaScript agree on character classes, groups, ? and {m,n}; flags, lookbehind,
  // named groups and \d/\w (Unicode in Python 3 str patterns) are where they part.
  expect(RUN_ID_PATTERN.flags).toBe('');
  expect(RUN_ID_PATTERN.source).toMatch(/^[\^[\]a-z0-9(?:){},$-]+$/);
});

test('the contract carries the event-log settings, with the directory as a token the Python side fills in', () => {
  const { eventLog } = JSON.parse(committed);
  const dir = 's3a://b/p/';
  const fill = (conf: Record<string, string>) =>
    Object.fromEntries(Object.entries(conf).map(([k, v]) => [k, v.replace(eventLog.dirToken, dir)]));
  expect(fill(eventLog.applicationConf)).toEqual(eventLogConf(dir));
  expect(fill(eventLog.historyServerConf)).toEqual(historyServerConf(dir));
  expect([eventLog.defaultPrefix, eventLog.historyPort]).toEqual([
    DEFAULT_EVENT_LOG_PREFIX,
    SPARK_HISTORY_PORT,
  ]);
});
