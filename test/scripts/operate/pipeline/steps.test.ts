import { driverPodOf, jobState, specDifference } from '../../../../scripts/operate/pipeline/steps';

describe('jobState', () => {
  test.each([
    [{}, 'Pending'],
    [{ status: { active: 1 } }, 'Running'],
    [{ status: { conditions: [{ type: 'Complete', status: 'True' }] } }, 'Succeeded'],
    [{ status: { conditions: [{ type: 'FailureTarget', status: 'True' }] } }, 'Failed'],
    [{ status: { active: 1, conditions: [{ type: 'Failed', status: 'False' }] } }, 'Running'],
  ])('%j is %s', (job, state) => {
    expect(jobState(job).state).toBe(state);
  });
});

describe('specDifference: why an existing Job cannot take this run', () => {
  const job = (image: string, args: string[]) => ({
    spec: { template: { spec: { containers: [{ image, command: ['spark-submit'], args }] } } },
  });
  test('same image, command and arguments: no difference', () => {
    expect(specDifference(job('r/zenml:a', ['--x', '1']), job('r/zenml:a', ['--x', '1']))).toBeUndefined();
  });
  test('the image first, then the first differing argument', () => {
    expect(specDifference(job('r/zenml:a', ['--x']), job('r/zenml:b', ['--y']))).toBe(
      'image r/zenml:a (wanted r/zenml:b)',
    );
    expect(specDifference(job('r/zenml:a', ['--x', '1']), job('r/zenml:a', ['--x', '2']))).toBe(
      'other spark-submit arguments (first difference: 1 vs 2)',
    );
    expect(specDifference(job('r/zenml:a', ['--x']), job('r/zenml:a', ['--x', '2']))).toBe(
      'other spark-submit arguments (first difference: (none) vs 2)',
    );
  });
});

describe('driverPodOf: the pod a Job creates, for an admission dry run', () => {
  test('takes the Job pod template, its labels and namespace, with a generated name', () => {
    const pod = driverPodOf(
      [
        { kind: 'Service', metadata: { name: 's' } },
        {
          kind: 'Job',
          metadata: { name: 'spark-r1-importer', namespace: 'spark-namespace' },
          spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [] } } },
        },
      ],
      'spark-r1-importer',
    );
    expect(pod).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { labels: { a: 'b' }, generateName: 'spark-r1-importer-', namespace: 'spark-namespace' },
      spec: { containers: [] },
    });
  });
});
