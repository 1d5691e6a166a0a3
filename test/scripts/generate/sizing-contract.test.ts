import * as fs from 'node:fs';
import { fitOnOneNode, nodeBudget, STEP_RESOURCES } from '../../../k8s/spark-sizing';
import { DEFAULT_NODE_INSTANCE_TYPE, NODE_SHAPES } from '../../../lib/settings/node-shapes';
import { SIZING_CONTRACT_FILE, sizingContractJson } from '../../../scripts/generate/sizing-contract';

const committed = fs.readFileSync(SIZING_CONTRACT_FILE, 'utf8');

test('pipeline/tests/sizing-contract.json is the generated one (refresh: sizing-contract.ts --write)', () => {
  expect(committed).toBe(sizingContractJson());
});

test('the contract carries the TypeScript sizing the step operator must agree with', () => {
  const contract = JSON.parse(committed);
  expect(contract.defaultNodeInstanceType).toBe(DEFAULT_NODE_INSTANCE_TYPE);
  expect(Object.keys(contract.nodeBudgets)).toEqual(Object.keys(NODE_SHAPES));
  expect(contract.nodeBudgets['t3a.xlarge'].forSpark).toEqual(nodeBudget('t3a.xlarge').forSpark);
  expect(contract.stepResources).toEqual(STEP_RESOURCES);
  // Both a fitting and a refused case, so the Python side is held to each outcome.
  expect(contract.steps.trainer.spare['t3a.xlarge']).toEqual([745, 1130]);
  expect(contract.steps['three-executors'].spare['t3a.xlarge'][0]).toBeLessThan(0);
  expect(fitOnOneNode(STEP_RESOURCES.importer).fits).toBe(true);
});
