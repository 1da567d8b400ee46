/**
 * The bootstrap loop: wait for a stable, fresh membership, ask the ready peers about the cluster,
 * decide; while the decision is "wait", try again on the next change (or after an interval, since
 * a peer's answer can change without DNS changing).
 *
 * @module
 */
import { decideBootstrap, type BootstrapDecision, type BootstrapInput, type ClusterReport } from '../bootstrap/decide';
import { booleanOr, integerIn } from '../config/checks';
import { BOOTSTRAP_DEFAULTS } from '../config/defaults';
import { WaitTimeoutError } from '../errors';
import type { Membership, Peer } from '../membership/types';
import { mapWithConcurrency } from '../sources/concurrency';
import { resolveLimits, summarize, waitUntil, type Observable } from './wait';

/** Asks a peer which cluster it belongs to. Resolve `null`/`undefined` for "none"; reject if it cannot answer. */
export type ClusterProbe = (peer: Peer, signal: AbortSignal) => Promise<ClusterReport | null | undefined>;

/** Options of `discovery.bootstrap()`. */
export interface BootstrapOptions extends Pick<BootstrapInput, 'joinPolicy' | 'local' | 'assumeNoCluster'> {
  /**
   * Asked of every ready peer (but this pod) before deciding, so a seed that lost its data finds
   * the cluster its peers already form. Without it, nobody is asked: the seed initializes only as
   * the only pod listed with `local` saying it has no data (or with `assumeNoCluster`), and waits
   * otherwise.
   */
  readonly probe?: ClusterProbe;
  /** How long one probe may take. Default: 2000. */
  readonly probeTimeoutMs?: number;
  /** The membership must have been unchanged and fresh this long before each decision. Default: 2 × `intervalMs`. */
  readonly stableForMs?: number;
  /** Reject with `ERR_WAIT_TIMEOUT` when no `initialize` or `join` came within this long. Default: wait forever. */
  readonly timeoutMs?: number;
  /** Aborting rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called with every `wait` decision, so the app can log why it is not going on yet. */
  readonly onWait?: (decision: BootstrapDecision) => void;
}

/** Run the loop for `podName` on `source`; `intervalMs` paces retries when nothing changes. */
export async function runBootstrap(source: Observable, podName: string, intervalMs: number, options: BootstrapOptions): Promise<BootstrapDecision> {
  const limits = resolveLimits(options, BOOTSTRAP_DEFAULTS.stableForIntervals * intervalMs);
  const probeTimeoutMs = integerIn('probeTimeoutMs', options.probeTimeoutMs, BOOTSTRAP_DEFAULTS.probeTimeoutMs, 1, 600_000);
  const assumeNoCluster = booleanOr('assumeNoCluster', options.assumeNoCluster, false);
  const started = performance.now();
  const remaining = (): number | undefined => (limits.timeoutMs === undefined ? undefined : Math.max(1, limits.timeoutMs - (performance.now() - started)));
  let last: BootstrapDecision | undefined;
  const timeout = (): WaitTimeoutError =>
    new WaitTimeoutError(
      `No bootstrap decision within ${String(limits.timeoutMs)} ms${last ? `: ${last.reason}` : ''}; the membership is ${summarize(source.membership)}.`,
      last?.reason,
    );
  const timedOut = (error: unknown): never => {
    throw error instanceof WaitTimeoutError ? timeout() : error;
  };

  for (;;) {
    if (limits.timeoutMs !== undefined && performance.now() - started >= limits.timeoutMs) throw timeout();
    const fresh = (membership: Membership): boolean => membership.updatedAt > 0 && !membership.stale;
    const membership = await waitUntil(source, fresh, 'a fresh, stable membership', { ...limits, timeoutMs: remaining() }).catch(timedOut);
    const reports = options.probe ? await askPeers(membership, podName, options.probe, probeTimeoutMs, limits.signal) : undefined;
    const decision = decideBootstrap(source.membership.epoch === membership.epoch ? source.membership : membership, {
      podName,
      ...(options.joinPolicy === undefined ? {} : { joinPolicy: options.joinPolicy }),
      ...(options.local === undefined ? {} : { local: options.local }),
      ...(assumeNoCluster ? { assumeNoCluster } : {}),
      ...(reports === undefined ? {} : { reports }),
    });
    if (decision.action !== 'wait') return decision;
    last = decision;
    options.onWait?.(decision);
    const epoch = source.membership.epoch;
    const changed = (now: Membership): boolean => now.epoch !== epoch;
    const pause = Math.min(intervalMs, remaining() ?? intervalMs);
    await waitUntil(source, changed, 'a membership change', { stableForMs: 0, timeoutMs: pause, signal: limits.signal }).catch((error: unknown) => {
      if (!(error instanceof WaitTimeoutError)) throw error;
    });
  }
}

/** What one peer answered, if it answered. */
interface Answer {
  readonly peer: Peer;
  readonly report: ClusterReport | null;
  readonly answered: boolean;
}

/** Ask every ready peer but this pod, a few at a time. A peer whose probe fails is left out of the map. */
async function askPeers(
  membership: Membership,
  podName: string,
  probe: ClusterProbe,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Map<string, ClusterReport | null>> {
  const peers = membership.ready.filter((peer) => peer.name !== podName);
  const answers = await mapWithConcurrency(peers, BOOTSTRAP_DEFAULTS.probeConcurrency, (peer) => askPeer(peer, probe, timeoutMs, signal));
  signal?.throwIfAborted();
  const reports = new Map<string, ClusterReport | null>();
  for (const answer of answers) if (answer.answered) reports.set(answer.peer.name, answer.report);
  return reports;
}

/** Ask one peer, giving up at the timeout or the abort even if the probe ignores its signal. */
async function askPeer(peer: Peer, probe: ClusterProbe, timeoutMs: number, signal: AbortSignal | undefined): Promise<Answer> {
  // Linked by hand, not with AbortSignal.any(): that keeps a reference on the caller's
  // long-lived signal per call, which Node 20 frees late.
  const controller = new AbortController();
  const combined = controller.signal;
  const onOuterAbort = (): void => controller.abort(signal?.reason);
  const timer = setTimeout(() => controller.abort(new DOMException('The probe timed out.', 'TimeoutError')), timeoutMs);
  if (signal?.aborted) onOuterAbort();
  else signal?.addEventListener('abort', onOuterAbort, { once: true });
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(combined.reason);
    combined.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const report = await Promise.race([probe(peer, combined), aborted]);
    return { peer, report: report ?? null, answered: true };
  } catch {
    return { peer, report: null, answered: false };
  } finally {
    clearTimeout(timer);
    combined.removeEventListener('abort', onAbort);
    signal?.removeEventListener('abort', onOuterAbort);
  }
}
