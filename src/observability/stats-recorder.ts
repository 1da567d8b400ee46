/**
 * The counters behind `discovery.stats()`: filled in place as polls, lookups and probes end (no
 * allocation per event beyond a first count of a new outcome), copied out on demand together
 * with what the caller knows of the current state.
 *
 * @module
 */
import { FixedHistogram } from './histogram';
import type { DiscoveryStats, DnsRecorder, EndedLookup } from './stats';

/** RCODE names (RFC 1035, RFC 2136), by number. */
const RCODE_NAMES: readonly string[] = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

/** The name of RCODE `code` (`RCODE12` for one without a name here). */
export function rcodeName(code: number): string {
  return RCODE_NAMES[code] ?? `RCODE${code}`;
}

/** The RCODE of the response that settled a lookup with `outcome`, or `undefined` when none came. */
export function lookupRcode(outcome: string, rcode: number | undefined): string | undefined {
  if (outcome === 'answer' || outcome === 'nodata') return 'NOERROR';
  if (outcome === 'nxdomain') return 'NXDOMAIN';
  return rcode === undefined ? undefined : rcodeName(rcode);
}

/** What only the caller knows when a snapshot is taken: where the membership stands now. */
export type CurrentState = Pick<DiscoveryStats, 'at' | 'staleness' | 'members'>;

/** The mutable counters of one discovery. */
export class StatsRecorder implements DnsRecorder {
  #pollsOk = 0;
  #pollsFailed = 0;
  readonly #pollDuration = new FixedHistogram();
  readonly #byOutcome: Record<string, number> = {};
  readonly #byRcode: Record<string, number> = {};
  readonly #lookupLatency = new FixedHistogram();
  #udp = 0;
  #tcp = 0;
  #truncations = 0;
  #retries = 0;
  #probesPassed = 0;
  #probesFailed = 0;
  #reportsAnswered = 0;
  #reportsFailed = 0;

  /** {@inheritDoc DnsRecorder.message} */
  message(transport: 'udp' | 'tcp', truncated: boolean): void {
    if (transport === 'udp') this.#udp++;
    else this.#tcp++;
    if (truncated && transport === 'udp') this.#truncations++;
  }

  /** {@inheritDoc DnsRecorder.lookup} */
  lookup(result: EndedLookup): void {
    const { outcome } = result;
    this.#byOutcome[outcome] = (this.#byOutcome[outcome] ?? 0) + 1;
    const name = lookupRcode(outcome, result.rcode);
    if (name !== undefined) this.#byRcode[name] = (this.#byRcode[name] ?? 0) + 1;
    this.#lookupLatency.observe(result.durationMs);
  }

  /** A poll ended. */
  poll(ok: boolean, durationMs: number): void {
    if (ok) this.#pollsOk++;
    else this.#pollsFailed++;
    this.#pollDuration.observe(durationMs);
  }

  /** A source was tried again within a poll. */
  retry(): void {
    this.#retries++;
  }

  /** A readiness probe ended. */
  readinessProbe(passed: boolean): void {
    if (passed) this.#probesPassed++;
    else this.#probesFailed++;
  }

  /** A peer was asked for its cluster report. */
  bootstrapProbe(answered: boolean): void {
    if (answered) this.#reportsAnswered++;
    else this.#reportsFailed++;
  }

  /** The counters now, with `current`; frozen, detached from the recorder. */
  snapshot(current: CurrentState): DiscoveryStats {
    return Object.freeze({
      at: current.at,
      polls: Object.freeze({ ok: this.#pollsOk, failed: this.#pollsFailed }),
      pollDurationMs: this.#pollDuration.snapshot(),
      lookups: Object.freeze({ byOutcome: Object.freeze({ ...this.#byOutcome }), byRcode: Object.freeze({ ...this.#byRcode }) }),
      lookupLatencyMs: this.#lookupLatency.snapshot(),
      messages: Object.freeze({ udp: this.#udp, tcp: this.#tcp }),
      truncations: this.#truncations,
      retries: this.#retries,
      staleness: current.staleness,
      members: current.members,
      probes: Object.freeze({
        readiness: Object.freeze({ passed: this.#probesPassed, failed: this.#probesFailed }),
        bootstrap: Object.freeze({ answered: this.#reportsAnswered, failed: this.#reportsFailed }),
      }),
    });
  }
}
