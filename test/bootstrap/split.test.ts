/**
 * detectSplit: the groups members form by the cluster they report, and the deterministic loser:
 * the same from every pod that sees the same reports, never the seed's group.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectSplit } from '../../src/bootstrap/split';
import type { ClusterReport } from '../../src/bootstrap/types';

const context = { seedHost: 'kv-0.kv.default.svc.cluster.local' };
const of = (entries: Record<string, ClusterReport | null>): Map<string, ClusterReport | null> => new Map(Object.entries(entries));

describe('detectSplit', () => {
  it('finds no split while every member that names a cluster names the same one', () => {
    expect(detectSplit(of({}), context)).toBeNull();
    expect(detectSplit(of({ 'kv-0': { clusterId: 'c1' }, 'kv-1': { clusterId: 'c1' }, 'kv-2': null, 'kv-3': {} }), context)).toBeNull();
  });

  it('the group with the seed wins, whatever the sizes', () => {
    const split = detectSplit(of({ 'kv-0': { clusterId: 'b' }, 'kv-1': { clusterId: 'a' }, 'kv-2': { clusterId: 'a' }, 'kv-3': { clusterId: 'a' } }), context);
    expect(split?.winner).toEqual({ clusterId: 'b', members: ['kv-0'] });
    expect(split?.losers).toEqual([{ clusterId: 'a', members: ['kv-1', 'kv-2', 'kv-3'] }]);
    expect(split?.reason).toBe('members report 2 clusters: b (kv-0), a (kv-1, kv-2, kv-3); b wins because it has the seed kv-0, so a loses');
  });

  it('without the seed in a group, the group with the lowest ordinal wins (kv-10 after kv-9: ordinals, not text)', () => {
    const split = detectSplit(of({ 'kv-10': { clusterId: 'x' }, 'kv-9': { clusterId: 'y' }, 'kv-11': { clusterId: 'x' }, 'kv-0': null }), context);
    expect(split?.winner).toEqual({ clusterId: 'y', members: ['kv-9'] });
    expect(split?.losers).toEqual([{ clusterId: 'x', members: ['kv-10', 'kv-11'] }]);
    expect(split?.reason).toContain('lowest ordinal (kv-9)');
  });

  it('ranks three clusters, members without an ordinal after those with one', () => {
    const split = detectSplit(of({ 'other-pod': { clusterId: 'p' }, 'kv-4': { clusterId: 'q' }, 'kv-2': { clusterId: 'r' }, 'kv-0': { clusterId: 'q' } }), context);
    expect(split?.groups.map((group) => group.clusterId)).toEqual(['q', 'r', 'p']);
    expect(split?.winner.members).toEqual(['kv-0', 'kv-4']);
    expect(split?.reason).toContain('r, p lose');
    expect(split?.losers.map((group) => group.members)).toEqual([['kv-2'], ['other-pod']]);
  });

  it('the seed follows ordinalStart: with db-10 as the seed, db-10 wins over db-0', () => {
    const split = detectSplit(of({ 'db-0': { clusterId: 'a' }, 'db-10': { clusterId: 'b' } }), { seedHost: 'db-10.db.default.svc.cluster.local' });
    expect(split?.winner.clusterId).toBe('b');
  });
});

const podArb = fc.oneof(
  fc.integer({ min: 0, max: 12 }).map((ordinal) => `kv-${ordinal}`),
  fc.constantFrom('kv', 'other-0', 'kv-01'),
);
const reportsArb = fc.dictionary(podArb, fc.option(fc.record({ clusterId: fc.constantFrom('c1', 'c2', 'c3', 'c4') }, { requiredKeys: [] }), { nil: null }), {
  maxKeys: 10,
});

describe('split properties', () => {
  it('every pod that sees the same reports (the peers\' in any order, then its own) names the same winner and losers', () => {
    const scenario = reportsArb.chain((answers) => {
      const entries = Object.entries(answers);
      return fc.tuple(fc.constant(entries), fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }));
    });
    fc.assert(
      fc.property(scenario, ([entries, shuffled]) => {
        const reference = detectSplit(new Map(entries), context);
        for (const [observer, own] of entries) {
          // What `observer` builds: the answers of its peers as they came, then its own report.
          const seen = new Map([...shuffled.filter(([name]) => name !== observer), [observer, own] as const]);
          expect(detectSplit(seen, context)).toEqual(reference);
        }
      }),
    );
  });

  it('the loser never contains the seed when the seed is in a group; every member is in exactly one group', () => {
    fc.assert(
      fc.property(reportsArb, (answers) => {
        const split = detectSplit(new Map(Object.entries(answers)), context);
        const clusters = new Set(Object.values(answers).flatMap((report) => (report?.clusterId ? [report.clusterId] : [])));
        if (clusters.size < 2) {
          expect(split).toBeNull();
          return;
        }
        expect(split).not.toBeNull();
        const { winner, losers, groups } = split!;
        expect(groups).toEqual([winner, ...losers]);
        expect(losers.length).toBe(clusters.size - 1);
        for (const loser of losers) expect(loser.members).not.toContain('kv-0');
        if (answers['kv-0']?.clusterId) expect(winner.clusterId).toBe(answers['kv-0'].clusterId);
        const grouped = groups.flatMap((group) => group.members).sort();
        expect(grouped).toEqual(Object.entries(answers).flatMap(([name, report]) => (report?.clusterId ? [name] : [])).sort());
      }),
    );
  });
});
