/**
 * Sources in order of preference: the first that answers (even with an empty set: NXDOMAIN is
 * an answer) makes the poll's observation; a source that fails hands over to the next one in
 * the same poll. Only when all fail is the poll a failure.
 *
 * @module
 */
import type { FailedObservation, Observation } from '../membership/observation';
import { observeWithRetries, type RetryListener, type RetryPolicy } from './retry';
import type { Source } from './source';

/** What one poll found. */
export interface PollOutcome {
  /** The first successful observation, or the last failure when every source failed. */
  readonly observation: Observation;
  /** Failures of the sources tried before it, in order (each worth reporting). */
  readonly failures: readonly FailedObservation[];
  /** Messages sent over all sources, tries and retries. */
  readonly queries: number;
}

/** Observe `sources` in order until one succeeds. Rejects only when `signal` aborts. */
export async function observeInOrder(
  sources: readonly Source[],
  signal: AbortSignal,
  retry: RetryPolicy,
  onRetry?: RetryListener,
): Promise<PollOutcome> {
  const failures: FailedObservation[] = [];
  let queries = 0;
  for (const source of sources) {
    const observation = await observeWithRetries(source, signal, retry, onRetry);
    queries += observation.queries;
    if (observation.ok) return { observation, failures, queries };
    failures.push(observation);
  }
  const last = failures.pop();
  if (!last) throw new Error('observeInOrder needs at least one source');
  return { observation: last, failures, queries };
}
