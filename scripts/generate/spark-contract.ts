/**
 * spark/zenml_spark_steps/contract.json, generated from the TypeScript constants the Python side
 * shares: the step list and the run-id rule (lib/settings/pipeline.ts), the namespace and service
 * account the Spark pods run as (lib/settings/names.ts), and where Spark pods run: the toleration,
 * node selector and annotations every Spark pod spec carries (lib/settings/scheduling.ts; the
 * ZenML step operator's driver and executor pods apply them). Python keeps its own literals; two tests
 * tie the languages through this file: test/scripts/generate/spark-contract.test.ts holds it to
 * the TypeScript constants, spark/tests/test_contract.py holds spark/zenml_spark_steps/common.py
 * to it.
 *
 *   npx tsx scripts/generate/spark-contract.ts [--write]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SPARK_NAMESPACE, SPARK_SERVICE_ACCOUNT } from '../../lib/settings/names';
import { PIPELINE_STEPS, RUN_ID_PATTERN } from '../../lib/settings/pipeline';
import {
  POOL_LABEL,
  POOLS,
  type PodPlacement,
  SYSTEM_NODE_SELECTOR,
  sparkPodPlacement,
} from '../../lib/settings/scheduling';
import {
  DEFAULT_EVENT_LOG_PREFIX,
  eventLogConf,
  historyServerConf,
  SPARK_HISTORY_PORT,
} from '../../lib/settings/spark-history';
import { EXIT, EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { REPO_ROOT } from '../lib/settings';

export const CONTRACT_FILE = path.join(REPO_ROOT, 'spark', 'zenml_spark_steps', 'contract.json');

export interface SparkContract {
  readonly generatedBy: string;
  readonly steps: readonly string[];
  /** The source of a regular expression both JavaScript and Python read the same way. */
  readonly runIdPattern: string;
  readonly sparkNamespace: string;
  readonly sparkServiceAccount: string;
  /** Where pods run: the pool label, the placement of every Spark pod, the system pool's selector. */
  readonly scheduling: {
    readonly poolLabel: string;
    readonly pools: Readonly<Record<string, string>>;
    readonly sparkPod: PodPlacement;
    readonly systemNodeSelector: Readonly<Record<string, string>>;
  };
  /**
   * Spark event logs (lib/settings/spark-history.ts): the settings every application carries and
   * the history server's, with DIR_TOKEN where the `s3a://<bucket>/<prefix>` directory goes. The
   * Python side reads them from this file (spark/zenml_spark_steps/event_log.py), not from literals.
   */
  readonly eventLog: {
    readonly dirToken: string;
    readonly defaultPrefix: string;
    readonly historyPort: number;
    readonly applicationConf: Readonly<Record<string, string>>;
    readonly historyServerConf: Readonly<Record<string, string>>;
  };
}

/** Stands for the event-log directory in the contract's templates. */
export const DIR_TOKEN = '{eventLogDir}';

export function sparkContract(): SparkContract {
  return {
    generatedBy:
      'scripts/generate/spark-contract.ts from lib/settings/pipeline.ts, names.ts, scheduling.ts and spark-history.ts; do not edit (refresh: --write)',
    steps: [...PIPELINE_STEPS],
    runIdPattern: RUN_ID_PATTERN.source,
    sparkNamespace: SPARK_NAMESPACE,
    sparkServiceAccount: SPARK_SERVICE_ACCOUNT,
    scheduling: {
      poolLabel: POOL_LABEL,
      pools: { ...POOLS },
      sparkPod: sparkPodPlacement(),
      systemNodeSelector: { ...SYSTEM_NODE_SELECTOR },
    },
    eventLog: {
      dirToken: DIR_TOKEN,
      defaultPrefix: DEFAULT_EVENT_LOG_PREFIX,
      historyPort: SPARK_HISTORY_PORT,
      applicationConf: eventLogConf(DIR_TOKEN),
      historyServerConf: historyServerConf(DIR_TOKEN),
    },
  };
}

/** The file's exact text. */
export function contractJson(): string {
  return `${JSON.stringify(sparkContract(), null, 2)}\n`;
}

const OPTIONS = {
  write: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;
const USAGE = `Usage: npx tsx scripts/generate/spark-contract.ts [--write]   (prints it; --write refreshes ${path.relative(REPO_ROOT, CONTRACT_FILE)})`;

if (require.main === module) {
  runMain(async () => {
    const values = parseFlags(process.argv.slice(2), OPTIONS, USAGE);
    if (values.help) console.log(`${USAGE}\n${EXIT_CODES_HELP}`);
    else if (values.write) fs.writeFileSync(CONTRACT_FILE, contractJson());
    else process.stdout.write(contractJson());
    return EXIT.ok;
  });
}
