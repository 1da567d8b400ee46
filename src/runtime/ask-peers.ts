/**
 * Asking peers which cluster they are in, with the app's probe: a few at a time, each with its
 * own timeout, and giving up at once when the caller aborts, even if the probe ignores its
 * signal. Shared by the bootstrap loop and the split monitor.
 *
 * @module
 */
import { clusterIdProblem } from '../bootstrap/latch';
import type { ClusterReport } from '../bootstrap/types';
import type { Peer } from '../membership/types';
import { mapWithConcurrency } from '../sources/concurrency';

/** Asks a peer which cluster it belongs to. Resolve `null`/`undefined` for "none"; reject if it cannot answer. */
export type ClusterProbe = (peer: Peer, signal: AbortSignal) => Promise<ClusterReport | null | undefined>;

/** What asking a set of peers gave: the answers by pod name, and who could not be asked. */
export interface PeerAnswers {
  /** Pod name → report (`null`: answered, in no cluster). A peer that could not be asked has no entry. */
  readonly reports: Map<string, ClusterReport | null>;
  /** The peers whose probe failed or timed out. */
  readonly unanswered: readonly Peer[];
}

/** Told of each peer's answer as it comes (for diagnostics): `answered` false when it could not be asked. */
export type AnswerListener = (peer: Peer, answered: boolean, report: ClusterReport | null) => void;

/** Ask every one of `peers` with `probe`, `concurrency` at a time. Rejects only when `signal` aborts. */
export async function askPeers(
  peers: readonly Peer[],
  probe: ClusterProbe,
  settings: { readonly timeoutMs: number; readonly concurrency: number; readonly signal: AbortSignal | undefined; readonly onAnswer?: AnswerListener | undefined },
): Promise<PeerAnswers> {
  const answers = await mapWithConcurrency(peers, settings.concurrency, async (peer) => {
    const answer = await askPeer(peer, probe, settings.timeoutMs, settings.signal);
    settings.onAnswer?.(peer, answer.answered, answer.report);
    return answer;
  });
  settings.signal?.throwIfAborted();
  const reports = new Map<string, ClusterReport | null>();
  const unanswered: Peer[] = [];
  for (const answer of answers) {
    if (answer.answered) reports.set(answer.peer.name, answer.report);
    else unanswered.push(answer.peer);
  }
  return { reports, unanswered };
}

/** What one peer answered, if it answered. */
interface Answer {
  readonly peer: Peer;
  readonly report: ClusterReport | null;
  readonly answered: boolean;
}

/** Ask one peer, giving up at the timeout or the abort even if the probe ignores its signal. */
async function askPeer(peer: Peer, probe: ClusterProbe, timeoutMs: number, signal: AbortSignal | undefined): Promise<Answer> {
  if (signal?.aborted) return { peer, report: null, answered: false };
  // Linked by hand, not with AbortSignal.any(): that keeps a reference on the caller's
  // long-lived signal per call, which Node 20 frees late.
  const controller = new AbortController();
  const combined = controller.signal;
  const onOuterAbort = (): void => controller.abort(signal?.reason);
  const timer = setTimeout(() => controller.abort(new DOMException('The probe timed out.', 'TimeoutError')), timeoutMs);
  signal?.addEventListener('abort', onOuterAbort, { once: true });
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(combined.reason);
    combined.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const report = usableReport(await Promise.race([probe(peer, combined), aborted]));
    return report === undefined ? { peer, report: null, answered: false } : { peer, report, answered: true };
  } catch {
    return { peer, report: null, answered: false };
  } finally {
    clearTimeout(timer);
    combined.removeEventListener('abort', onAbort);
    signal?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * A probe's answer as a report, `null` for "in no cluster", or `undefined` when it is not a report
 * (a `clusterId` that is neither `null` nor a non-empty string, a `draining` that is not a boolean): such a peer
 * counts as not asked, so a seed waits rather than read garbage as "no cluster".
 */
export function usableReport(value: unknown): ClusterReport | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const report = value as Record<string, unknown>;
  if (report['clusterId'] === null) {
    // `{ "clusterId": null }` is how many apps say "no cluster": read it so.
    const { clusterId: _none, ...rest } = report;
    return usableReport(rest);
  }
  if (report['clusterId'] !== undefined && clusterIdProblem(report['clusterId']) !== undefined) return undefined;
  if (report['draining'] !== undefined && typeof report['draining'] !== 'boolean') return undefined;
  if (report['primary'] !== undefined && typeof report['primary'] !== 'string') return undefined;
  return value as ClusterReport;
}
