/**
 * What the latest poll asked DNS and what came back, read from the lookup channel the library
 * publishes on (`headless-discovery:dns:lookup`, `node:diagnostics_channel`), as any user can.
 * `watch` shows it when the membership is empty, so "0 peers" comes with the query that found
 * nobody and its answer (NXDOMAIN, NODATA, a timeout, …). A lookup counts for the poll in flight
 * when it is published; lookups that end while no poll runs (usually those of the library's own
 * diagnosis of an empty membership, reported as an `error` event instead) are left out.
 *
 * @module
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { LOOKUP_CHANNEL, type PollingState } from '../index';

/** One lookup of a poll: the question and how it came out. */
export interface SeenLookup {
  readonly type: string;
  /** Absolute, with its trailing dot. */
  readonly name: string;
  /** `answer`, `nodata`, `nxdomain`, `servfail`, `refused`, `rcode`, `timeout` or `network-error`. */
  readonly outcome: string;
  /** How many records answered (0 for anything but `answer`). */
  readonly records: number;
  /** The RCODE of an `rcode` outcome. */
  readonly rcode: number | undefined;
}

/** `NXDOMAIN (no such name)`, `3 records`, … */
export function outcomeText(lookup: SeenLookup): string {
  switch (lookup.outcome) {
    case 'answer':
      return `${lookup.records} ${lookup.records === 1 ? 'record' : 'records'}`;
    case 'nodata':
      return `NODATA (the name exists, with no ${lookup.type} record)`;
    case 'nxdomain':
      return 'NXDOMAIN (no such name)';
    case 'timeout':
      return 'no answer (timed out)';
    case 'network-error':
      return 'network error';
    case 'rcode':
      return `RCODE ${String(lookup.rcode)}`;
    default:
      return lookup.outcome.toUpperCase();
  }
}

/** `SRV _mysql._tcp.mysql.default.svc.cluster.local. → NXDOMAIN (no such name)` */
export function lookupText(lookup: SeenLookup): string {
  return `${lookup.type} ${lookup.name} → ${outcomeText(lookup)}`;
}

/** A lookup in NDJSON records. */
export function lookupRecord(lookup: SeenLookup): Record<string, unknown> {
  return { type: lookup.type, name: lookup.name, outcome: lookup.outcome, records: lookup.records };
}

function toSeen(message: unknown): SeenLookup | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { type, name, outcome, answers, rcode } = message as Record<string, unknown>;
  if (typeof type !== 'string' || typeof name !== 'string' || typeof outcome !== 'string') return undefined;
  return { type, name, outcome, records: Array.isArray(answers) ? answers.length : 0, rcode: typeof rcode === 'number' ? rcode : undefined };
}

/** The lookups of the latest poll that made any; subscribed until {@link PollLookups.close}. */
export class PollLookups {
  readonly #polling: () => PollingState;
  readonly #listener = (message: unknown): void => this.#record(message);
  #poll: number | null = null;
  #lookups = new Map<string, SeenLookup>();

  /** Follow the polls `polling()` tells about (a discovery's `polling`). */
  constructor(polling: () => PollingState) {
    this.#polling = polling;
    subscribe(LOOKUP_CHANNEL, this.#listener);
  }

  /** The latest poll's lookups, in the order they ended (each question once, its latest answer). */
  get last(): readonly SeenLookup[] {
    return [...this.#lookups.values()];
  }

  /** Stop listening. */
  close(): void {
    unsubscribe(LOOKUP_CHANNEL, this.#listener);
  }

  #record(message: unknown): void {
    const { inFlight, lastStartedAt } = this.#polling();
    const seen = toSeen(message);
    if (!inFlight || seen === undefined) return;
    if (lastStartedAt !== this.#poll) {
      this.#poll = lastStartedAt;
      this.#lookups = new Map();
    }
    this.#lookups.set(`${seen.type} ${seen.name}`, seen);
  }
}
