/**
 * Check 7, `ttl`: the TTLs of the answers seen so far (positive) and of NXDOMAIN/NODATA answers
 * (negative: the SOA's, RFC 2308). A change (a pod joining, leaving, moving) can show up to a
 * TTL late, more through caching layers (CoreDNS's `cache` plugin, NodeLocal DNSCache). Warn
 * above 30 s; pass otherwise.
 *
 * @module
 */
import { formatNameserver } from '../dns/nameserver';
import type { LookupResult } from '../dns/types';
import { GET_COREFILE } from './commands';
import { serviceHost, type DiagnosisContext } from './context';
import { count, isFailure } from './describe';
import { finding, skipped } from './finding';
import type { Finding } from './types';

/** Above this many seconds, a TTL is worth a warning. */
export const MAX_TTL_SECONDS = 30;
/** The link-local address NodeLocal DNSCache listens on. */
export const NODELOCAL_DNS = '169.254.20.10';

interface Ttl {
  readonly label: string;
  readonly values: readonly number[];
  readonly negative: boolean;
}

/** Run the check over every lookup made so far. */
export function checkTtl(context: DiagnosisContext): Finding {
  const title = 'TTLs: how late changes show';
  const observed = context.dns.results().filter((result) => !isFailure(result));
  if (observed.length === 0) return skipped('ttl', title, 'no answer to measure: DNS lookups fail (see service-name)');

  const main = observed.filter((result) => result.name === serviceHost(context) || result.type === 'SRV');
  const rest = observed.filter((result) => !main.includes(result));
  const ttls = [...main.flatMap((result) => own(result)), ...grouped(rest)];
  const evidence = ttls.map(
    (ttl) => `${ttl.label}: ${ttl.negative ? 'negative TTL' : 'TTL'} ${range(ttl.values)} s${ttl.negative ? ' (SOA)' : ''}`,
  );
  if (!ttls.some((ttl) => ttl.negative)) evidence.push('negative TTL: not seen (no NXDOMAIN or NODATA answer)');
  const nodeLocal = context.config.nameservers.some((server) => server.address === NODELOCAL_DNS);
  if (nodeLocal) evidence.push(`the nameserver ${NODELOCAL_DNS} is NodeLocal DNSCache: a caching layer in front of CoreDNS`);

  const highest = Math.max(...ttls.flatMap((ttl) => ttl.values));
  if (highest <= MAX_TTL_SECONDS) {
    return finding('ttl', title, 'pass', [
      ...evidence,
      `note: caches in between (CoreDNS's cache plugin, NodeLocal DNSCache at ${NODELOCAL_DNS}) can add their own delay`,
    ]);
  }
  return finding(
    'ttl',
    title,
    'warn',
    [...evidence, `a TTL of ${highest} s: changes (a pod joining, leaving or getting a new address) can show ${highest} s late, or later through caches`],
    [
      `the TTL comes from CoreDNS: the kubernetes plugin's "ttl" option (default 5) and the "cache" plugin (cache 30 in the default Corefile): ${GET_COREFILE}`,
      `NodeLocal DNSCache (${NODELOCAL_DNS}) caches too (its own cache settings): kubectl -n kube-system get configmap node-local-dns -o yaml`,
      ...(nodeLocal ? [] : [`this pod queries ${context.config.nameservers.map(formatNameserver).join(', ')}`]),
    ],
  );
}

function own(result: LookupResult): Ttl[] {
  if (result.outcome === 'answer') {
    return [{ label: `${result.type} ${result.name}`, values: result.answers.map((record) => record.ttl), negative: false }];
  }
  if ((result.outcome === 'nxdomain' || result.outcome === 'nodata') && result.negativeTtl !== undefined) {
    return [{ label: `${result.type} ${result.name} (${result.outcome === 'nxdomain' ? 'NXDOMAIN' : 'NODATA'})`, values: [result.negativeTtl], negative: true }];
  }
  return [];
}

/** The other lookups (per-pod names, PTRs), summarized by record type. */
function grouped(results: readonly LookupResult[]): Ttl[] {
  const groups: Ttl[] = [];
  for (const type of ['A', 'AAAA', 'PTR'] as const) {
    const ofType = results.filter((result) => result.type === type);
    const positive = ofType.flatMap((result) => (result.outcome === 'answer' ? result.answers.map((record) => record.ttl) : []));
    const negative = ofType.flatMap((result) => (result.outcome !== 'answer' && 'negativeTtl' in result && result.negativeTtl !== undefined ? [result.negativeTtl] : []));
    const kind = type === 'PTR' ? 'PTR' : `${type} of per-pod names`;
    const answered = ofType.filter((result) => result.outcome === 'answer').length;
    if (positive.length > 0) groups.push({ label: `${kind} (${count(answered, 'name')})`, values: positive, negative: false });
    if (negative.length > 0) groups.push({ label: `${kind} (${count(negative.length, 'empty answer')})`, values: negative, negative: true });
  }
  return groups;
}

function range(values: readonly number[]): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? `${low}` : `${low}–${high}`;
}
