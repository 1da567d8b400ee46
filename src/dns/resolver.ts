/**
 * The resolver: one lookup = up to `attempts` rounds over the nameservers, in order, one at a
 * time (as glibc reads resolv.conf), over UDP with a TCP retry for truncated answers. A question
 * whose UDP answer was truncated is asked over TCP first the next times (see `tcp-first.ts`).
 * Each server has one UDP socket and one TCP channel for the resolver's life, shared by every
 * lookup running at once. Its result says what happened (`outcome`), never just "no records".
 *
 * @module
 */
import type { DiscoverySubject } from '../observability/channels';
import type { DnsRecorder } from '../observability/stats';
import { lookupChannel, queryChannel, type QueryMessage } from './diagnostics';
import type { Exchange } from './exchange';
import { absoluteName } from './name';
import { formatNameserver } from './nameserver';
import { TcpChannel } from './tcp';
import { processServerHealth, SERVER_RECHECK_MS } from './server-health';
import { processTcpFirst } from './tcp-first';
import type { FailedResult, LookupBase, LookupResult, Nameserver, QueryType, Resolver, Transport } from './types';
import { UdpChannel } from './udp';

/** Settings of {@link createDnsResolver}. */
export interface DnsResolverSettings {
  /** Servers in the order they are tried. At least one. */
  readonly nameservers: readonly Nameserver[];
  /** Per-try timeout (each UDP or TCP exchange), in milliseconds. */
  readonly timeoutMs: number;
  /** Rounds over the nameserver list. At least 1. */
  readonly attempts: number;
  /** How long a server that timed out is asked after the others. Default: {@link SERVER_RECHECK_MS}. */
  readonly serverRecheckMs?: number;
  /** The discovery the resolver works for: its diagnostics messages name it. */
  readonly subject?: DiscoverySubject;
  /** Counts every message and lookup, for `discovery.stats()`. */
  readonly recorder?: DnsRecorder;
}

/** A resolver that holds sockets: close it when done. */
export interface DnsResolver extends Resolver {
  /** Close its sockets and connections; lookups still running end as network errors. Idempotent. */
  close(): void;
}

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

/** The transports to one server, opened on first use. */
interface Channels {
  readonly server: Nameserver;
  readonly label: string;
  readonly udp: UdpChannel;
  readonly tcp: TcpChannel;
}

/** Create a resolver that queries `nameservers` with this library's DNS client. */
export function createDnsResolver(settings: DnsResolverSettings): DnsResolver {
  if (settings.nameservers.length === 0) throw new RangeError('at least one nameserver is required');
  const channels = settings.nameservers.map((server): Channels => ({
    server,
    label: formatNameserver(server),
    udp: new UdpChannel(server),
    tcp: new TcpChannel(server),
  }));
  return {
    servers: channels.map((channel) => channel.label).join(','),
    lookup: async (name, type, signal = new AbortController().signal) => {
      const result = await lookup(settings, channels, absoluteName(name), type, signal);
      settings.recorder?.lookup(result);
      if (lookupChannel.hasSubscribers) lookupChannel.publish(settings.subject ? { ...settings.subject, ...result } : result);
      return result;
    },
    close: () => {
      for (const channel of channels) {
        channel.udp.close();
        channel.tcp.close();
      }
    },
  };
}

interface Tally {
  queries: number;
  ignored: number;
}

async function lookup(
  settings: DnsResolverSettings,
  channels: readonly Channels[],
  name: string,
  type: QueryType,
  signal: AbortSignal,
): Promise<LookupResult> {
  const tcpFirst = processTcpFirst;
  const started = performance.now();
  const tally: Tally = { queries: 0, ignored: 0 };
  const base = (server: Channels | undefined, transport: Transport | undefined): LookupBase => ({
    name,
    type,
    server: server?.label,
    transport,
    queries: tally.queries,
    ignoredResponses: tally.ignored,
    durationMs: performance.now() - started,
  });

  let failure: FailedResult | undefined;
  const health = processServerHealth;
  const recheckMs = settings.serverRecheckMs ?? SERVER_RECHECK_MS;
  for (let attempt = 0; attempt < settings.attempts; attempt++) {
    for (const server of health.order(channels, performance.now())) {
      const key = `${server.label} ${type} ${name}`;
      let transport: Transport = 'tcp';
      let exchange: Exchange | undefined;
      if (tcpFirst.take(key)) {
        exchange = await send(server, 'tcp', name, type, settings, signal, tally);
        if (exchange.kind === 'response') tcpFirst.answeredOverTcp(key, exchange.response.size, false);
        else tcpFirst.forget(key);
      }
      if (exchange?.kind !== 'response') {
        transport = 'udp';
        exchange = await send(server, 'udp', name, type, settings, signal, tally);
        if (exchange.kind === 'response') tcpFirst.record(key, exchange.response.truncated);
        if (exchange.kind === 'response' && exchange.response.truncated) {
          // RFC 7766 §5: a truncated UDP answer is asked again over TCP. CoreDNS may set TC on
          // TCP too when it dropped only glue; that answer is complete and used as it is.
          transport = 'tcp';
          exchange = await send(server, 'tcp', name, type, settings, signal, tally);
          if (exchange.kind === 'response') tcpFirst.answeredOverTcp(key, exchange.response.size, true);
        }
      }
      const settled = exchange;
      if (settled.kind === 'response') health.answered(server.label);
      else health.failed(server.label, performance.now(), recheckMs);
      const result = classify(settled, () => base(server, settled.kind === 'response' ? transport : undefined));
      if (result.outcome === 'answer' || result.outcome === 'nodata' || result.outcome === 'nxdomain') return result;
      if (!failure || FAILURE_RANK[result.outcome] >= FAILURE_RANK[failure.outcome]) failure = result;
    }
  }
  // Refresh the counters: `failure` was built before the last tries.
  return { ...(failure as FailedResult), queries: tally.queries, ignoredResponses: tally.ignored, durationMs: performance.now() - started };
}

async function send(
  server: Channels,
  transport: Transport,
  name: string,
  type: QueryType,
  settings: DnsResolverSettings,
  signal: AbortSignal,
  tally: Tally,
): Promise<Exchange> {
  const started = performance.now();
  tally.queries++;
  const { question, exchange: result } = await server[transport].exchange(name, type, settings.timeoutMs, signal);
  tally.ignored += result.ignored;
  settings.recorder?.message(transport, result.kind === 'response' && result.response.truncated);
  if (queryChannel.hasSubscribers) {
    const message: QueryMessage = {
      ...settings.subject,
      name,
      type,
      server: server.label,
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
        ? { ...base(), outcome: 'answer', answers: response.answers, additionals: response.additionals, truncated: response.truncated }
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
