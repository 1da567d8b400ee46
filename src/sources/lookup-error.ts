/**
 * Turning a failed lookup result into the typed error the discovery reports.
 *
 * @module
 */
import { LookupError, type LookupErrorCode } from '../errors';
import type { FailedResult } from '../dns/types';

const CODES: Record<FailedResult['outcome'], LookupErrorCode> = {
  timeout: 'ERR_DNS_TIMEOUT',
  'network-error': 'ERR_DNS_NETWORK',
  servfail: 'ERR_DNS_SERVFAIL',
  refused: 'ERR_DNS_REFUSED',
  rcode: 'ERR_DNS_RCODE',
};

/** A {@link LookupError} describing `result`, with a message an operator can act on. */
export function toLookupError(result: FailedResult): LookupError {
  const what = `${result.type} lookup of ${result.name}`;
  const details = {
    server: result.server,
    transport: result.transport,
    rcode: 'rcode' in result ? result.rcode : undefined,
    queries: result.queries,
    durationMs: result.durationMs,
  };
  const where = result.server === undefined ? '' : ` (last server ${result.server})`;
  switch (result.outcome) {
    case 'timeout':
      return new LookupError(
        CODES.timeout,
        result.name,
        result.type,
        `${what} timed out after ${result.queries} ${result.queries === 1 ? 'query' : 'queries'} in ${Math.round(result.durationMs)} ms${where}.`,
        { details },
      );
    case 'network-error':
      return new LookupError(
        CODES['network-error'],
        result.name,
        result.type,
        `${what} failed: ${result.error.message}${where}.`,
        { cause: result.error, details },
      );
    case 'servfail':
    case 'refused':
    case 'rcode': {
      const name = result.outcome === 'rcode' ? `RCODE ${result.rcode}` : result.outcome.toUpperCase();
      return new LookupError(
        CODES[result.outcome],
        result.name,
        result.type,
        `${what} answered ${name}${where}.`,
        { details },
      );
    }
  }
}
