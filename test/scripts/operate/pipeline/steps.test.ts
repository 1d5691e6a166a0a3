import { jobState } from '../../../../scripts/operate/pipeline/steps';

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
