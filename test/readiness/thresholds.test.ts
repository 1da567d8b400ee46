import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INITIAL_PROBE_STATE, nextProbeState, type ProbeState, type ProbeThresholds } from '../../src/readiness/thresholds';

/** Apply `results` ('s' success, 'f' failure) one by one from the initial state. */
function run(results: string, thresholds: ProbeThresholds): ProbeState {
  return [...results].reduce((state, result) => nextProbeState(state, result === 's', thresholds), INITIAL_PROBE_STATE);
}

/**
 * The reference verdict, from the whole history: walking it, the peer turns ready at the end of
 * a run of `successThreshold` successes and not ready at the end of a run of `failureThreshold`
 * failures. Computed from run lengths, independently of the counters of the implementation.
 */
function referenceReady(results: readonly boolean[], thresholds: ProbeThresholds): boolean {
  let ready = false;
  let index = 0;
  while (index < results.length) {
    const value = results[index];
    let end = index;
    while (end < results.length && results[end] === value) end++;
    const length = end - index;
    if (value === true && length >= thresholds.successThreshold) ready = true;
    if (value === false && length >= thresholds.failureThreshold) ready = false;
    index = end;
  }
  return ready;
}

describe('nextProbeState', () => {
  it('starts not ready with no results', () => {
    expect(INITIAL_PROBE_STATE).toEqual({ ready: false, successes: 0, failures: 0 });
  });

  const k8s = { successThreshold: 1, failureThreshold: 3 };
  const strict = { successThreshold: 3, failureThreshold: 2 };
  const table: [string, ProbeThresholds, string, ProbeState][] = [
    ['no results', k8s, '', { ready: false, successes: 0, failures: 0 }],
    ['one success with threshold 1', k8s, 's', { ready: true, successes: 1, failures: 0 }],
    ['a first failure', k8s, 'f', { ready: false, successes: 0, failures: 1 }],
    ['failures below the threshold', k8s, 'sff', { ready: true, successes: 0, failures: 2 }],
    ['failures reaching the threshold', k8s, 'sfff', { ready: false, successes: 0, failures: 3 }],
    ['a success resetting the failures', k8s, 'sffsff', { ready: true, successes: 0, failures: 2 }],
    ['recovery after failing', k8s, 'sfffs', { ready: true, successes: 1, failures: 0 }],
    ['successes below the threshold', strict, 'ss', { ready: false, successes: 2, failures: 0 }],
    ['successes reaching the threshold', strict, 'sss', { ready: true, successes: 3, failures: 0 }],
    ['a failure resetting the successes', strict, 'ssfss', { ready: false, successes: 2, failures: 0 }],
    ['one failure below the failure threshold', strict, 'sssf', { ready: true, successes: 0, failures: 1 }],
    ['failures reaching the failure threshold', strict, 'sssff', { ready: false, successes: 0, failures: 2 }],
    ['successes counting past the threshold', strict, 'sssss', { ready: true, successes: 5, failures: 0 }],
  ];

  it.each(table)('%s', (_label, thresholds, results, expected) => {
    expect(run(results, thresholds)).toEqual(expected);
  });

  it('does not change the state it is given', () => {
    const state = { ready: true, successes: 4, failures: 0 };
    nextProbeState(state, false, k8s);
    expect(state).toEqual({ ready: true, successes: 4, failures: 0 });
  });

  it('agrees with a reference model on random result sequences', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { maxLength: 200 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        (results, successThreshold, failureThreshold) => {
          const thresholds = { successThreshold, failureThreshold };
          let state = INITIAL_PROBE_STATE;
          results.forEach((result, index) => {
            state = nextProbeState(state, result, thresholds);
            expect(state.ready).toBe(referenceReady(results.slice(0, index + 1), thresholds));
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts the current run of identical results', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 100 }), (results) => {
        const state = results.reduce((current, result) => nextProbeState(current, result, k8s), INITIAL_PROBE_STATE);
        const last = results.at(-1);
        let run = 0;
        for (let index = results.length - 1; index >= 0 && results[index] === last; index--) run++;
        expect(state).toMatchObject(
          last === undefined ? { successes: 0, failures: 0 } : last ? { successes: run, failures: 0 } : { successes: 0, failures: run },
        );
      }),
    );
  });
});
