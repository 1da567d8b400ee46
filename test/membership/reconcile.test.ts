/**
 * The reconcile step, with property tests over random sequences of observations and failures:
 * leave hysteresis, the mass-removal guard, readiness and staleness.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LookupError } from '../../src/errors';
import type { MembershipContext } from '../../src/membership/identity';
import { DEFAULT_POLICY } from '../../src/config/defaults';
import type { MembershipPolicy } from '../../src/membership/policy';
import { applyReadiness, initialState, reconcile, type MembershipState, type ReconcileResult } from '../../src/membership/reconcile';
import type { Membership } from '../../src/membership/types';
import type { Observation, ObservedEndpoint } from '../../src/membership/observation';

const context: MembershipContext = {
  statefulSet: 'web',
  ordinalStart: 2,
  podName: 'web-3',
  serviceDomain: 'web.default.svc.cluster.local',
};
const immediate: MembershipPolicy = { ...DEFAULT_POLICY, leaveAfterPolls: 1, maxRemovalFraction: 1 };

const pod = (ordinal: number, address = `10.0.0.${ordinal}`, port: number | null = 7000): ObservedEndpoint => ({
  host: `web-${ordinal}.web.default.svc.cluster.local`,
  addresses: [address],
  port,
});
const seen = (...endpoints: ObservedEndpoint[]): Observation => ({ ok: true, source: 'srv', endpoints, queries: 1 });
const failed: Observation = {
  ok: false,
  source: 'srv',
  error: new LookupError('ERR_DNS_TIMEOUT', '_p._tcp.web.default.svc.cluster.local.', 'SRV', 'timed out'),
  queries: 2,
};
const names = (membership: Membership): string[] => membership.peers.map((peer) => peer.name);
const eventNames = (step: ReconcileResult): string[] => [
  ...step.diff.left.map((peer) => `leave:${peer.name}`),
  ...step.diff.joined.map((peer) => `join:${peer.name}`),
  ...step.diff.replaced.map(({ peer }) => `replace:${peer.name}`),
  ...step.diff.updated.map(({ peer }) => `update:${peer.name}`),
  ...step.diff.becameReady.map((peer) => `ready:${peer.name}`),
  ...step.diff.becameUnready.map((peer) => `unready:${peer.name}`),
  ...step.diff.draining.map((peer) => `draining:${peer.name}`),
];

/** Apply observations one per second from t = 1000, returning each step. */
function run(observations: readonly Observation[], policy: MembershipPolicy = DEFAULT_POLICY, start?: MembershipState): ReconcileResult[] {
  let state = start ?? initialState(context, policy);
  return observations.map((observation, index) => {
    const step = reconcile(state, observation, null, context, policy, 1000 * (index + 1));
    state = step.state;
    return step;
  });
}
const last = <T>(items: readonly T[]): T => items[items.length - 1] as T;

