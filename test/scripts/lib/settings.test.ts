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
