/**
 * decideBootstrap: table-driven scenarios (first boot, ordered boot, seed restarts, scaling,
 * ordinalStart ≠ 0, a seed gone for good) and properties over random memberships and reports.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideBootstrap, type BootstrapDecision, type BootstrapInput, type ClusterReport } from '../../src/bootstrap/decide';
import { LookupError } from '../../src/errors';
import { DEFAULT_POLICY } from '../../src/config/defaults';
import { initialState, reconcile } from '../../src/membership/reconcile';
import type { Membership } from '../../src/membership/types';
import type { Observation } from '../../src/membership/observation';

const DOMAIN = 'mysql.default.svc.cluster.local';

interface View {
  readonly ready?: readonly string[];
  readonly stale?: boolean;
  readonly ordinalStart?: number;
  readonly statefulSet?: string;
}

/** The membership a discovery would hold after seeing `pods` (all ready unless `ready` says otherwise). */
function view(pods: readonly string[], options: View = {}): Membership {
  const context = { statefulSet: options.statefulSet ?? 'mysql', ordinalStart: options.ordinalStart ?? 0, podName: 'observer', serviceDomain: DOMAIN };
  const ready = new Set(options.ready ?? pods);
  const observation: Observation = {
    ok: true,
    source: 'srv',
    endpoints: pods.map((pod, index) => ({ host: `${pod}.${DOMAIN}`, addresses: [`10.0.0.${index + 1}`], port: 3306 })),
    queries: 1,
  };
  let state = reconcile(initialState(context, DEFAULT_POLICY), observation, (name) => ready.has(name), context, DEFAULT_POLICY, 1000).state;
  if (options.stale) {
    const failed: Observation = { ok: false, source: 'srv', error: new LookupError('ERR_DNS_TIMEOUT', 'x.', 'SRV', 'timed out'), queries: 1 };
    state = reconcile(state, failed, null, context, DEFAULT_POLICY, 2000).state;
  }
  return state.membership;
}

const reports = (entries: Record<string, ClusterReport | null>): Map<string, ClusterReport | null> => new Map(Object.entries(entries));
const brief = (decision: BootstrapDecision) => ({
  action: decision.action,
  target: decision.target?.name ?? null,
  cloneFrom: decision.cloneFrom?.name ?? null,
  replicateFrom: decision.replicateFrom?.name ?? null,
});
const decide = (membership: Membership, input: BootstrapInput) => brief(decideBootstrap(membership, input));
const all3 = ['mysql-0', 'mysql-1', 'mysql-2'];

