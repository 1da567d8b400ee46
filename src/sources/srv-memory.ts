/**
 * What the SRV source learns about a Service from one poll to the next: each target's addresses,
 * the names of addresses beyond what an SRV answer can list, whether the Service has IPv6, and
 * whether its SRV answers carry every target's addresses. Everything here is checked against
 * the next answers before it is used (see `target-plan.ts`), so it can be shared: every source
 * of the same Service over the same DNS servers in this process shares one memory, and a fresh
 * `discover()` starts from what the last one learned.
 *
 * @module
 */
import type { AddressRecord } from '../dns/types';

/** Memories kept per process (least recently created dropped first). */
const MAX_MEMORIES = 256;

/** What one Service's SRV source remembers. */
export interface SrvMemory {
  /** Each target's addresses at the last poll (last-known ones for a target that did not resolve). */
  targets: ReadonlyMap<string, readonly AddressRecord[]>;
  /** Targets whose lookup failed or came back empty last poll: looked up again, not trusted. */
  unresolved: ReadonlySet<string>;
  /** Names (PTR) of addresses the last SRV answer could not list, by address; `null`: no name. */
  overflow: ReadonlyMap<string, string | null>;
  /** Whether the Service's AAAA had records when last asked; `undefined` before that. */
  serviceHasIpv6: boolean | undefined;
  /** The last SRV answer carried the addresses of every target (then the Service's set is not asked). */
  glueComplete: boolean;
}

const memories = new Map<string, SrvMemory>();

/** A fresh memory: nothing known. */
export function emptyMemory(): SrvMemory {
  return { targets: new Map(), unresolved: new Set(), overflow: new Map(), serviceHasIpv6: undefined, glueComplete: false };
}

/** The memory shared under `key`, or a new one; `undefined` keys get a memory of their own. */
export function srvMemory(key: string | undefined): SrvMemory {
  if (key === undefined) return emptyMemory();
  let memory = memories.get(key);
  if (!memory) {
    if (memories.size >= MAX_MEMORIES) memories.delete(memories.keys().next().value as string);
    memory = emptyMemory();
    memories.set(key, memory);
  }
  return memory;
}
