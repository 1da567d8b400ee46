/**
 * The reconcile step, with property tests over random sequences of observations and failures.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LookupError } from '../../src/errors';
import type { MembershipContext } from '../../src/membership/identity';
import { emptyMembership, reconcile } from '../../src/membership/reconcile';
import type { Membership } from '../../src/membership/types';
import type { Observation, ObservedEndpoint } from '../../src/sources/observation';

const context: MembershipContext = {
  statefulSet: 'web',
  ordinalStart: 2,
  podName: 'web-3',
  serviceDomain: 'web.default.svc.cluster.local',
};

const pod = (ordinal: number, address: string, port = 7000): ObservedEndpoint => ({
  host: `web-${ordinal}.web.default.svc.cluster.local`,
  addresses: [address],
  port,
});

const seen = (...endpoints: ObservedEndpoint[]): Observation => ({ ok: true, source: 'srv', endpoints, ttl: 5, queries: 1 });
const failed: Observation = {
  ok: false,
  source: 'srv',
  error: new LookupError('ERR_DNS_TIMEOUT', '_p._tcp.web.default.svc.cluster.local.', 'SRV', 'timed out'),
  queries: 2,
};

describe('reconcile', () => {
  it('starts empty, with the seed host known', () => {
    const empty = emptyMembership(context);
    expect(empty).toMatchObject({ peers: [], seed: null, self: null, epoch: 0, stale: false, source: null });
    expect(empty.seedHost).toBe('web-2.web.default.svc.cluster.local');
  });

  it('reports joins, the seed and self on the first observation', () => {
    const step = reconcile(emptyMembership(context), seen(pod(3, '10.0.0.3'), pod(2, '10.0.0.2')), context, 1000);
    expect(step.diff.joined.map((peer) => peer.name)).toEqual(['web-2', 'web-3']);
    expect(step.seedChanged).toBe(true);
    expect(step.previousSeed).toBeNull();
    expect(step.membership).toMatchObject({ epoch: 1, stale: false, source: 'srv', updatedAt: 1000 });
    expect(step.membership.seed?.name).toBe('web-2');
    expect(step.membership.self?.name).toBe('web-3');
  });

  it('keeps every peer on a failure and marks the membership stale from the first failure on', () => {
    const first = reconcile(emptyMembership(context), seen(pod(2, '10.0.0.2')), context, 1000).membership;
    const down = reconcile(first, failed, context, 2000);
    const stillDown = reconcile(down.membership, failed, context, 3000);
    expect(down.diff).toEqual({ joined: [], left: [], updated: [] });
    expect(down.membership.peers).toBe(first.peers);
    expect(down.membership).toMatchObject({ stale: true, staleSince: 2000, epoch: 1, updatedAt: 1000 });
    expect(stillDown.membership.staleSince).toBe(2000);
    const back = reconcile(stillDown.membership, seen(pod(2, '10.0.0.2')), context, 4000);
    expect(back.membership).toMatchObject({ stale: false, staleSince: null, epoch: 1, updatedAt: 4000 });
    expect(back.diff.joined).toEqual([]);
  });

  it('turns a new IP for the same pod into an update', () => {
    const first = reconcile(emptyMembership(context), seen(pod(2, '10.0.0.2')), context, 1).membership;
    const step = reconcile(first, seen(pod(2, '10.0.0.99')), context, 2);
    expect(step.diff.joined).toEqual([]);
    expect(step.diff.left).toEqual([]);
    expect(step.diff.updated.map(({ peer, previous }) => [peer.addresses, previous.addresses])).toEqual([[['10.0.0.99'], ['10.0.0.2']]]);
    expect(step.membership.epoch).toBe(2);
  });

  it('treats an empty observation (NXDOMAIN) as everyone gone, and freezes snapshots', () => {
    const first = reconcile(emptyMembership(context), seen(pod(2, '10.0.0.2')), context, 1).membership;
    const step = reconcile(first, seen(), context, 2);
    expect(step.diff.left.map((peer) => peer.name)).toEqual(['web-2']);
    expect(step.membership.seed).toBeNull();
    expect(Object.isFrozen(step.membership)).toBe(true);
    expect(Object.isFrozen(first.peers)).toBe(true);
    expect(Object.isFrozen(first.peers[0])).toBe(true);
    expect(Object.isFrozen(first.peers[0]?.addresses)).toBe(true);
  });
});

// ---- properties ----------------------------------------------------------------------------

const endpointArb = fc.record({
  ordinal: fc.integer({ min: 0, max: 8 }),
  address: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3', 'fd00::1'),
  port: fc.constantFrom(7000, 7001),
});
const observationArb: fc.Arbitrary<Observation> = fc.oneof(
  { weight: 4, arbitrary: fc.array(endpointArb, { maxLength: 6 }).map((list) => seen(...list.map((e) => pod(e.ordinal, e.address, e.port)))) },
  { weight: 1, arbitrary: fc.constant(failed) },
);

function run(observations: readonly Observation[]): { states: Membership[]; steps: ReturnType<typeof reconcile>[] } {
  const states = [emptyMembership(context)];
  const steps: ReturnType<typeof reconcile>[] = [];
  observations.forEach((observation, index) => {
    const step = reconcile(states[states.length - 1] as Membership, observation, context, index + 1);
    steps.push(step);
    states.push(step.membership);
  });
  return { states, steps };
}

const names = (membership: Membership): string[] => membership.peers.map((peer) => peer.name);

describe('reconcile properties', () => {
  it('a failed observation never changes the peers', () => {
    fc.assert(
      fc.property(fc.array(observationArb, { maxLength: 12 }), (observations) => {
        const { states, steps } = run(observations);
        observations.forEach((observation, index) => {
          if (observation.ok) return;
          expect(states[index + 1]?.peers).toBe(states[index]?.peers);
          expect(steps[index]?.diff.left).toEqual([]);
          expect(states[index + 1]?.stale).toBe(true);
        });
      }),
    );
  });

  it('diffs compose: replaying the joins and leaves of each step gives the final peers', () => {
    fc.assert(
      fc.property(fc.array(observationArb, { maxLength: 12 }), (observations) => {
        const { states, steps } = run(observations);
        const members = new Set<string>();
        for (const step of steps) {
          for (const peer of step.diff.left) expect(members.delete(peer.name)).toBe(true);
          for (const peer of step.diff.joined) {
            expect(members.has(peer.name)).toBe(false);
            members.add(peer.name);
          }
        }
        expect([...members].sort()).toEqual(names(states[states.length - 1] as Membership).sort());
      }),
    );
  });

  it('re-applying an observation changes nothing', () => {
    fc.assert(
      fc.property(fc.array(observationArb, { maxLength: 8 }), observationArb, (history, observation) => {
        const { states } = run([...history, observation]);
        const last = states[states.length - 1] as Membership;
        const again = reconcile(last, observation, context, 999);
        expect(again.diff).toEqual({ joined: [], left: [], updated: [] });
        expect(again.seedChanged).toBe(false);
        expect(again.membership.epoch).toBe(last.epoch);
        expect(again.membership.peers).toBe(last.peers);
      }),
    );
  });

  it('identity survives address changes: same pods with new IPs are updates only', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 6 }), (ordinals) => {
        const before = seen(...ordinals.map((n) => pod(n, `10.1.0.${n}`)));
        const after = seen(...ordinals.map((n) => pod(n, `10.2.0.${n}`)));
        const { states } = run([before]);
        const step = reconcile(states[1] as Membership, after, context, 5);
        expect(step.diff.joined).toEqual([]);
        expect(step.diff.left).toEqual([]);
        expect(step.diff.updated).toHaveLength(ordinals.length);
      }),
    );
  });

  it('peers stay sorted and unique; the seed is the ordinalStart peer; epoch grows exactly on change', () => {
    fc.assert(
      fc.property(fc.array(observationArb, { maxLength: 12 }), (observations) => {
        const { states, steps } = run(observations);
        steps.forEach((step, index) => {
          const { membership } = step;
          const ordinals = membership.peers.map((peer) => peer.ordinal ?? Infinity);
          expect(ordinals).toEqual([...ordinals].sort((a, b) => a - b));
          expect(new Set(names(membership)).size).toBe(membership.peers.length);
          expect(membership.seed).toBe(membership.peers.find((peer) => peer.ordinal === context.ordinalStart) ?? null);
          expect(membership.self).toBe(membership.peers.find((peer) => peer.name === context.podName) ?? null);
          const changed = step.diff.joined.length + step.diff.left.length + step.diff.updated.length > 0 || step.seedChanged;
          expect(membership.epoch).toBe((states[index] as Membership).epoch + (changed ? 1 : 0));
        });
      }),
    );
  });

  it('once observations settle, the membership equals the last observation', () => {
    fc.assert(
      fc.property(fc.array(observationArb, { maxLength: 10 }), fc.array(endpointArb, { maxLength: 6 }), (history, truth) => {
        const final = seen(...truth.map((e) => pod(e.ordinal, e.address, e.port)));
        const { states } = run([...history, final, failed]);
        const expected = [...new Set(truth.map((e) => `web-${e.ordinal}`))].sort();
        expect(names(states[states.length - 1] as Membership).sort()).toEqual(expected);
      }),
    );
  });
});
