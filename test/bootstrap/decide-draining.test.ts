/**
 * decideBootstrap never chooses a draining peer: not one whose report says `draining` (its app
 * called drain()), not one the Kubernetes source sees terminating (`Peer.draining`). A draining
 * peer's report still proves that its cluster exists.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideBootstrap } from '../../src/bootstrap/decide';
import type { BootstrapDecision, BootstrapInput, ClusterReport } from '../../src/bootstrap/types';
import { latch, reports, view } from './support';

const brief = (decision: BootstrapDecision) => ({
  action: decision.action,
  target: decision.target?.name ?? null,
  cloneFrom: decision.cloneFrom?.name ?? null,
  replicateFrom: decision.replicateFrom?.name ?? null,
});
const all4 = ['mysql-0', 'mysql-1', 'mysql-2', 'mysql-3'];
const c1 = { clusterId: 'c1' };

describe('a draining peer', () => {
  it('is never the clone source: mysql-3 clones from mysql-1 while mysql-2 drains', () => {
    const membership = view(all4);
    const before = decideBootstrap(membership, { podName: 'mysql-3', reports: reports({ 'mysql-0': c1, 'mysql-1': c1, 'mysql-2': c1 }) });
    expect(brief(before)).toEqual({ action: 'join', target: 'mysql-0', cloneFrom: 'mysql-2', replicateFrom: 'mysql-0' });
    const draining = decideBootstrap(membership, { podName: 'mysql-3', reports: reports({ 'mysql-0': c1, 'mysql-1': c1, 'mysql-2': { ...c1, draining: true } }) });
    expect(brief(draining)).toEqual({ action: 'join', target: 'mysql-0', cloneFrom: 'mysql-1', replicateFrom: 'mysql-0' });
    expect(draining.reason).toContain('mysql-2 is draining');
  });

  it('is never the join target: with the seed draining, joiners wait (seed policy) or join another member (any-ready)', () => {
    const membership = view(all4);
    const answers = reports({ 'mysql-0': { ...c1, draining: true }, 'mysql-1': c1, 'mysql-2': c1 });
    const waiting = decideBootstrap(membership, { podName: 'mysql-3', reports: answers });
    expect(waiting.action).toBe('wait');
    expect(waiting.reason).toContain('is draining');
    expect(brief(decideBootstrap(membership, { podName: 'mysql-3', reports: answers, joinPolicy: 'any-ready' }))).toEqual({
      action: 'join',
      target: 'mysql-1',
      cloneFrom: 'mysql-2',
      replicateFrom: 'mysql-1',
    });
  });

  it('is never the replication source, even when the peers name it their primary', () => {
    const answers = reports({ 'mysql-0': { ...c1, primary: 'mysql-1' }, 'mysql-1': { ...c1, draining: true }, 'mysql-2': c1 });
    expect(brief(decideBootstrap(view(all4), { podName: 'mysql-3', reports: answers }))).toEqual({ action: 'join', target: 'mysql-0', cloneFrom: 'mysql-2', replicateFrom: 'mysql-0' });
  });

  it('still proves its cluster exists: a seed without data waits rather than form a second cluster', () => {
    const decision = decideBootstrap(view(['mysql-0', 'mysql-1']), { podName: 'mysql-0', reports: reports({ 'mysql-1': { ...c1, draining: true } }), local: null });
    expect(decision.action).toBe('wait');
    expect(decision.reason).toContain('already exists');
  });

  it('as the Kubernetes source sees it (terminating): never chosen, and a seed that asked nobody does not initialize next to it', () => {
    const membership = view(all4, { terminating: ['mysql-2'] });
    expect(membership.peers.find((peer) => peer.name === 'mysql-2')).toMatchObject({ draining: true, ready: false });
    expect(brief(decideBootstrap(membership, { podName: 'mysql-3' }))).toEqual({ action: 'join', target: 'mysql-0', cloneFrom: 'mysql-1', replicateFrom: 'mysql-0' });
    expect(decideBootstrap(view(['mysql-0', 'mysql-1'], { terminating: ['mysql-1'] }), { podName: 'mysql-0', local: null }).action).toBe('wait');
  });
});

const podArb = fc.integer({ min: 0, max: 5 }).map((ordinal) => `mysql-${ordinal}`);
const reportArb: fc.Arbitrary<ClusterReport | null> = fc.option(
  fc.record(
    {
      clusterId: fc.constantFrom('c1', 'c2'),
      draining: fc.boolean(),
      primary: podArb,
    },
    { requiredKeys: [] },
  ),
  { nil: null },
);

describe('draining properties', () => {
  it('no decision ever names a draining peer as target, cloneFrom or replicateFrom', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(podArb, { maxLength: 6 }),
        fc.array(fc.constantFrom('ready', 'not ready', 'terminating'), { minLength: 6, maxLength: 6 }),
        podArb,
        fc.option(fc.dictionary(podArb, reportArb), { nil: undefined }),
        fc.option(fc.option(fc.record({ clusterId: fc.constantFrom('c1', 'c2') }, { requiredKeys: [] }), { nil: null }), { nil: undefined }),
        fc.option(fc.constantFrom('c1', 'c2'), { nil: undefined }),
        fc.constantFrom('seed' as const, 'any-ready' as const),
        fc.boolean(),
        (pods, states, podName, answers, local, latched, joinPolicy, assumeNoCluster) => {
          const membership = view(pods, {
            ready: pods.filter((_, index) => states[index] === 'ready'),
            terminating: pods.filter((_, index) => states[index] === 'terminating'),
          });
          const input: BootstrapInput = {
            podName,
            joinPolicy,
            assumeNoCluster,
            ...(answers ? { reports: new Map(Object.entries(answers)) } : {}),
            ...(local === undefined ? {} : { local }),
            ...(latched === undefined ? {} : { latch: latch(latched) }),
          };
          const decision = decideBootstrap(membership, input);
          const draining = new Set([
            ...membership.peers.filter((peer) => peer.draining).map((peer) => peer.name),
            ...Object.entries(answers ?? {}).flatMap(([name, report]) => (report?.draining ? [name] : [])),
          ]);
          for (const picked of [decision.target, decision.cloneFrom, decision.replicateFrom]) {
            if (picked) expect(draining.has(picked.name), `${picked.name} is draining: ${decision.reason}`).toBe(false);
          }
          // A draining peer that reports a cluster still keeps the seed from initializing.
          if (decision.action === 'initialize' && answers) {
            for (const peer of membership.ready) if (peer.name !== podName) expect(answers[peer.name]?.clusterId).toBeUndefined();
          }
        },
      ),
    );
  });
});
