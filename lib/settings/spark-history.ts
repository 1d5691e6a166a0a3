/**
 * Spark event logs and the Spark History Server: the one place that says what every Spark
 * application the product starts writes (the step Jobs in k8s/pipeline-jobs-chart.ts, the ZenML
 * step operator's driver sessions through spark/zenml_spark_steps/contract.json), where it goes,
 * and how the history server reads and cleans it (k8s/spark-history-server-chart.ts, its role in
 * lib/spark-history-identity.ts, the lifecycle rule in lib/artifact-store.ts).
 *
 * Event logs live under `s3a://<artifact bucket>/<sparkEventLogPrefix>` (default `spark-events/`),
 * written through the same Pod Identity role and S3A path as the step data, so no new credential
 * is needed. scripts/generate/spark-contract.ts exports the Spark settings to the Python side.
 */

/** The sparkEventLogPrefix setting's default. */
export const DEFAULT_EVENT_LOG_PREFIX = 'spark-events/';

/**
 * Size at which Spark rolls an application's event log to a new file. Rolling (Spark >= 3.0) keeps
 * a long step's log in bounded pieces: the history server replays only the newest files after
 * compaction (`spark.history.fs.eventLog.rolling.maxFilesToRetain`), and S3A uploads each finished
 * piece instead of holding one ever-growing object open until the step ends. 128m is Spark's own
 * default; set explicitly so the contract states it. The floor Spark allows is 10m.
 */
export const EVENT_LOG_ROLLING_MAX_FILE_SIZE = '128m';

/** The history server's UI/REST port (Spark's default `spark.history.ui.port`). */
export const SPARK_HISTORY_PORT = 18080;

/**
 * Its own namespace rather than spark-namespace: there the Spark service account's Role may create
 * and delete pods, which must not reach the history server; and a namespace of its own enforces
 * `restricted` Pod Security on it without touching the Spark namespace's labels.
 */
export const SPARK_HISTORY_NAMESPACE = 'spark-history';
export const SPARK_HISTORY_SERVICE_ACCOUNT = 'spark-history-server';
/** Deployment and Service name. */
export const SPARK_HISTORY_SERVICE = 'spark-history-server';

/**
 * The history server's cleaner: every `interval` it deletes applications older than `maxAge`, and
 * the oldest ones beyond `maxNum`, from the event-log prefix (this is why its role may delete
 * there). The bucket's lifecycle rule (EVENT_LOG_EXPIRATION_DAYS) is the backstop for logs the
 * cleaner never sees (history server off, or down).
 */
export const HISTORY_CLEANER = { interval: '1d', maxAge: '7d', maxNum: 1000 } as const;

/** Days after which S3 expires any object under the event-log prefix (the lifecycle backstop). */
export const EVENT_LOG_EXPIRATION_DAYS = 30;

/**
 * Rolled files of one application the history server keeps when it compacts the log (older ones
 * are folded into a compact file): bounds replay time of a long step.
 */
export const HISTORY_MAX_FILES_TO_RETAIN = 4;

/**
 * Why a sparkEventLogPrefix value is refused, or undefined when it is fine: a relative S3 key
 * prefix (no leading '/', no '..' segment, no empty segment) ending with '/', of characters S3
 * keys and the IAM resource ARN accept without escaping.
 */
export function eventLogPrefixProblem(prefix: string): string | undefined {
  if (prefix === '') return 'a non-empty S3 key prefix ending with /, e.g. spark-events/';
  if (prefix.startsWith('/')) return 'a relative S3 key prefix: no leading /';
  if (!prefix.endsWith('/')) return "an S3 key prefix ending with '/', e.g. spark-events/";
  if (prefix.length > 256) return 'at most 256 characters';
  if (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/.test(prefix) || prefix.includes('*'))
    return "segments of letters, digits and ! _ . ' ( ) - separated by single '/' (no '*': it is an IAM wildcard)";
  if (prefix.split('/').some((segment) => segment === '..' || segment === '.'))
    return "no '.' or '..' segment: the prefix must stay inside the bucket's key space as written";
  return undefined;
}

/** `s3a://<bucket>/<prefix>`: where event logs are written and read. */
export function eventLogDir(bucket: string, prefix: string = DEFAULT_EVENT_LOG_PREFIX): string {
  return `s3a://${bucket}/${prefix}`;
}

/** What every Spark application of the product sets, with `dir` from eventLogDir(). */
export function eventLogConf(dir: string): Record<string, string> {
  return {
    'spark.eventLog.enabled': 'true',
    'spark.eventLog.dir': dir,
    'spark.eventLog.rolling.enabled': 'true',
    'spark.eventLog.rolling.maxFileSize': EVENT_LOG_ROLLING_MAX_FILE_SIZE,
  };
}

/**
 * The history server's Spark settings for reading `dir` (without S3A credentials, which depend on
 * where it runs: Pod Identity on the cluster, the emulator's keys in the local test).
 */
export function historyServerConf(dir: string): Record<string, string> {
  return {
    'spark.history.fs.logDirectory': dir,
    'spark.history.ui.port': String(SPARK_HISTORY_PORT),
    'spark.history.fs.cleaner.enabled': 'true',
    'spark.history.fs.cleaner.interval': HISTORY_CLEANER.interval,
    'spark.history.fs.cleaner.maxAge': HISTORY_CLEANER.maxAge,
    'spark.history.fs.cleaner.maxNum': String(HISTORY_CLEANER.maxNum),
    'spark.history.fs.eventLog.rolling.maxFilesToRetain': String(HISTORY_MAX_FILES_TO_RETAIN),
    // S3 listings cost money and time: once every 30 s is enough for logs people open by hand.
    'spark.history.fs.update.interval': '30s',
  };
}

/**
 * The Spark application id of a step's driver: its pod's name. Kubernetes honours `spark.app.id`
 * (KubernetesClusterSchedulerBackend.applicationId), and the event-log directory is named after
 * it, so a fixed id per run and step would make a retried or rerun step's driver meet the earlier
 * attempt's directory and fail to start ("Target log directory already exists"; overwriting would
 * lose the failed attempt, the one worth reading). The pod name is unique per attempt, valid as
 * the `spark-app-selector` label value Spark puts on executors, and known to whoever watches the
 * Job (run-pipeline, the step operator), which print it with the history link.
 */
export const SPARK_APP_ID_FROM_POD_NAME = '$(SPARK_DRIVER_POD_NAME)';

/** The history server's page of one application, through `npm run spark-ui`'s port-forward. */
export function historyLink(appId: string, port: number = SPARK_HISTORY_PORT): string {
  return `http://localhost:${port}/history/${appId}`;
}
