/**
 * Which SRV targets must be looked up this poll, and which addresses are already known: pure
 * decisions over what the SRV answer carried (its glue), what earlier polls learned (the
 * remembered addresses of each target), and the Service's own address set.
 *
 * A remembered address is trusted only while the Service's address set still holds it and no
 * other target claims it; when the set holds an address no target claims, some remembered
 * address is stale (a pod moved while another took its old address), and every remembered
 * target is looked up again. So an unchanged Service costs no target lookups, and every change
 * is seen by the next poll.
 *
 * @module
 */
import type { AddressRecord } from '../dns/types';

/** What the poll knows before looking anything up. */
export interface PlanInput {
  /** The SRV targets, absolute. */
  readonly targets: readonly string[];
  /** Addresses the SRV answer's additional section gave, by target. */
  readonly glue: ReadonlyMap<string, readonly AddressRecord[]>;
  /** Addresses earlier polls found, by target. */
  readonly remembered: ReadonlyMap<string, readonly AddressRecord[]>;
  /** The Service's address set (A, and AAAA when asked), or `undefined` when it could not be read. */
  readonly serviceAddresses: ReadonlySet<string> | undefined;
}

/** The first plan of a poll. */
export interface TargetPlan {
  /** Addresses settled by this answer's glue, by target. */
  readonly fromGlue: ReadonlyMap<string, readonly AddressRecord[]>;
  /** Remembered addresses that still check out, by target (provisional until {@link recheck}). */
  readonly remembered: ReadonlyMap<string, readonly AddressRecord[]>;
  /** Targets to look up now. */
  readonly lookUp: readonly string[];
}

/** Plan the poll: glue first, then remembered addresses that the Service's set confirms, else a lookup. */
export function planTargets(input: PlanInput): TargetPlan {
  const fromGlue = new Map<string, readonly AddressRecord[]>();
  const candidates = new Map<string, readonly AddressRecord[]>();
  const lookUp: string[] = [];
  for (const target of input.targets) {
    const glue = input.glue.get(target);
    if (glue) {
      fromGlue.set(target, glue);
      continue;
    }
    const known = input.remembered.get(target);
    const set = input.serviceAddresses;
    if (known && set && known.length > 0 && known.every((record) => set.has(record.address))) candidates.set(target, known);
    else lookUp.push(target);
  }
  const claims = claimCounts([fromGlue, candidates]);
  const remembered = new Map<string, readonly AddressRecord[]>();
  for (const [target, records] of candidates) {
    if (records.some((record) => (claims.get(record.address) ?? 0) > 1)) lookUp.push(target);
    else remembered.set(target, records);
  }
  return { fromGlue, remembered, lookUp };
}

/**
 * After the lookups: the remembered targets to look up as well, because an address they claim
 * was found for another target (an address reused by another pod), or because the Service's set
 * holds an address that no target claims and nothing else `explains` (a remembered address is
 * stale, and which one cannot be told). Empty when every remembered address still checks out.
 */
export function recheck(
  plan: TargetPlan,
  found: ReadonlyMap<string, readonly AddressRecord[]>,
  serviceAddresses: ReadonlySet<string> | undefined,
  explained: ReadonlySet<string> = new Set(),
): string[] {
  if (plan.remembered.size === 0) return [];
  const claims = claimCounts([found]);
  const stale = serviceAddresses && [...serviceAddresses].some((address) => !claims.has(address) && !explained.has(address));
  const trusted = [...plan.remembered].filter(([target]) => found.get(target) === plan.remembered.get(target));
  if (stale) return trusted.map(([target]) => target);
  return trusted.filter(([, records]) => records.some((record) => (claims.get(record.address) ?? 0) > 1)).map(([target]) => target);
}

/** Addresses of the Service's set that no target of `found` claims. */
export function unclaimed(serviceAddresses: ReadonlySet<string>, found: readonly ReadonlyMap<string, readonly AddressRecord[]>[]): string[] {
  const claims = claimCounts(found);
  return [...serviceAddresses].filter((address) => !claims.has(address));
}

function claimCounts(maps: readonly ReadonlyMap<string, readonly AddressRecord[]>[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const map of maps) {
    for (const records of map.values()) {
      for (const record of records) counts.set(record.address, (counts.get(record.address) ?? 0) + 1);
    }
  }
  return counts;
}
