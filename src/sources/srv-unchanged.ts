/**
 * An unchanged SRV poll, told cheaply: the resolver hands back the very same decoded answer
 * arrays when a response holds the same records as the last one (`dns/response-reuse.ts`). When
 * the SRV answer and its additional section are the arrays the last settled poll saw, and the
 * Service's address set holds the same addresses, that poll's observation is this one's, and
 * planning is skipped.
 *
 * @module
 */
import type { DnsRecord } from '../dns/types';
import type { SuccessfulObservation } from '../membership/observation';

/** The answers a poll settled every target from (nothing partial, held or unresolved), and what it observed. */
export interface SettledPoll {
  readonly answers: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
  /** The Service's address set, or `undefined` when the glue settled every target. */
  readonly set: ReadonlySet<string> | undefined;
  readonly observation: SuccessfulObservation;
}

/** True when this poll's answers are the ones `settled` was observed from. */
export function sameAnswers(
  settled: SettledPoll | undefined,
  answers: readonly DnsRecord[],
  additionals: readonly DnsRecord[],
  set: ReadonlySet<string> | undefined,
): settled is SettledPoll {
  if (!settled || settled.answers !== answers || settled.additionals !== additionals) return false;
  if (settled.set === undefined || set === undefined) return settled.set === set;
  if (settled.set.size !== set.size) return false;
  for (const address of set) if (!settled.set.has(address)) return false;
  return true;
}
