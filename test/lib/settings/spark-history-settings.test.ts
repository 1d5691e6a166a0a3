/** The two history-server settings: defaults, and one refusal per rule of sparkEventLogPrefix. */
import { ConfigError, resolveConfig } from '../../../lib/settings/config';
import { readRawSettings } from '../../../lib/settings/read-settings';
import {
  eventLogConf,
  eventLogDir,
  eventLogPrefixProblem,
  historyLink,
} from '../../../lib/settings/spark-history';
import { CDK_JSON_CONTEXT } from '../fixtures';

const resolve = (settings: Record<string, unknown>) =>
  resolveConfig(readRawSettings({ ...CDK_JSON_CONTEXT, ...settings }, {}));

function errorFor(settings: Record<string, unknown>): string {
  try {
    resolve(settings);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('sparkHistoryServer and sparkEventLogPrefix', () => {
  test('defaults: the server on, spark-events/', () => {
    const c = resolve({});
    expect(c.sparkHistoryServer).toBe(true);
    expect(c.sparkEventLogPrefix).toBe('spark-events/');
    expect(resolve({ sparkHistoryServer: 'false' }).sparkHistoryServer).toBe(false);
    expect(
      resolveConfig(readRawSettings(CDK_JSON_CONTEXT, { ZENML_SPARK_SPARK_EVENT_LOG_PREFIX: 'a/b/' }))
        .sparkEventLogPrefix,
    ).toBe('a/b/');
  });

  test.each([
    ['logs/spark/', undefined],
    ['spark-events/', undefined],
    ["a_b.c!(d)'e-f/", undefined],
  ])('accepted: %s', (prefix, problem) => {
    expect(eventLogPrefixProblem(prefix)).toBe(problem);
    expect(resolve({ sparkEventLogPrefix: prefix }).sparkEventLogPrefix).toBe(prefix);
  });

  test.each([
    ['', /non-empty/],
    ['/spark-events/', /no leading \//],
    ['spark-events', /ending with '\/'/],
    ['a//b/', /single '\/'/],
    ['a/../b/', /no '\.' or '\.\.' segment/],
    ['../', /no '\.' or '\.\.' segment/],
    ['./', /no '\.' or '\.\.' segment/],
    ['a b/', /segments of letters/],
    ['logs*/', /no '\*'/],
    [`${'a'.repeat(256)}/`, /at most 256/],
  ])('refused, with one line naming the key and the value: %s', (prefix, why) => {
    const message = errorFor({ sparkEventLogPrefix: prefix });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(
      new RegExp(`sparkEventLogPrefix='${prefix.replace(/[.*()/]/g, '\\$&').slice(0, 40)}`),
    );
    expect(message).toMatch(why);
  });

  test('sparkHistoryServer must be a boolean', () => {
    expect(errorFor({ sparkHistoryServer: 'yes' })).toMatch(/sparkHistoryServer='yes'.*true or false/);
  });

  test('the event-log settings every Spark application gets: rolling at 128m, under the prefix', () => {
    expect(eventLogConf(eventLogDir('b', 'p/'))).toEqual({
      'spark.eventLog.enabled': 'true',
      'spark.eventLog.dir': 's3a://b/p/',
      'spark.eventLog.rolling.enabled': 'true',
      'spark.eventLog.rolling.maxFileSize': '128m',
    });
    expect(historyLink('spark-run-1-importer-abcde')).toBe(
      'http://localhost:18080/history/spark-run-1-importer-abcde',
    );
  });
});
