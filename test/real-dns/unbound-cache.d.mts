/** Types of unbound-cache.mjs (plain JavaScript, like the BIND harness). */

/** Options of {@link startUnbound}. */
export interface UnboundCacheOptions {
  /** `127.0.0.1:port` of the upstream (the BIND harness, or a faulty proxy in front of it). */
  readonly upstream: string;
  /** The zones sent to the upstream (stub zones). Default: `cluster.local`, `in-addr.arpa`, `ip6.arpa`. */
  readonly zones?: readonly string[];
  /** `cache-max-ttl`. Default: 86400 (Unbound's own): answers are kept for their TTL. */
  readonly cacheMaxTtl?: number;
  /**
   * `infra-cache-max-rtt`, in ms: the longest Unbound waits for the upstream before it gives up
   * on a query (its retransmission timeout backs off up to this). Default: 1000 (Unbound's own
   * is 120000). Too low and a large answer over TCP from a busy upstream counts as a timeout.
   */
  readonly infraCacheMaxRttMs?: number;
  /** `infra-host-ttl`, in seconds: how long an upstream that failed is remembered as down. Default: 2. */
  readonly infraHostTtl?: number;
  /** `verbosity`. Default: 1 (errors and the SERVFAIL reasons, `log-servfail`). */
  readonly verbosity?: number;
}

/** A running Unbound. */
export interface UnboundCache {
  /** Always `127.0.0.1`. */
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `127.0.0.1:port`: what the `nameservers` option takes. */
  readonly nameserver: string;
  /** Unbound's version, from `unbound -V`, e.g. `1.17.1`. */
  readonly version: string;
  readonly upstream: string;
  readonly zones: readonly string[];
  /** Its unbound.conf. */
  readonly config: string;
  /** Its last lines of output (stderr and stdout). */
  readonly log: string;
  /** Stop it (SIGTERM, then SIGKILL after 5 s) and remove its directory. Idempotent. */
  close(): Promise<void>;
}

/** The unbound.conf of one instance. */
export function renderUnboundConf(settings: {
  readonly directory: string;
  readonly port: number;
  readonly upstream: string;
  readonly zones: readonly string[];
  readonly cacheMaxTtl: number;
  readonly infraCacheMaxRttMs: number;
  readonly infraHostTtl: number;
  readonly verbosity: number;
}): string;

/**
 * Start Unbound (`/usr/sbin/unbound`) on a free port of 127.0.0.1, caching, with a stub zone per
 * zone pointing at `upstream`, everything else REFUSED. Resolves once an SOA query of the first
 * zone is answered through the upstream; rejects (with how to install it) when Unbound is
 * missing, and with its last lines when it does not come up within 20 s.
 */
export function startUnbound(options: UnboundCacheOptions): Promise<UnboundCache>;