describe('reconcile', () => {
  it('treats the same endpoints in another order as no change: same peers, same epoch, only fresher', () => {
    const dual = (ordinal: number): ObservedEndpoint => ({ ...pod(ordinal), addresses: [`10.0.0.${ordinal}`, `fd00::${ordinal}`] });
    const [first, again] = run([seen(dual(2), dual(3), dual(4)), seen(dual(4), { ...dual(2), addresses: ['fd00::2', '10.0.0.2'] }, dual(3))]);
    expect(again?.membership.peers).toBe(first?.membership.peers);
    expect(again?.membership.epoch).toBe(first?.membership.epoch);
    expect(again?.membership.updatedAt).toBe(2000);
    expect(again?.diff).toEqual({ joined: [], left: [], updated: [], replaced: [], becameReady: [], becameUnready: [], draining: [] });
  });

  it('still counts absences when the same observation comes with a peer missing', () => {
    const steps = run([seen(pod(2), pod(3)), seen(pod(2)), seen(pod(2))]);
    expect(steps.map(eventNames)).toEqual([['join:web-2', 'join:web-3'], [], ['leave:web-3']]);
  });

  it('starts empty, with the seed host known', () => {
    const { membership } = initialState(context, DEFAULT_POLICY);
    expect(membership).toMatchObject({ peers: [], ready: [], seed: null, self: null, epoch: 0, stale: false, source: null, completeness: 'unknown' });
    expect(membership.seedHost).toBe('web-2.web.default.svc.cluster.local');
  });

  it('reports joins, the seed and self on the first observation', () => {
    const [step] = run([seen(pod(3), pod(2))]);
    expect(step?.diff.joined.map((peer) => peer.name)).toEqual(['web-2', 'web-3']);
    expect(step?.seedChanged).toBe(true);
    expect(step?.membership).toMatchObject({ epoch: 1, stale: false, source: 'srv', updatedAt: 1000 });
    expect(step?.membership.seed?.name).toBe('web-2');
    expect(step?.membership.self?.name).toBe('web-3');
    expect(step?.membership.ready).toEqual(step?.membership.peers);
  });

  it('keeps every peer on a failure and marks the membership stale from the first failure on', () => {
    const steps = run([seen(pod(2)), failed, failed, seen(pod(2))]);
    const [first, down, stillDown, back] = steps as [ReconcileResult, ReconcileResult, ReconcileResult, ReconcileResult];
    expect(eventNames(down)).toEqual([]);
    expect(down.membership.peers).toBe(first.membership.peers);
    expect(down.membership).toMatchObject({ stale: true, staleSince: 2000, epoch: 1, updatedAt: 1000 });
    expect(stillDown.membership.staleSince).toBe(2000);
    expect(back.membership).toMatchObject({ stale: false, staleSince: null, epoch: 1, updatedAt: 4000 });
    expect(eventNames(back)).toEqual([]);
  });

  it('turns a new IP for the same pod into an update', () => {
    const steps = run([seen(pod(2, '10.0.0.2')), seen(pod(2, '10.0.0.9'))]);
    expect(eventNames(last(steps))).toEqual(['update:web-2']);
    expect(last(steps).diff.updated[0]?.previous.addresses).toEqual(['10.0.0.2']);
  });

  it('keeps a missing peer (with no sources) until it has been missing from leaveAfterPolls observations', () => {
    const steps = run([seen(pod(2), pod(3), pod(4)), seen(pod(2), pod(3)), seen(pod(2), pod(3))]);
    expect(eventNames(steps[1] as ReconcileResult)).toEqual([]);
    expect(steps[1]?.membership.peers.find((peer) => peer.name === 'web-4')?.sources).toEqual([]);
    expect(steps[1]?.membership.epoch).toBe(1);
    expect(eventNames(last(steps))).toEqual(['leave:web-4']);
    expect(names(last(steps).membership)).toEqual(['web-2', 'web-3']);
  });

  it('a peer back within the window produces no event; failures in between do not count', () => {
    const steps = run([seen(pod(2), pod(3)), seen(pod(2)), failed, failed, seen(pod(2), pod(3))]);
    expect(steps.flatMap(eventNames)).toEqual(['join:web-2', 'join:web-3']);
    expect(last(steps).membership.peers.find((peer) => peer.name === 'web-3')?.sources).toEqual(['srv']);
  });

  it('honours leaveAfterMs on top of leaveAfterPolls', () => {
    const policy = { ...DEFAULT_POLICY, leaveAfterMs: 5000 };
    const steps = run([seen(pod(2), pod(3)), seen(pod(2)), seen(pod(2)), seen(pod(2)), seen(pod(2)), seen(pod(2)), seen(pod(2)), seen(pod(2))], policy);
    const leftAt = steps.findIndex((step) => step.diff.left.length > 0);
    // Missing since t = 2000 (step 1): gone at the first poll with t ≥ 7000, i.e. step 6.
    expect(leftAt).toBe(6);
  });

  it('holds a removal of more than maxRemovalFraction of the peers for one confirming observation', () => {
    const five = seen(pod(2), pod(3), pod(4), pod(5), pod(6));
    const two = seen(pod(2), pod(3));
    const policy = { ...DEFAULT_POLICY, leaveAfterPolls: 1 };
    const steps = run([five, two, two], policy);
    expect(eventNames(steps[1] as ReconcileResult)).toEqual([]);
    expect(eventNames(last(steps))).toEqual(['leave:web-4', 'leave:web-5', 'leave:web-6']);
    // A small removal is not held.
    const small = run([five, seen(pod(2), pod(3), pod(4), pod(5))], policy);
    expect(eventNames(last(small))).toEqual(['leave:web-6']);
    // 1 turns the guard off.
    expect(eventNames(last(run([five, two], { ...policy, maxRemovalFraction: 1 })))).toHaveLength(3);
  });

  it('scaling 5 → 2 with the defaults ends as exactly three leaves, one poll later', () => {
    const steps = run([seen(pod(2), pod(3), pod(4), pod(5), pod(6)), seen(pod(2), pod(3)), seen(pod(2), pod(3)), seen(pod(2), pod(3))]);
    expect(steps.map((step) => step.diff.left.length)).toEqual([0, 0, 3, 0]);
  });

  it('treats an empty observation (NXDOMAIN) as a removal like any other, and freezes snapshots', () => {
    const steps = run([seen(pod(2), pod(3)), seen(), seen()]);
    expect(names(steps[1]?.membership as Membership)).toEqual(['web-2', 'web-3']);
    expect(eventNames(last(steps))).toEqual(['leave:web-2', 'leave:web-3']);
    expect(last(steps).membership.peers).toEqual([]);
    expect(Object.isFrozen(last(steps).membership)).toBe(true);
    expect(Object.isFrozen(steps[0]?.membership.peers[0])).toBe(true);
  });

  it('keeps the SRV port of a peer when a fallback source knows none', () => {
    const state = run([seen(pod(2))], immediate)[0]?.state as MembershipState;
    const fromA: Observation = { ok: true, source: 'address', endpoints: [pod(2, '10.0.0.2', null)], queries: 2 };
    const step = reconcile(state, fromA, null, context, immediate, 5000);
    expect(step.membership.peers[0]).toMatchObject({ port: 7000, sources: ['address'] });
    expect(step.membership.source).toBe('address');
    expect(eventNames(step)).toEqual([]);
  });

  it('reports completeness against expectedReplicas', () => {
    const policy = { ...DEFAULT_POLICY, expectedReplicas: 3 };
    expect(initialState(context, policy).membership.completeness).toBe('degraded');
    const steps = run([seen(pod(2), pod(3)), seen(pod(2), pod(3), pod(4))], policy);
    expect(steps.map((step) => step.membership.completeness)).toEqual(['degraded', 'complete']);
    expect(last(steps).membership.expectedReplicas).toBe(3);
  });
});