describe('decideBootstrap scenarios', () => {
  it('first boot in parallel, DNS only: the seed waits for a probe (or initializes when told to assume), N clones from N-1, everyone replicates from the seed', () => {
    const membership = view(all3);
    const unprobed = decideBootstrap(membership, { podName: 'mysql-0', local: null });
    expect(unprobed.action).toBe('wait');
    expect(unprobed.reason).toContain('mysql-1, mysql-2 are listed too');
    expect(unprobed.reason).toContain('probe');
    expect(unprobed.reason).toContain('assumeNoCluster');
    const assumed = decideBootstrap(membership, { podName: 'mysql-0', assumeNoCluster: true });
    expect(brief(assumed)).toEqual({ action: 'initialize', target: null, cloneFrom: null, replicateFrom: null });
    expect(assumed.reason).toContain('no peer was asked');
    expect(assumed.reason).toContain('its own data was not checked');
    expect(assumed.reason).toContain('assumed that no cluster exists');
    const joining = decideBootstrap(membership, { podName: 'mysql-1' });
    expect(brief(joining)).toEqual({ action: 'join', target: 'mysql-0', cloneFrom: 'mysql-0', replicateFrom: 'mysql-0' });
    expect(joining.reason).toContain('not asked whether it holds a cluster');
    expect(decide(membership, { podName: 'mysql-2' })).toEqual({ action: 'join', target: 'mysql-0', cloneFrom: 'mysql-1', replicateFrom: 'mysql-0' });
  });

  it('DNS only, the seed alone: it initializes when its own data is known to be empty, and says what it checked', () => {
    const alone = view(['mysql-0']);
    const known = decideBootstrap(alone, { podName: 'mysql-0', local: null });
    expect(known.action).toBe('initialize');
    expect(known.reason).toBe('this pod is the seed (mysql-0), the only pod listed in DNS (no peer to ask), and its own data holds no cluster');
    const unknown = decideBootstrap(alone, { podName: 'mysql-0' });
    expect(unknown.action).toBe('wait');
    expect(unknown.reason).toContain('its own data was not checked');
    // A listed pod that is not ready (publishNotReadyAddresses) may hold data too.
    expect(decide(view(['mysql-0', 'mysql-1'], { ready: ['mysql-0'] }), { podName: 'mysql-0', local: null }).action).toBe('wait');
  });

  it('with a probe, the reason names who was asked and whether the seed\'s own data was checked', () => {
    const nobody = reports({ 'mysql-1': null, 'mysql-2': null });
    expect(decideBootstrap(view(all3), { podName: 'mysql-0', reports: nobody, local: null }).reason).toBe(
      'this pod is the seed (mysql-0); asked mysql-1, mysql-2, and none reports a cluster; its own data holds no cluster',
    );
    expect(decideBootstrap(view(all3), { podName: 'mysql-0', reports: nobody }).reason).toContain('its own data was not checked');
  });

  it('first boot in parallel, asking peers: joiners wait until the seed reports the cluster', () => {
    const membership = view(all3);
    const nobody = reports({ 'mysql-0': null, 'mysql-1': null, 'mysql-2': null });
    expect(decide(membership, { podName: 'mysql-0', reports: nobody }).action).toBe('initialize');
    const waiting = decideBootstrap(membership, { podName: 'mysql-1', reports: nobody });
    expect(waiting.action).toBe('wait');
    expect(waiting.reason).toContain('reports no cluster yet');
    const formed = reports({ 'mysql-0': { clusterId: 'c1' }, 'mysql-2': null });
    expect(decide(membership, { podName: 'mysql-1', reports: formed })).toEqual({ action: 'join', target: 'mysql-0', cloneFrom: 'mysql-0', replicateFrom: 'mysql-0' });
  });

  it('OrderedReady boot: the seed alone initializes; the next pod joins it once it is ready', () => {
    expect(decideBootstrap(view(['mysql-0']), { podName: 'mysql-0', reports: reports({}) }).reason).toContain('no other peer is ready');
    expect(decide(view(['mysql-0', 'mysql-1'], { ready: ['mysql-0'] }), { podName: 'mysql-1' })).toMatchObject({ action: 'join', target: 'mysql-0' });
    const beforeSeed = decideBootstrap(view(['mysql-1']), { podName: 'mysql-1' });
    expect(beforeSeed.action).toBe('wait');
    expect(beforeSeed.reason).toContain(`mysql-0.${DOMAIN}`);
  });

  it('a seed restarted with its data rejoins its cluster; without data it rejoins the cluster its peers report', () => {
    const membership = view(all3);
    const cluster = reports({ 'mysql-1': { clusterId: 'c1' }, 'mysql-2': { clusterId: 'c1' } });
    const withData = decideBootstrap(membership, { podName: 'mysql-0', reports: cluster, local: { clusterId: 'c1' } });
    expect(brief(withData)).toEqual({ action: 'join', target: 'mysql-1', cloneFrom: null, replicateFrom: null });
    const lostVolume = decideBootstrap(membership, { podName: 'mysql-0', reports: cluster });
    expect(brief(lostVolume)).toEqual({ action: 'join', target: 'mysql-1', cloneFrom: 'mysql-1', replicateFrom: 'mysql-1' });
    expect(lostVolume.reason).toContain('instead of forming a second one');
  });

  it('follows the primary the peers report, and says when the primary was the seed that lost its data', () => {
    const membership = view(all3);
    const orphaned = decideBootstrap(membership, { podName: 'mysql-0', reports: reports({ 'mysql-1': { clusterId: 'c1', primary: 'mysql-0' }, 'mysql-2': { clusterId: 'c1', primary: 'mysql-0' } }) });
    expect(brief(orphaned)).toEqual({ action: 'join', target: 'mysql-1', cloneFrom: 'mysql-1', replicateFrom: null });
    expect(orphaned.clusterId).toBe('c1');
    expect(orphaned.reason).toContain('failover');
    const failedOver = reports({ 'mysql-1': { clusterId: 'c1', primary: 'mysql-2' }, 'mysql-2': { clusterId: 'c1' } });
    expect(decide(membership, { podName: 'mysql-0', reports: failedOver }).replicateFrom).toBe('mysql-2');
    expect(decide(membership, { podName: 'mysql-0', reports: failedOver, local: { clusterId: 'c1' } }).replicateFrom).toBe('mysql-2');
    const newcomer = decideBootstrap(view([...all3, 'mysql-3']), { podName: 'mysql-3', reports: reports({ 'mysql-0': { clusterId: 'c1', primary: 'mysql-1' }, 'mysql-1': { clusterId: 'c1' }, 'mysql-2': { clusterId: 'c1' } }) });
    expect(brief(newcomer)).toEqual({ action: 'join', target: 'mysql-0', cloneFrom: 'mysql-2', replicateFrom: 'mysql-1' });
    expect(newcomer.clusterId).toBe('c1');
  });

  it('a seed that cannot ask every ready peer waits instead of risking a second cluster', () => {
    const decision = decideBootstrap(view(all3), { podName: 'mysql-0', reports: reports({ 'mysql-1': null }) });
    expect(decision.action).toBe('wait');
    expect(decision.reason).toContain('mysql-2');
  });

  it('scale-up: a new pod clones from the one before it; scale-down: a restarted pod clones from the nearest lower ready one', () => {
    expect(decide(view([...all3, 'mysql-3']), { podName: 'mysql-3' })).toMatchObject({ action: 'join', target: 'mysql-0', cloneFrom: 'mysql-2' });
    expect(decide(view(['mysql-0', 'mysql-1', 'mysql-2', 'mysql-3'], { ready: ['mysql-0', 'mysql-2'] }), { podName: 'mysql-3' })).toMatchObject({ cloneFrom: 'mysql-2' });
    expect(decide(view(['mysql-0', 'mysql-2'], { ready: ['mysql-0'] }), { podName: 'mysql-2' })).toMatchObject({ cloneFrom: 'mysql-0' });
  });

  it('ordinalStart = 10: db-10 is the seed; db-0 would not be', () => {
    const membership = view(['db-10', 'db-11', 'db-12'], { ordinalStart: 10, statefulSet: 'db' });
    expect(decide(membership, { podName: 'db-10', reports: reports({ 'db-11': null, 'db-12': null }) }).action).toBe('initialize');
    expect(decide(membership, { podName: 'db-12' })).toMatchObject({ action: 'join', target: 'db-10', cloneFrom: 'db-11' });
    expect(decide(membership, { podName: 'db-0' })).toMatchObject({ action: 'join', target: 'db-10' });
  });

  it('a seed gone for good: joiners wait with the seed policy, join a ready member with any-ready', () => {
    const membership = view(['mysql-1', 'mysql-2', 'mysql-3'], { ready: ['mysql-1', 'mysql-2'] });
    const cluster = reports({ 'mysql-1': { clusterId: 'c1' }, 'mysql-2': { clusterId: 'c1' } });
    expect(decide(membership, { podName: 'mysql-3', reports: cluster }).action).toBe('wait');
    expect(decide(membership, { podName: 'mysql-3', reports: cluster, joinPolicy: 'any-ready' })).toEqual({
      action: 'join',
      target: 'mysql-1',
      cloneFrom: 'mysql-2',
      replicateFrom: 'mysql-1',
    });
    expect(decide(membership, { podName: 'mysql-3', reports: reports({ 'mysql-1': null, 'mysql-2': null }), joinPolicy: 'any-ready' }).action).toBe('wait');
  });

  it('never decides on a stale or unobserved membership', () => {
    expect(decideBootstrap(view(all3, { stale: true }), { podName: 'mysql-0' })).toMatchObject({ action: 'wait' });
    expect(decideBootstrap(initialState({ statefulSet: 'mysql', ordinalStart: 0, podName: 'mysql-0', serviceDomain: DOMAIN }, DEFAULT_POLICY).membership, { podName: 'mysql-0' }).reason).toBe(
      'no successful DNS observation yet',
    );
  });
});

