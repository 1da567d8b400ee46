/**
 * The target plan as pure functions, by property: over random changes to a Service (restarts,
 * addresses taken over by other pods, pods that leave, join or come back), the plan of the next
 * poll, its lookups and its re-check end at the truth; an unchanged Service costs no lookup.
 * The one change it cannot see is pods trading addresses among themselves in one interval (the
 * Service's set is the same before and after): the property names it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AddressRecord } from '../../src/dns/types';
import { planTargets, recheck } from '../../src/sources/target-plan';

type Truth = ReadonlyMap<string, readonly AddressRecord[]>;

const record = (address: string): AddressRecord => ({ type: 'A', name: 'x.', ttl: 5, address });
const targetName = (index: number): string => `pod-${index}.svc.`;

/** One poll of the plan against `after`, remembering `before`; what it found and how many lookups it made. */
function poll(before: Truth, after: Truth): { found: Map<string, readonly AddressRecord[]>; lookups: number; trusted: string[] } {
  const serviceAddresses = new Set([...after.values()].flatMap((records) => records.map((entry) => entry.address)));
  const plan = planTargets({ targets: [...after.keys()], glue: new Map(), remembered: before, serviceAddresses });
  const lookUp = (targets: readonly string[]): Map<string, readonly AddressRecord[]> =>
    new Map(targets.flatMap((target) => (after.has(target) ? [[target, after.get(target) as readonly AddressRecord[]]] : [])));
  const first = lookUp(plan.lookUp);
  const found = new Map([...plan.fromGlue, ...plan.remembered, ...first]);
  const again = recheck(plan, found, serviceAddresses);
  for (const [target, records] of lookUp(again)) found.set(target, records);
  const trusted = [...plan.remembered.keys()].filter((target) => !again.includes(target));
  return { found, lookups: plan.lookUp.length + again.length, trusted };
}

/** A change of a Service between two polls. */
const change = fc.oneof(
  fc.record({ kind: fc.constant('restart' as const), pod: fc.nat(11) }),
  fc.record({ kind: fc.constant('take-over' as const), pod: fc.nat(11), from: fc.nat(11) }),
  fc.record({ kind: fc.constant('leave' as const), pod: fc.nat(11) }),
  fc.record({ kind: fc.constant('join' as const), pod: fc.nat(11) }),
);

function apply(start: Truth, changes: ReadonlyArray<{ kind: string; pod: number; from?: number }>, fresh: () => string): Map<string, readonly AddressRecord[]> {
  const next = new Map(start);
  for (const step of changes) {
    const pod = targetName(step.pod);
    if (step.kind === 'restart' && next.has(pod)) next.set(pod, [record(fresh())]);
    if (step.kind === 'leave') next.delete(pod);
    if (step.kind === 'join' && !next.has(pod)) next.set(pod, [record(fresh())]);
    if (step.kind === 'take-over' && step.from !== undefined && step.from !== step.pod && next.has(pod)) {
      // `pod` restarts and gets the address `from` had; `from` restarts elsewhere (if it is there).
      const from = targetName(step.from);
      const taken = next.get(from);
      if (taken) {
        next.set(from, [record(fresh())]);
        next.set(pod, taken);
      }
    }
  }
  return next;
}

function start(size: number): Map<string, readonly AddressRecord[]> {
  return new Map(Array.from({ length: size }, (_, index) => [targetName(index), [record(`10.0.0.${index + 1}`)]]));
}

describe('planTargets and recheck', () => {
  it('cost no lookup when nothing changed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), (size) => {
        const truth = start(size);
        const { found, lookups } = poll(truth, truth);
        expect(lookups).toBe(0);
        expect(found).toEqual(truth);
      }),
    );
  });

  it('find the truth after any change, unless pods only traded addresses among the targets they trusted', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(change, { minLength: 1, maxLength: 6 }), (size, changes) => {
        let counter = 100;
        const fresh = (): string => `10.0.1.${counter++}`;
        const before = start(size);
        const after = apply(before, changes, fresh);
        const { found, trusted } = poll(before, after);
        if (JSON.stringify([...found].sort()) === JSON.stringify([...after].sort())) return;
        // The blind spot: the trusted targets' addresses are the same set before and after,
        // only assigned differently (an exchange of addresses), so nothing in DNS tells.
        const addresses = (truth: Truth): string[] => trusted.flatMap((target) => (truth.get(target) ?? []).map((entry) => entry.address)).sort();
        expect(addresses(after)).toEqual(addresses(before));
        expect(trusted.some((target) => JSON.stringify(after.get(target)) !== JSON.stringify(before.get(target)))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('see a pod that moved while another took its address (the set holds an address nobody claims)', () => {
    const before = start(3);
    const after = new Map(before);
    after.set(targetName(1), [record('10.0.9.9')]);
    after.set(targetName(2), before.get(targetName(1)) as readonly AddressRecord[]);
    expect(poll(before, after).found).toEqual(after);
  });
});
