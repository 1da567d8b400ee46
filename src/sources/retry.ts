/**
 * Retrying a source within one poll: a quick SERVFAIL or network error is often gone a moment
 * later, so it is retried a few times with backoff (p-retry) before the poll gives up on this
 * source. Timeouts are not retried here: the resolver already went `dnsAttempts` rounds over
 * every nameserver, and repeating that would stretch one poll to minutes.
 *
 * @module
 */
import type { FailedObservation, Observation } from '../membership/observation';
import type { Source } from './source';

/** How a source is retried within one poll. */
export interface RetryPolicy {
  /** Retries after the first try (0 = try once). */
  readonly retries: number;
  /** Delay before the first retry; each further one doubles, up to `maxDelayMs`, randomized ×1–2. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

/** True for failures that a retry a moment later may not see. */
export function isTransient(observation: FailedObservation): boolean {
  const code = observation.error.code;
  return code === 'ERR_DNS_SERVFAIL' || code === 'ERR_DNS_NETWORK';
}

class TransientFailure extends Error {
  constructor(readonly observation: FailedObservation) {
    super(observation.error.message);
  }
}

/** Told before each retry: the source, the retry's number (from 1) and the failure retried. */
export type RetryListener = (source: string, attempt: number, failure: FailedObservation) => void;

/**
 * Observe `source`, retrying transient failures. Resolves with the first success or the last
 * failure (its `queries` counting every try); rejects only when `signal` aborts.
 */
export async function observeWithRetries(source: Source, signal: AbortSignal, policy: RetryPolicy, onRetry?: RetryListener): Promise<Observation> {
  // Most polls succeed at once: only a transient failure pays for the retry machinery (and loads it).
  const first = await source.observe(signal);
  if (first.ok || !isTransient(first) || policy.retries === 0) return first;
  const { default: pRetry } = await import('p-retry');
  let queries = first.queries;
  let attempts = 0;
  let last: FailedObservation = first;
  const counted = (observation: Observation): Observation => ({ ...observation, queries });
  try {
    return await pRetry(
      async () => {
        // p-retry's first attempt is the one already made: it only decides the backoff from there.
        attempts += 1;
        if (attempts > 1) onRetry?.(source.name, attempts - 1, last);
        const observation = attempts === 1 ? first : await source.observe(signal);
        if (attempts > 1) queries += observation.queries;
        if (!observation.ok && isTransient(observation)) {
          last = observation;
          throw new TransientFailure(observation);
        }
        return counted(observation);
      },
      {
        retries: policy.retries,
        minTimeout: policy.minDelayMs,
        maxTimeout: policy.maxDelayMs,
        factor: 2,
        randomize: true,
        unref: true,
        signal,
        shouldRetry: ({ error }) => error instanceof TransientFailure,
      },
    );
  } catch (error) {
    if (error instanceof TransientFailure && !signal.aborted) return counted(error.observation);
    throw error;
  }
}
