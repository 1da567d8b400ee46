/**
 * `discovery.stats()`: a snapshot of what one discovery has done since it was created (polls,
 * lookups, messages, probes) and where it stands now (staleness, members by state).
 *
 * @module
 */

/** A latency histogram with fixed bucket bounds. */
export interface LatencyHistogram {
  /** Upper bounds of the buckets in ms, ascending. */
  readonly boundsMs: readonly number[];
  /** Observations per bucket (not cumulative): counts[i] ≤ boundsMs[i] (and > boundsMs[i-1]); the last entry (index boundsMs.length) counts those above every bound. */
  readonly counts: readonly number[];
  /** How many observations, in all buckets. */
  readonly count: number;
  /** The sum of every observation, in ms. */
  readonly sumMs: number;
}

/** A snapshot of one discovery's counters, histograms and current state, as `discovery.stats()` returns it. */
export interface DiscoveryStats {
  /** When the snapshot was taken (ms since the epoch). */
  readonly at: number;
  /** Polls that ended, by outcome. */
  readonly polls: {
    /** A source answered (even with nobody: NXDOMAIN is an answer). */
    readonly ok: number;
    /** Every source failed: the membership was kept, stale. */
    readonly failed: number;
  };
  /** How long each poll took, every source and retry included. */
  readonly pollDurationMs: LatencyHistogram;
  /** Lookups by outcome (e.g. answer, nxdomain, nodata, servfail, timeout, error…) and by response RCODE name (NOERROR, NXDOMAIN, SERVFAIL, REFUSED…). */
  readonly lookups: {
    /** By outcome: `answer`, `nodata`, `nxdomain`, `servfail`, `refused`, `rcode`, `timeout`, `network-error`. */
    readonly byOutcome: Readonly<Record<string, number>>;
    /** By the RCODE of the response that settled the lookup (none for a timeout or a network error). */
    readonly byRcode: Readonly<Record<string, number>>;
  };
  /** How long each lookup took, every server and attempt included. */
  readonly lookupLatencyMs: LatencyHistogram;
  /** DNS messages sent, by transport. */
  readonly messages: {
    /** UDP datagrams. */
    readonly udp: number;
    /** TCP queries. */
    readonly tcp: number;
  };
  /** UDP answers that came back truncated (TC bit set), each then asked again over TCP. */
  readonly truncations: number;
  /** Polls of a source tried again after a failure (the `retries` option). */
  readonly retries: number;
  /** Where the membership stands now. */
  readonly staleness: {
    /** A poll failed since the last success: the membership is kept as last known. */
    readonly stale: boolean;
    /** How long since a poll last succeeded (0 before the first). */
    readonly ageMs: number;
    /** When a poll last succeeded (ms since the epoch); `null`: never. */
    readonly lastSuccessAt: number | null;
  };
  /** The peers of the current membership by state. */
  readonly members: {
    /** Ready peers. */
    readonly ready: number;
    /** Peers that are not ready (draining ones included). */
    readonly notReady: number;
    /** Peers the last polls did not list that have not left yet (the leave hysteresis holds them). */
    readonly missing: number;
    /** Peers whose pod is terminating (the `kubernetes` source tells it). */
    readonly draining: number;
    /** Every peer of the membership. */
    readonly total: number;
  };
  /** Readiness probes by result, and bootstrap reports asked of peers by result. */
  readonly probes: {
    /** Readiness probes of peers (the `readiness` option). */
    readonly readiness: {
      /** Probes that passed. */
      readonly passed: number;
      /** Probes that failed (refused, timed out, answered not ready). */
      readonly failed: number;
    };
    /** Peers asked for their cluster report, by `bootstrap()` and split checks. */
    readonly bootstrap: {
      /** Peers that answered with a usable report. */
      readonly answered: number;
      /** Peers whose probe failed, timed out or answered something unusable. */
      readonly failed: number;
    };
  };
}

/**
 * What the DNS client counts for the stats of the discovery it belongs to: each message sent
 * and each lookup's end. Plain counters: the resolver calls it on every message, subscribed or not.
 */
export interface DnsRecorder {
  /** A message was sent over `transport`; `truncated`: its answer came back with TC set over UDP. */
  message(transport: 'udp' | 'tcp', truncated: boolean): void;
  /** A lookup ended (the resolver's result: its outcome, the RCODE of an error outcome, its duration). */
  lookup(result: EndedLookup): void;
}

/** What a {@link DnsRecorder} reads of a lookup's result. */
export interface EndedLookup {
  /** Absolute, with its trailing dot. */
  readonly name: string;
  readonly type: string;
  readonly outcome: string;
  readonly rcode?: number;
  readonly answers?: readonly unknown[];
  readonly durationMs: number;
}
