/**
 * Check 6, `truncation`: did the Service's answers (SRV, A/AAAA) fit in a UDP reply? This
 * library advertises 1232 bytes with EDNS0 (about 73 A records, or 15 SRV targets with their
 * addresses); glibc and Node's `dns` module send no EDNS0 and get 512 bytes (about 28 A
 * records, or 6 SRV targets). A larger answer comes back truncated (TC=1) and is asked again
 * over TCP. Pass when nothing was truncated (noting answers that clients without EDNS0 would
 * get truncated); warn when TCP was needed and worked (clients without TCP fallback see a
 * subset); fail when a truncated reply's TCP retry failed. It runs even when `service-name`
 * failed, since a failed TCP retry may be why.
 *
 * @module
 */
import { EDNS_UDP_PAYLOAD_SIZE } from '../dns/message';
import type { LookupResult, QueryType } from '../dns/types';
import { dig, kubeDnsCommands } from './commands';
import type { DiagnosisContext } from './context';
import { count, isFailure, outcomeText } from './describe';
import { failedAfterTruncation, truncatedExchanges } from './failure';
import { finding, skipped } from './finding';
import type { ServiceNameResult } from './service-name';
import type { SrvResult } from './srv';
import type { Finding } from './types';

/** Run the check over the lookups `service-name` and `srv` made. */
export function checkTruncation(context: DiagnosisContext, service: ServiceNameResult, srv: SrvResult): Finding {
  const title = 'Answers fit in UDP, or TCP works';
  const { config } = context;
  const lookups: LookupResult[] = [...(srv.lookup ? [srv.lookup] : []), ...service.lookups];
  const broken = lookups.filter((lookup) => failedAfterTruncation(context, lookup));
  const overTcp = lookups.filter((lookup) => !isFailure(lookup) && lookup.transport === 'tcp');

  if (broken.length > 0) {
    const first = broken[0] as LookupResult;
    return finding(
      'truncation',
      title,
      'fail',
      broken.flatMap((lookup) => {
        const { udp, tcpFailed } = truncatedExchanges(context, lookup);
        return [
          `${lookup.type} ${lookup.name}: the UDP reply from ${udp[0]?.server ?? lookup.server ?? 'the nameserver'} was truncated (TC=1), and the TCP retry failed (${tcpFailed.map(exchangeText).join('; ')})`,
          `final result: ${outcomeText(lookup)}`,
        ];
      }),
      [
        'the answer is too large for UDP and cannot be fetched over TCP: allow TCP port 53 to the cluster DNS (a NetworkPolicy egress rule must list both UDP and TCP 53; kube-dns serves 53/TCP)',
        `does TCP answer? ${dig(config, first.name, first.type, '+tcp', first)}`,
        ...kubeDnsCommands(config),
      ],
    );
  }
  if (overTcp.length > 0) {
    const first = overTcp[0] as LookupResult;
    return finding(
      'truncation',
      title,
      'warn',
      overTcp.map((lookup) => `${lookup.type} ${lookup.name}: ${recordCount(lookup)} exceed the UDP size: the UDP reply was truncated (TC=1) and the full answer came over TCP`),
      [
        `fine for this library (it retries over TCP), but worth knowing: clients without TCP fallback (musl before 1.2.4 / Alpine before 3.18, some DNS libraries) see only a subset of the pods, and clients without EDNS0 (glibc's default, Node's dns module) are truncated at 512 bytes rather than ${EDNS_UDP_PAYLOAD_SIZE}`,
        'keep TCP port 53 to the cluster DNS open (NetworkPolicy egress rules)',
        `see the truncated UDP reply: ${dig(config, first.name, first.type, `+ignore +bufsize=${EDNS_UDP_PAYLOAD_SIZE}`, first)}`,
      ],
    );
  }
  if (lookups.every(isFailure)) return skipped('truncation', title, 'no answer to measure: DNS lookups fail (see service-name)');
  const observed = lookups.filter((lookup) => !isFailure(lookup));
  return finding('truncation', title, 'pass', [
    ...observed.map((lookup) => `${lookup.type} ${lookup.name} → ${outcomeText(lookup)}: one UDP reply (no TC)`),
    ...observed.flatMap((lookup) =>
      lookup.outcome === 'answer' && lookup.answers.length > (FIT_IN_512[lookup.type] ?? Infinity)
        ? [`note: ${count(lookup.answers.length, `${lookup.type} record`)} likely do not fit in 512 bytes: clients without EDNS0 (glibc's default, Node's dns module) need TCP for them`]
        : [],
    ),
    `note: this library advertises ${EDNS_UDP_PAYLOAD_SIZE} bytes (EDNS0): about 73 A records, or 15 SRV targets with their addresses; without EDNS0 a reply holds 512 bytes (about 28 A records, or 6 SRV targets)`,
  ]);
}

/** About how many records of a type fit in a 512-byte reply (typical cluster names). */
const FIT_IN_512: Partial<Record<QueryType, number>> = { A: 28, AAAA: 16, SRV: 6 };

function recordCount(lookup: LookupResult): string {
  return lookup.outcome === 'answer' ? count(lookup.answers.length, 'record') : outcomeText(lookup);
}

function exchangeText(exchange: { readonly outcome: string; readonly server: string; readonly error?: Error }): string {
  return `${exchange.server} over TCP: ${exchange.outcome === 'timeout' ? 'timed out' : (exchange.error?.message ?? exchange.outcome)}`;
}
