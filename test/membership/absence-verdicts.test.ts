/**
 * The verdicts the reconcile step gives on missing peers (what the reconcile channel and
 * `explain()` show), with property tests over random policies and sequences of observations:
 * every missing peer gets exactly one verdict; `removed` is exactly who left; `held` only under
 * the mass-removal guard; the rule agrees with the counts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/config/defaults';
import { LookupError } from '../../src/errors';
import type { MembershipContext } from '../../src/membership/identity';
import type { Observation, ObservedEndpoint } from '../../src/membership/observation';
import type { MembershipPolicy } from '../../src/membership/policy';
import { initialState, reconcile, type MembershipState } from '../../src/membership/reconcile';

const context: MembershipContext = { statefulSet: 'web', ordinalStart: 0, podName: 'client', serviceDomain: 'web.default.svc.cluster.local' };
const pod = (ordinal: number): ObservedEndpoint => ({ host: `web-${ordinal}.web.default.svc.cluster.local`, addresses: [`10.0.0.${ordinal}`], port: 7000 });
const seen = (ordinals: readonly number[], partial = false): Observation => ({ ok: true, source: 'srv', endpoints: ordinals.map(pod), queries: 1, ...(partial ? { partial } : {}) });
const failed: Observation = { ok: false, source: 'srv', error: new LookupError('ERR_DNS_TIMEOUT', 'web.', 'SRV', 'timed out'), queries: 1 };

type Step = { readonly kind: 'seen'; readonly ordinals: number[]; readonly partial: boolean } | { readonly kind: 'failed' };

const steps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('seen' as const), ordinals: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 8 }), partial: fc.boolean() }),
    fc.constant({ kind: 'failed' as const }),
  ),
  { minLength: 1, maxLength: 12 },
);
const policies = fc.record({
  leaveAfterPolls: fc.integer({ min: 1, max: 4 }),
  leaveAfterMs: fc.constantFrom(0, 1000, 2500),
  maxRemovalFraction: fc.constantFrom(0.25, 0.5, 1),
});

describe('the verdicts on missing peers', () => {
  it('judge every missing peer once, removed exactly who left, held only under the guard, with the rule the counts say', () => {
    fc.assert(
      fc.property(policies, steps, (given, sequence) => {
        const policy: MembershipPolicy = { ...DEFAULT_POLICY, ...given };
        let state: MembershipState = initialState(context, policy);
        let now = 1_000_000;
        for (const step of sequence) {
          now += 1000;
          const before = state.membership.peers.map((peer) => peer.name);
          const observation = step.kind === 'failed' ? failed : seen(step.ordinals, step.partial);
          const result = reconcile(state, observation, null, context, policy, now);
          const present = new Set(step.kind === 'seen' ? step.ordinals.map((ordinal) => `web-${ordinal}`) : before);
          const missing = before.filter((name) => !present.has(name));
          expect(result.missing.map((verdict) => verdict.name).sort()).toEqual(step.kind === 'failed' ? [...state.absences.keys()].sort() : missing.sort());
          const removed = result.missing.filter((verdict) => verdict.fate === 'removed').map((verdict) => verdict.name);
          const gone = before.filter((name) => !result.membership.peers.some((peer) => peer.name === name));
          expect(removed.sort()).toEqual(gone.sort());
          for (const verdict of result.missing) {
            if (step.kind === 'failed') expect(verdict).toMatchObject({ fate: 'kept', rule: 'failedPoll' });
            else if (step.partial) expect(verdict).toMatchObject({ fate: 'kept', rule: 'partialObservation' });
            if (verdict.fate === 'held') {
              expect(verdict.rule).toBe('maxRemovalFraction');
              expect(missing.length).toBeGreaterThan(policy.maxRemovalFraction * before.length);
              expect(verdict.polls).toBeGreaterThanOrEqual(policy.leaveAfterPolls);
              expect(verdict.polls).toBeLessThan(verdict.requiredPolls);
            }
            if (verdict.fate === 'removed') expect(verdict.polls).toBeGreaterThanOrEqual(verdict.requiredPolls);
            if (verdict.fate === 'kept' && verdict.rule === 'leaveAfterPolls') expect(verdict.polls).toBeLessThan(verdict.requiredPolls);
            if (verdict.fate === 'kept' && verdict.rule === 'leaveAfterMs') expect(now - verdict.since).toBeLessThan(policy.leaveAfterMs);
          }
          state = result.state;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('name the poll count reached as the rule of a removal, or the time when that came last', () => {
    const policy: MembershipPolicy = { ...DEFAULT_POLICY, leaveAfterPolls: 2, leaveAfterMs: 5000, maxRemovalFraction: 1 };
    let state = reconcile(initialState(context, policy), seen([0, 1]), null, context, policy, 0).state;
    const verdicts: string[] = [];
    for (const at of [1000, 2000, 6000]) {
      const result = reconcile(state, seen([0]), null, context, policy, at);
      verdicts.push(...result.missing.map((verdict) => `${verdict.fate}:${verdict.rule}:${verdict.polls}`));
      state = result.state;
    }
    expect(verdicts).toEqual(['kept:leaveAfterPolls:1', 'kept:leaveAfterMs:2', 'removed:leaveAfterMs:3']);
  });

  it('share one empty list when nobody is missing', () => {
    const policy: MembershipPolicy = { ...DEFAULT_POLICY };
    const first = reconcile(initialState(context, policy), seen([0, 1]), null, context, policy, 0);
    const second = reconcile(first.state, seen([1, 0]), null, context, policy, 1000);
    expect(first.missing).toEqual([]);
    expect(second.missing).toBe(first.missing);
  });
});
