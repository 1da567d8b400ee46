/**
 * The resolver: one lookup = up to `attempts` rounds over the nameservers, in order, one at a
 * time (as glibc reads resolv.conf), over UDP with a TCP retry for truncated answers. A question
 * whose UDP answer was truncated is asked over TCP first the next times (one round trip instead
 * of two for a large Service), trying UDP again every {@link UDP_RECHECK_EVERY} lookups in case
 * the answer shrank. Its result says what happened (`outcome`), never just "no records".
 *
 * @module
 */
import { randomInt } from 'node:crypto';
import { lookupChannel, queryChannel, type QueryMessage } from './diagnostics';
import type { Exchange } from './exchange';
import type { Question } from './message';
import { absoluteName } from './name';
import { formatNameserver } from './nameserver';
import { exchangeTcp } from './tcp';
import type { FailedResult, LookupBase, LookupResult, Nameserver, QueryType, Resolver, Transport } from './types';
import { exchangeUdp } from './udp';

/** Settings of {@link createDnsResolver}. */
export interface DnsResolverSettings {
  /** Servers in the order they are tried. At least one. */
  readonly nameservers: readonly Nameserver[];
  /** Per-try timeout (each UDP or TCP exchange), in milliseconds. */
  readonly timeoutMs: number;
  /** Rounds over the nameserver list. At least 1. */
  readonly attempts: number;
}

/** After a truncated UDP answer, this many lookups of the same question go straight to TCP. */
export const UDP_RECHECK_EVERY = 10;
/** At most this many questions are remembered as "too large for UDP". */
const MAX_REMEMBERED = 1024;

const RCODE_NOERROR = 0;
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;
const RCODE_REFUSED = 5;

/** Failures ranked by how much they tell: a server's RCODE, then a socket error, then silence. */
const FAILURE_RANK: Readonly<Record<FailedResult['outcome'], number>> = {
  servfail: 3,
  refused: 3,
  rcode: 3,
  'network-error': 2,
  timeout: 1,
};

/** Create a resolver that queries `nameservers` with this library's DNS client. */
export function createDnsResolver(settings: DnsResolverSettings): Resolver {
  if (settings.nameservers.length === 0) throw new RangeError('at least one nameserver is required');
  const tooLarge = new TcpFirst();
  return {
    lookup: async (name, type, signal = new AbortController().signal) => {
      const result = await lookup(settings, absoluteName(name), type, signal, tooLarge);
      if (lookupChannel.hasSubscribers) lookupChannel.publish(result);
      return result;
    },
  };
}

interface Tally {
  queries: number;
  ignored: number;
}

/** The questions whose last UDP answer was truncated, per server, and how often TCP was used since. */
class TcpFirst {
  readonly #since = new Map<string, number>();

  /** True when this question should go to this server over TCP without trying UDP first. */
  take(key: string): boolean {
    const count = this.#since.get(key);
    if (count === undefined || count >= UDP_RECHECK_EVERY) return false;
    this.#since.set(key, count + 1);
    return true;
  }

  /** The UDP answer to this question was (`true`) or was not truncated. */
  record(key: string, truncated: boolean): void {
    if (!truncated) {
      this.#since.delete(key);
      return;
    }
    if (this.#since.size >= MAX_REMEMBERED && !this.#since.has(key)) this.#since.clear();
    this.#since.set(key, 0);
  }

