/**
 * Readiness that means membership: the verdict an app exposes as its own readinessProbe. Ready
 * only when the app has joined (its own report names a cluster), it is not on the losing side of
 * a split, it is not draining, and, after a `bootstrap({ latch })`, it has confirmed the decision
 * (so its formed latch is written). Every input is this pod's own state: the verdict never waits
 * for a peer, which is what keeps it out of the readiness chicken-and-egg.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A readiness verdict: `ready`, and one line saying why (or why not). */
export interface ReadinessVerdict {
  /** Whether this pod should receive traffic. */
  readonly ready: boolean;
  /** Why, for the probe's body, logs and operators. */
  readonly reason: string;
}

/** A group of a split, as the readiness helper reads it (`SplitGroup`). */
export interface ReadinessSplitGroup {
  /** The cluster the group's members report. */
  readonly clusterId: string;
  /** Their pod names. */
  readonly members: readonly string[];
}

/** A split, as the readiness helper reads it (`Split`). */
export interface ReadinessSplit {
  /** The group that stays. */
  readonly winner: ReadinessSplitGroup;
  /** The groups that step down. */
  readonly losers: readonly ReadinessSplitGroup[];
}

/** What the readiness helper reads of a discovery: a `Discovery` is one. */
export interface MemberStatus {
  /** `drain()` was called. */
  readonly draining: boolean;
  /** The split the last split check found, or `null`. */
  readonly split: ReadinessSplit | null;
  /** A `bootstrap({ latch })` resolved and its decision was not confirmed yet. */
  readonly latchPending?: boolean;
}

/** This pod's own report, as the readiness helper reads it (a `ClusterReport` is one). */
export interface OwnReport {
  /** The cluster this pod is in; absent while it is in none. */
  readonly clusterId?: string | undefined;
  /** This pod says it is shutting down. */
  readonly draining?: boolean | undefined;
}

/** Options of {@link createMemberReadiness}. */
export interface MemberReadinessOptions {
  /**
   * This pod's own report: what its probe endpoint serves to peers, kept in memory and cheap to
   * call (a kubelet probe times out after a second). Throwing means "not ready".
   */
  readonly report: () => OwnReport | null | undefined;
}

/** The readiness helper: a plain check and a `node:http` request handler built on it. */
export interface MemberReadiness {
  /** The verdict now. Never throws. */
  check(): ReadinessVerdict;
  /**
   * A `node:http` request handler: `200` when ready, `503` when not, the reason as the
   * `text/plain` body (none for `HEAD`), never cached. Serve it on the path of your
   * readinessProbe, e.g. `if (request.url === '/ready') return readiness.handler(request, response)`.
   */
  readonly handler: (request: IncomingMessage, response: ServerResponse) => void;
}

/**
 * A readiness helper for this pod: ready once its own `report` names a cluster, unless it is on
 * the losing side of a split, draining, or has not confirmed its bootstrap decision (with a
 * latch). Give it the discovery and the function that makes your probe endpoint's report.
 *
 * @example
 * ```ts
 * const readiness = createMemberReadiness(discovery, { report: () => ({ ...state, draining: discovery.draining }) });
 * createServer((request, response) => (request.url === '/ready' ? readiness.handler(request, response) : serveReport(response)));
 * ```
 */
export function createMemberReadiness(discovery: MemberStatus, options: MemberReadinessOptions): MemberReadiness {
  if (typeof discovery !== 'object' || discovery === null) throw new TypeError('createMemberReadiness: expected the discovery.');
  if (typeof options?.report !== 'function') throw new TypeError("createMemberReadiness: expected { report }, a function returning this pod's own report.");
  const { report } = options;
  const check = (): ReadinessVerdict => verdict(discovery, report);
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const { ready, reason } = check();
    const body = `${ready ? 'ready' : 'not ready'}: ${reason}\n`;
    response.writeHead(ready ? 200 : 503, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
  return { check, handler };
}

/** The verdict of `status` and `report`, in order of precedence. */
function verdict(status: MemberStatus, report: () => OwnReport | null | undefined): ReadinessVerdict {
  if (status.draining) return no('this pod is draining (drain() was called): it is leaving the cluster');
  let own: OwnReport | null | undefined;
  try {
    own = report();
  } catch (error) {
    return no(`its own report failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (own?.draining === true) return no('its own report says it is draining');
  const clusterId = own?.clusterId;
  if (typeof clusterId !== 'string' || clusterId === '') return no('not a member of a cluster yet: its own report names no cluster (bootstrap, or joining, is not finished)');
  if (status.latchPending) return no(`its report names cluster ${clusterId}, but the bootstrap decision was not confirmed: call confirm() on it, which writes the formed latch`);
  const split = status.split;
  const losing = split?.losers.find((group) => group.clusterId === clusterId);
  if (split && losing) {
    return no(`on the losing side of a split: its cluster ${clusterId} (${losing.members.join(', ')}) loses to ${split.winner.clusterId} (${split.winner.members.join(', ')})`);
  }
  const note = split ? `; a split is detected, and ${split.losers.map((group) => group.clusterId).join(', ')} ${split.losers.length === 1 ? 'loses' : 'lose'}` : '';
  return { ready: true, reason: `member of cluster ${clusterId}${note}` };
}

function no(reason: string): ReadinessVerdict {
  return { ready: false, reason };
}