describe('readiness', () => {
  const readyOnly = (ready: ReadonlySet<string>) => (name: string) => ready.has(name);

  it('by default only ready peers are members: join on ready, leave on unready', () => {
    const notReady = reconcile(initialState(context, DEFAULT_POLICY), seen(pod(2), pod(3)), readyOnly(new Set(['web-2'])), context, DEFAULT_POLICY, 1);
    expect(eventNames(notReady)).toEqual(['join:web-2']);
    expect(names(notReady.membership)).toEqual(['web-2', 'web-3']);
    expect(notReady.membership.ready.map((peer) => peer.name)).toEqual(['web-2']);
    expect(notReady.membership.self).toMatchObject({ name: 'web-3', ready: false });

    const becomesReady = applyReadiness(notReady.state, readyOnly(new Set(['web-2', 'web-3'])), context, DEFAULT_POLICY);
    expect(eventNames(becomesReady)).toEqual(['join:web-3', 'ready:web-3']);
    const seedUnready = applyReadiness(becomesReady.state, readyOnly(new Set(['web-3'])), context, DEFAULT_POLICY);
    expect(eventNames(seedUnready)).toEqual(['leave:web-2', 'unready:web-2']);
    expect(seedUnready.seedChanged).toBe(true);
    expect(seedUnready.membership.seed).toBeNull();
  });

  it('with includeNotReady every peer is a member and readiness changes are updates', () => {
    const policy = { ...DEFAULT_POLICY, includeNotReady: true };
    const first = reconcile(initialState(context, policy), seen(pod(2), pod(3)), readyOnly(new Set()), context, policy, 1);
    expect(eventNames(first)).toEqual(['join:web-2', 'join:web-3']);
    expect(first.membership.seed?.name).toBe('web-2');
    const ready = applyReadiness(first.state, readyOnly(new Set(['web-3'])), context, policy);
    expect(eventNames(ready)).toEqual(['update:web-3', 'ready:web-3']);
    expect(ready.membership.epoch).toBe(first.membership.epoch + 1);
  });

  it('a verdict that changes nothing changes no epoch and reuses the snapshot peers', () => {
    const first = reconcile(initialState(context, DEFAULT_POLICY), seen(pod(2)), () => true, context, DEFAULT_POLICY, 1);
    const same = applyReadiness(first.state, () => true, context, DEFAULT_POLICY);
    expect(eventNames(same)).toEqual([]);
    expect(same.membership.peers).toBe(first.membership.peers);
    expect(same.membership.epoch).toBe(first.membership.epoch);
  });
});