const podArb = fc.integer({ min: 0, max: 5 }).map((ordinal) => `mysql-${ordinal}`);
const otherArb = fc.constantFrom('other-0', 'mysql', 'mysql-01', '10-0-0-9');

describe('decideBootstrap properties', () => {
  it('without reports (and without assumeNoCluster), no membership with another ready member ever yields initialize', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(podArb, otherArb), { minLength: 1, maxLength: 7 }),
        fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
        fc.oneof(podArb, otherArb),
        fc.option(fc.option(fc.record({ clusterId: fc.constantFrom('c1', 'c2') }), { nil: null }), { nil: undefined }),
        fc.constantFrom('seed' as const, 'any-ready' as const),
        (pods, readiness, podName, local, joinPolicy) => {
          const membership = view(pods, { ready: pods.filter((_, index) => readiness[index]) });
          fc.pre(membership.ready.some((peer) => peer.name !== podName));
          const decision = decideBootstrap(membership, { podName, joinPolicy, ...(local === undefined ? {} : { local }) });
          expect(decision.action).not.toBe('initialize');
          if (decision.action === 'wait' && podName === 'mysql-0') expect(decision.reason).toContain('probe');
        },
      ),
    );
  });

  it('only the seed initializes, and only on a fresh view where nobody reports a cluster and it has no data', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(podArb, otherArb), { maxLength: 7 }),
        fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
        fc.boolean(),
        fc.oneof(podArb, otherArb),
        fc.option(fc.dictionary(fc.oneof(podArb, otherArb), fc.option(fc.record({ clusterId: fc.constantFrom('c1', 'c2') }), { nil: null }))),
        fc.option(fc.record({ clusterId: fc.constantFrom('c1', 'c2') }), { nil: null }),
        fc.constantFrom('seed' as const, 'any-ready' as const),
        (pods, readiness, stale, podName, answers, local, joinPolicy) => {
          const membership = view(pods, { ready: pods.filter((_, index) => readiness[index]), stale });
          const input: BootstrapInput = { podName, joinPolicy, local, ...(answers ? { reports: new Map(Object.entries(answers)) } : {}) };
          const decision = decideBootstrap(membership, input);
          expect(decision.reason.length).toBeGreaterThan(0);
          if (decision.action === 'initialize') {
            expect(podName).toBe('mysql-0');
            expect(stale).toBe(false);
            expect(local).toBeNull();
            const readyOthers = membership.ready.filter((peer) => peer.name !== podName);
            for (const peer of readyOthers) expect(answers?.[peer.name]?.clusterId).toBeUndefined();
            if (answers) for (const peer of readyOthers) expect(peer.name in answers).toBe(true);
            // Asking nobody, the seed initializes only as the only pod listed.
            if (!answers) expect(membership.peers.filter((peer) => peer.name !== podName)).toEqual([]);
          }
          if (decision.action === 'join' && decision.target) expect(membership.ready).toContain(decision.target);
          if (decision.cloneFrom) expect(decision.cloneFrom.name).not.toBe(podName);
        },
      ),
    );
  });

  it('no sequence of views lets two pods initialize: a simulated StatefulSet forms exactly one cluster', () => {
    type Event = { kind: 'decide'; pod: number; seen: number } | { kind: 'restart'; pod: number; keepData: boolean };
    const eventArb: fc.Arbitrary<Event> = fc.oneof(
      fc.record({ kind: fc.constant('decide' as const), pod: fc.integer({ min: 0, max: 3 }), seen: fc.integer({ min: 0, max: 15 }) }),
      fc.record({ kind: fc.constant('restart' as const), pod: fc.integer({ min: 0, max: 3 }), keepData: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
        const data: (string | null)[] = [null, null, null, null];
        const initializedBy = new Set<string>();
        let clusters = 0;
        for (const event of events) {
          const name = `mysql-${event.pod}`;
          if (event.kind === 'restart') {
            if (!event.keepData) data[event.pod] = null;
            continue;
          }
          if (data[event.pod] !== null) continue;
          // The pod sees a random subset of the pods (DNS may lag), but every pod holding data
          // that it sees answers the probe truthfully.
          const visible = data.map((_, index) => `mysql-${index}`).filter((_, index) => (event.seen >> index) & 1 || index === event.pod);
          const answers = new Map(visible.filter((pod) => pod !== name).map((pod) => [pod, data[Number(pod.slice(6))] ? { clusterId: data[Number(pod.slice(6))] as string } : null]));
          const decision = decideBootstrap(view(visible), { podName: name, reports: answers });
          const holders = data.flatMap((id, index) => (id === null ? [] : [`mysql-${index}`]));
          if (holders.length > 0 && holders.every((pod) => visible.includes(pod))) expect(decision.action).not.toBe('initialize');
          if (decision.action === 'initialize') {
            initializedBy.add(name);
            clusters += 1;
            data[event.pod] = `c${clusters}`;
          } else if (decision.action === 'join' && decision.target) {
            const target = data[Number(decision.target.name.slice(6))];
            if (target) data[event.pod] = target;
          }
          expect(initializedBy.size).toBeLessThanOrEqual(1);
          expect([...initializedBy].every((pod) => pod === 'mysql-0')).toBe(true);
        }
      }),
    );
  });
});
