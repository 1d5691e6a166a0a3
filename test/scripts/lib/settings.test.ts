import { settingsFromFlags } from '../../../scripts/lib/settings';

describe('settingsFromFlags', () => {
  test('applies -c pairs over cdk.json and returns them for the CDK CLI', () => {
    const { cliContext, config } = settingsFromFlags(['nodeMinSize=2', 'nodeMaxSize=2'], {});
    expect(cliContext).toEqual({ nodeMinSize: '2', nodeMaxSize: '2' });
    expect(config.nodeMinSize).toBe(2);
  });

  test('a malformed pair is a usage error (exit 2), a bad value a setting error (exit 1)', () => {
    expect(() => settingsFromFlags(['oops'], {})).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => settingsFromFlags(['nodeMinSize=9'], {})).toThrow(
      expect.objectContaining({
        exitCode: 1,
        message: expect.stringMatching(/^Invalid setting: nodeMinSize='9'/),
      }),
    );
  });

  test('each message names where its value came from: -c, cdk.json or the variable', () => {
    const message = (pairs: string[], env: Record<string, string> = {}) => {
      try {
        settingsFromFlags(pairs, env);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('expected a rejection');
    };
    expect(message(['nodeMinSize=9'])).toMatch(/^Invalid setting: nodeMinSize='9' \(from -c\): /);
    expect(message([], { ZENML_SPARK_NODE_MIN_SIZE: '9' })).toMatch(
      /^Invalid setting: nodeMinSize='9' \(from environment ZENML_SPARK_NODE_MIN_SIZE\): /,
    );
    // cdk.json commits zenmlServerUrl=''; the -c flag makes it wrong, and the message blames cdk.json's value.
    expect(message(['zenmlServer=false'])).toMatch(
      /^Invalid setting: zenmlServerUrl='' \(from cdk\.json\): /,
    );
  });

  test('[issue 14 kind 1] the scripts reject an unknown -c key as the app does (cost, preflight, synth read it here)', () => {
    expect(() => settingsFromFlags(['nodeInstancType=t3a.large'], {})).toThrow(
      expect.objectContaining({
        exitCode: 1,
        message: expect.stringMatching(
          /^Invalid setting: nodeInstancType='t3a.large' .*did you mean nodeInstanceType\?/,
        ),
      }),
    );
  });
});