const ordinalArb = fc.integer({ min: 1, max: 7 });
const endpointArb = fc.record({ ordinal: ordinalArb, octet: fc.integer({ min: 1, max: 3 }) });
const observationArb: fc.Arbitrary<Observation> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(failed) },
  { weight: 4, arbitrary: fc.array(endpointArb, { maxLength: 6 }).map((list) => seen(...list.map((e) => pod(e.ordinal, `10.${e.octet}.0.${e.ordinal}`)))) },
);
const policyArb: fc.Arbitrary<MembershipPolicy> = fc.record({
  leaveAfterPolls: fc.integer({ min: 1, max: 4 }),
  leaveAfterMs: fc.integer({ min: 0, max: 4000 }),
  maxRemovalFraction: fc.constantFrom(0, 0.5, 1),
  includeNotReady: fc.boolean(),
  expectedReplicas: fc.constantFrom(null, 3),
});
const observedNames = (observation: Observation): Set<string> =>
  new Set(observation.ok ? observation.endpoints.map((endpoint) => (endpoint.host ?? '').split('.')[0] as string) : []);

describe('reconcile properties', () => {
  it('never a leave from a failure; a failure never changes the peers', () => {
    fc.assert(
      fc.property(fc.array(observationArb, { maxLength: 14 }), policyArb, (observations, policy) => {
        const steps = run(observations, policy);
        observations.forEach((observation, index) => {
          if (observation.ok) return;
          const before = index === 0 ? initialState(context, policy).membership : (steps[index - 1] as ReconcileResult).membership;
          expect(eventNames(steps[index] as ReconcileResult)).toEqual([]);
          if (index === 0) expect(steps[index]?.membership.peers).toEqual([]);
          else expect(steps[index]?.membership.peers).toBe(before.peers);
          expect(steps[index]?.membership.stale).toBe(true);
        });
      }),
    );
  });

  it('a peer leaves only after leaveAfterPolls successful observations and leaveAfterMs without it', () => {
    fc.assert(
      fc.property(fc.array(observationArb, { maxLength: 14 }), policyArb, (observations, policy) => {
        const steps = run(observations, policy);
        const absent = new Map<string, { polls: number; since: number }>();
        observations.forEach((observation, index) => {
          const now = 1000 * (index + 1);
          if (observation.ok) {
            const present = observedNames(observation);
            for (const name of present) absent.delete(name);
            const known = index === 0 ? [] : names((steps[index - 1] as ReconcileResult).membership);
            for (const name of known) {
              if (present.has(name)) continue;
              const record = absent.get(name);
              absent.set(name, { polls: (record?.polls ?? 0) + 1, since: record?.since ?? now });
            }
          }
          for (const peer of steps[index]?.diff.left ?? []) {
            if (!policy.includeNotReady && !observation.ok) throw new Error('a leave on a failure');
            const record = absent.get(peer.name);
            expect(record?.polls ?? 0).toBeGreaterThanOrEqual(policy.leaveAfterPolls);
            expect(now - (record?.since ?? now)).toBeGreaterThanOrEqual(policy.leaveAfterMs);
          }
          for (const peer of steps[index]?.diff.left ?? []) absent.delete(peer.name);
        });
      }),
    );
  });

  it('once observations settle, the membership equals the truth', () => {
    fc.assert(
      fc.property(fc.array(observationArb, { maxLength: 12 }), fc.array(endpointArb, { maxLength: 6 }), policyArb, (history, truth, policy) => {
        const final = seen(...truth.map((e) => pod(e.ordinal, `10.${e.octet}.0.${e.ordinal}`)));
        const settle = Array.from({ length: Math.max(policy.leaveAfterPolls, 2) + Math.ceil(policy.leaveAfterMs / 1000) }, () => final);
        const steps = run([...history, ...settle, failed], policy);
        expect(names(last(steps).membership).sort()).toEqual([...observedNames(final)].sort());
      }),
    );
  });

  it('diffs compose: replaying joins and leaves gives the final members; epoch grows exactly on change', () => {
    fc.assert(
      fc.property(fc.array(observationArb, { maxLength: 14 }), policyArb, (observations, policy) => {
        const steps = run(observations, policy);
        const members = new Set<string>();
        let epoch = 0;
        for (const step of steps) {
          for (const peer of step.diff.left) expect(members.delete(peer.name)).toBe(true);
          for (const peer of step.diff.joined) {
            expect(members.has(peer.name)).toBe(false);
            members.add(peer.name);
          }
          const changed = eventNames(step).length > 0 || step.seedChanged;
          expect(step.membership.epoch).toBe(epoch + (changed ? 1 : 0));
          epoch = step.membership.epoch;
          const { membership } = step;
          const ordinals = membership.peers.map((peer) => peer.ordinal ?? Infinity);
          expect(ordinals).toEqual([...ordinals].sort((a, b) => a - b));
          expect(membership.seed).toBe(membership.peers.find((peer) => peer.ordinal === context.ordinalStart) ?? null);
        }
        expect([...members].sort()).toEqual(names(last(steps)?.membership ?? initialState(context, policy).membership).sort());
      }),
    );
  });

  it('re-applying an observation changes nothing', () => {
    fc.assert(
      fc.property(fc.array(observationArb, { maxLength: 8 }), observationArb, (history, observation) => {
        const settled = run([...history, observation, observation, observation], immediate);
        const again = reconcile(last(settled).state, observation, null, context, immediate, 99_000);
        expect(eventNames(again)).toEqual([]);
        expect(again.seedChanged).toBe(false);
        expect(again.membership.peers).toBe(last(settled).membership.peers);
      }),
    );
  });
});