  /** Going straight to TCP failed: ask over UDP again next time. */
  forget(key: string): void {
    this.#since.delete(key);
  }
}

async function lookup(
  settings: DnsResolverSettings,
  name: string,
  type: QueryType,
  signal: AbortSignal,
  tcpFirst: TcpFirst,
): Promise<LookupResult> {
  const started = performance.now();
  const tally: Tally = { queries: 0, ignored: 0 };
  const base = (server: Nameserver | undefined, transport: Transport | undefined): LookupBase => ({
    name,
    type,
    server: server === undefined ? undefined : formatNameserver(server),
    transport,
    queries: tally.queries,
    ignoredResponses: tally.ignored,
    durationMs: performance.now() - started,
  });

  let failure: FailedResult | undefined;
  for (let attempt = 0; attempt < settings.attempts; attempt++) {
    for (const server of settings.nameservers) {
      const key = `${formatNameserver(server)} ${type} ${name}`;
      let transport: Transport = 'tcp';
      let exchange: Exchange | undefined;
      if (tcpFirst.take(key)) {
        exchange = await send(exchangeTcp, 'tcp', server, name, type, settings.timeoutMs, signal, tally);
        if (exchange.kind !== 'response') tcpFirst.forget(key);
      }
      if (exchange?.kind !== 'response') {
        transport = 'udp';
        exchange = await send(exchangeUdp, 'udp', server, name, type, settings.timeoutMs, signal, tally);
        if (exchange.kind === 'response') tcpFirst.record(key, exchange.response.truncated);
        if (exchange.kind === 'response' && exchange.response.truncated) {
          // RFC 7766 §5: a truncated UDP answer is asked again over TCP. CoreDNS may set TC on
          // TCP too when it dropped only glue; that answer is complete and used as it is.
          transport = 'tcp';
          exchange = await send(exchangeTcp, 'tcp', server, name, type, settings.timeoutMs, signal, tally);
        }
      }
      const settled = exchange;
      const result = classify(settled, () => base(server, settled.kind === 'response' ? transport : undefined));
      if (result.outcome === 'answer' || result.outcome === 'nodata' || result.outcome === 'nxdomain') return result;
      if (!failure || FAILURE_RANK[result.outcome] >= FAILURE_RANK[failure.outcome]) failure = result;
    }
  }
  // Refresh the counters: `failure` was built before the last tries.
  return { ...(failure as FailedResult), queries: tally.queries, ignoredResponses: tally.ignored, durationMs: performance.now() - started };
}

async function send(
  exchange: typeof exchangeUdp,
  transport: Transport,
  server: Nameserver,
  name: string,
  type: QueryType,
  timeoutMs: number,
  signal: AbortSignal,
  tally: Tally,
): Promise<Exchange> {
  // RFC 5452 §4.3: a fresh unpredictable ID for every message.
  const question: Question = { id: randomInt(0x10000), name, type };
  const started = performance.now();
  tally.queries++;
  const result = await exchange(server, question, timeoutMs, signal);
  tally.ignored += result.ignored;
  if (queryChannel.hasSubscribers) {
    const message: QueryMessage = {
      name,
      type,
      server: formatNameserver(server),
      transport,
      id: question.id,
      outcome: result.kind,
      ...(result.kind === 'response' ? { rcode: result.response.rcode, truncated: result.response.truncated } : {}),
      ...(result.kind === 'error' ? { error: result.error } : {}),
      ignored: result.ignored,
      durationMs: performance.now() - started,
    };
    queryChannel.publish(message);
  }
  return result;
}

function classify(exchange: Exchange, base: () => LookupBase): LookupResult {
  if (exchange.kind === 'timeout') return { ...base(), outcome: 'timeout' };
  if (exchange.kind === 'error') return { ...base(), outcome: 'network-error', error: exchange.error };
  const { response } = exchange;
  switch (response.rcode) {
    case RCODE_NOERROR:
      return response.answers.length > 0
        ? { ...base(), outcome: 'answer', answers: response.answers, additionals: response.additionals }
        : { ...base(), outcome: 'nodata', negativeTtl: response.negativeTtl };
    case RCODE_NXDOMAIN:
      return { ...base(), outcome: 'nxdomain', negativeTtl: response.negativeTtl };
    case RCODE_SERVFAIL:
      return { ...base(), outcome: 'servfail', rcode: response.rcode };
    case RCODE_REFUSED:
      return { ...base(), outcome: 'refused', rcode: response.rcode };
    default:
      return { ...base(), outcome: 'rcode', rcode: response.rcode };
  }
}
