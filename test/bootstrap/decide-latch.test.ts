/**
 * decideBootstrap with a formed latch: a pod that has been a member of a cluster never
 * initializes again; it rejoins its cluster, resumes it when nobody is up, waits for a peer to
 * clone from when its data is gone, and waits for an operator when peers report another cluster.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideBootstrap } from '../../src/bootstrap/decide';
import type { BootstrapDecision, ClusterReport } from '../../src/bootstrap/types';
import { latch, reports, view } from './support';

const brief = (decision: BootstrapDecision) => ({
  action: decision.action,
  clusterId: decision.clusterId,
  target: decision.target?.name ?? null,
  cloneFrom: decision.cloneFrom?.name ?? null,
  replicateFrom: decision.replicateFrom?.name ?? null,
});
const all3 = ['mysql-0', 'mysql-1', 'mysql-2'];

describe('a pod with a formed latch', () => {
  it('full restart: the seed finds nobody up and resumes its cluster instead of initializing', () => {
    const alone = view(['mysql-0']);
    // Without the latch, the same seed with an empty-looking volume initializes: the latch is what stops it.
    expect(decideBootstrap(alone, { podName: 'mysql-0', reports: reports({}), local: null }).action).toBe('initialize');
    const resumed = decideBootstrap(alone, { podName: 'mysql-0', reports: reports({}), latch: latch('c1') });
    expect(brief(resumed)).toEqual({ action: 'join', clusterId: 'c1', target: null, cloneFrom: null, replicateFrom: null });
    expect(resumed.reason).toContain('formed latch says it has been a member of cluster c1');
    expect(resumed.reason).toContain('resume it from its own data as its primary');
    expect(resumed.reason).toContain('its own data was not checked');
    // Without a probe either.
    expect(brief(decideBootstrap(alone, { podName: 'mysql-0', latch: latch('c1') }))).toMatchObject({ action: 'join', clusterId: 'c1', target: null });
  });

  it('rejoins its cluster through the seed (a joiner) or a peer that reports it (the seed)', () => {
    const cluster = reports({ 'mysql-0': { clusterId: 'c1' }, 'mysql-1': { clusterId: 'c1' }, 'mysql-2': { clusterId: 'c1' } });
    expect(brief(decideBootstrap(view(all3), { podName: 'mysql-2', reports: cluster, latch: latch('c1'), local: { clusterId: 'c1' } }))).toEqual({
      action: 'join',
      clusterId: 'c1',
      target: 'mysql-0',
      cloneFrom: null,
      replicateFrom: 'mysql-0',
    });
    expect(brief(decideBootstrap(view(all3), { podName: 'mysql-0', reports: cluster, latch: latch('c1') }))).toEqual({
      action: 'join',
      clusterId: 'c1',
      target: 'mysql-1',
      cloneFrom: null,
      replicateFrom: null,
    });
  });

  it('with its data gone, clones from a peer of its cluster, or waits for one; never initializes', () => {
    const membership = view(all3);
    const cluster = reports({ 'mysql-1': { clusterId: 'c1' }, 'mysql-2': { clusterId: 'c1' } });
    const rejoin = decideBootstrap(membership, { podName: 'mysql-0', reports: cluster, latch: latch('c1'), local: null });
    expect(brief(rejoin)).toEqual({ action: 'join', clusterId: 'c1', target: 'mysql-1', cloneFrom: 'mysql-1', replicateFrom: 'mysql-1' });
    expect(rejoin.reason).toContain('its own data holds none');
    const nobody = decideBootstrap(view(['mysql-0']), { podName: 'mysql-0', reports: reports({}), latch: latch('c1'), local: null });
    expect(nobody.action).toBe('wait');
    expect(nobody.reason).toContain('never initializes again');
    const unprobed = decideBootstrap(membership, { podName: 'mysql-0', latch: latch('c1'), local: null });
    expect(unprobed.action).toBe('wait');
    expect(unprobed.reason).toContain('without a probe');
  });

  it('waits when its peers report another cluster, and when its data names another cluster than the latch', () => {
    const other = decideBootstrap(view(all3), { podName: 'mysql-0', reports: reports({ 'mysql-1': { clusterId: 'c2' }, 'mysql-2': { clusterId: 'c2' } }), latch: latch('c1') });
    expect(other.action).toBe('wait');
    expect(other.reason).toContain('mysql-1, mysql-2 report cluster c2');
    expect(other.reason).toContain('Delete the latch');
    const conflicting = decideBootstrap(view(all3), { podName: 'mysql-1', reports: reports({ 'mysql-0': { clusterId: 'c1' } }), latch: latch('c1'), local: { clusterId: 'c9' } });
    expect(conflicting.action).toBe('wait');
    expect(conflicting.reason).toContain('its own data holds cluster c9');
  });

  it('says that it read no latch when the volume holds none', () => {
    const first = decideBootstrap(view(['mysql-0']), { podName: 'mysql-0', reports: reports({}), local: null, latch: null });
    expect(first.action).toBe('initialize');
    expect(first.reason).toContain('its volume no formed latch');
  });
});

const podArb = fc.integer({ min: 0, max: 4 }).map((ordinal) => `mysql-${ordinal}`);
const reportArb: fc.Arbitrary<ClusterReport | null> = fc.option(
  fc.record({ clusterId: fc.constantFrom('c1', 'c2'), draining: fc.boolean() }, { requiredKeys: [] }),
  { nil: null },
);

describe('latch properties', () => {
  it('a pod with a latch never initializes, and a join names the latched cluster', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(podArb, { maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        podArb,
        fc.option(fc.dictionary(podArb, reportArb), { nil: undefined }),
        fc.option(fc.option(fc.record({ clusterId: fc.constantFrom('c1', 'c2') }, { requiredKeys: [] }), { nil: null }), { nil: undefined }),
        fc.constantFrom('c1', 'c2'),
        fc.boolean(),
        (pods, readiness, podName, answers, local, latched, assumeNoCluster) => {
          const membership = view(pods, { ready: pods.filter((_, index) => readiness[index]) });
          const decision = decideBootstrap(membership, {
            podName,
            latch: latch(latched),
            assumeNoCluster,
            ...(answers ? { reports: new Map(Object.entries(answers)) } : {}),
            ...(local === undefined ? {} : { local }),
          });
          expect(decision.action).not.toBe('initialize');
          if (decision.action === 'join') expect(decision.clusterId).toBe(latched);
          if (decision.target && answers) expect(answers[decision.target.name]?.clusterId).toBe(latched);
        },
      ),
    );
  });
});