describe('what the Kubernetes API adds: readiness, draining, UIDs, placement', () => {
  /** An endpoint as the kubernetes source reports it: named by its pod, with its conditions. */
  const api = (ordinal: number, facts: Partial<ObservedEndpoint> = {}): ObservedEndpoint => ({
    host: null,
    addresses: [`10.0.0.${ordinal}`],
    port: 7000,
    pod: `web-${ordinal}`,
    ready: true,
    uid: `uid-${ordinal}`,
    nodeName: `node-${ordinal % 2}`,
    zone: 'zone-a',
    ...facts,
  });
  const slices = (...endpoints: ObservedEndpoint[]): Observation => ({ ok: true, source: 'kubernetes', endpoints, queries: 0 });

  it('names a peer by its pod, keeps its UID and placement, and leaves out another StatefulSet\'s pod', () => {
    const [step] = run([slices(api(2), api(3), { ...api(4), pod: 'other-4' })]);
    expect(step?.membership.peers.map((peer) => [peer.name, peer.ordinal, peer.uid, peer.nodeName, peer.zone])).toEqual([
      ['web-2', 2, 'uid-2', 'node-0', 'zone-a'],
      ['web-3', 3, 'uid-3', 'node-1', 'zone-a'],
    ]);
  });

  it('reads readiness from the source without a probe: a not-ready pod is seen, and not a member', () => {
    const [first, second] = run([slices(api(2), api(3, { ready: false })), slices(api(2), api(3))]);
    expect(first?.membership.peers.map((peer) => [peer.name, peer.ready])).toEqual([['web-2', true], ['web-3', false]]);
    expect(eventNames(first as ReconcileResult)).toEqual(['join:web-2']);
    expect(eventNames(second as ReconcileResult)).toEqual(['join:web-3', 'ready:web-3']);
  });

  it('a terminating pod drains: one draining event, never ready (even if a probe says so), then leaves when it is gone', () => {
    let state = initialState(context, immediate);
    const step = (observation: Observation, probe: ((name: string) => boolean) | null = null): ReconcileResult => {
      const result = reconcile(state, observation, probe, context, immediate, 1000);
      state = result.state;
      return result;
    };
    step(slices(api(2), api(3)));
    const draining = step(slices(api(2), api(3, { ready: false, draining: true })), () => true);
    expect(eventNames(draining)).toEqual(['leave:web-3', 'unready:web-3', 'draining:web-3']);
    expect(draining.membership.peers.find((peer) => peer.name === 'web-3')).toMatchObject({ draining: true, ready: false });
    expect(eventNames(step(slices(api(2), api(3, { ready: false, draining: true }))))).toEqual([]);
    expect(eventNames(step(slices(api(2))))).toEqual([]);
    expect(state.membership.peers.map((peer) => peer.name)).toEqual(['web-2']);
  });

  it('a draining pod stays draining while DNS stands in for the API, so coming back is no second draining', () => {
    const dns = (...ordinals: number[]): Observation => ({
      ok: true,
      source: 'srv',
      endpoints: ordinals.map((ordinal) => ({ host: `web-${ordinal}.web.default.svc.cluster.local`, addresses: [`10.0.0.${ordinal}`], port: 7000 })),
      queries: 1,
    });
    const named = (ordinal: number, facts: Partial<ObservedEndpoint> = {}): ObservedEndpoint => api(ordinal, { host: `web-${ordinal}.web.default.svc.cluster.local`, ...facts });
    const steps = run([
      slices(named(2), named(3, { ready: false, draining: true })),
      dns(2, 3), // publishNotReadyAddresses: DNS still lists the terminating pod
      slices(named(2), named(3, { ready: false, draining: true })),
    ]);
    expect(steps.map(eventNames)).toEqual([['join:web-2', 'draining:web-3'], [], []]);
    expect(steps[1]?.membership.peers.find((peer) => peer.name === 'web-3')).toMatchObject({ draining: true, ready: false, uid: 'uid-3' });
    // A source that knows pods says otherwise: a new pod under the same name is no longer draining.
    const replaced = reconcile(last(steps).state, slices(named(2), named(3, { uid: 'uid-3b' })), null, context, immediate, 99_000);
    expect(eventNames(replaced)).toEqual(['join:web-3', 'ready:web-3']);
    expect(replaced.membership.peers.find((peer) => peer.name === 'web-3')).toMatchObject({ draining: false, ready: true, uid: 'uid-3b' });
  });

  it('a pod re-created under the same name is replaced, not updated, and not a leave and a join', () => {
    const [, replaced] = run([slices(api(2), api(3)), slices(api(2), api(3, { uid: 'uid-3b', addresses: ['10.0.0.33'] }))]);
    expect(eventNames(replaced as ReconcileResult)).toEqual(['replace:web-3']);
    expect(replaced?.diff.replaced[0]?.previous.uid).toBe('uid-3');
    expect(replaced?.diff.replaced[0]?.peer).toMatchObject({ uid: 'uid-3b', addresses: ['10.0.0.33'] });
  });

  it('a change of readiness alone is a change: the unchanged-observation shortcut does not hide it', () => {
    const steps = run([slices(api(2), api(3)), slices(api(2), api(3, { ready: false })), slices(api(2), api(3, { ready: false }))]);
    expect(steps.map(eventNames)).toEqual([['join:web-2', 'join:web-3'], ['leave:web-3', 'unready:web-3'], []]);
  });

  it('the same pod in two slices (a transition, or its two address families) is one peer, ready only if both say so', () => {
    const [step] = run([slices(api(2), { ...api(2), addresses: ['fd00::2'] }, api(3), { ...api(3), ready: false })]);
    expect(step?.membership.peers.map((peer) => [peer.name, peer.addresses, peer.ready])).toEqual([
      ['web-2', ['10.0.0.2', 'fd00::2'], true],
      ['web-3', ['10.0.0.3'], false],
    ]);
  });
});
