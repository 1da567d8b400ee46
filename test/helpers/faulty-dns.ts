/**
 * A misbehaving DNS proxy for resilience tests: every query is forwarded to a real upstream (UDP
 * queries over UDP, TCP queries over TCP) and the reply is then withheld, delayed, corrupted or
 * replaced according to the current {@link Fault}.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import DNS from 'dns2';
import { parseNameserver } from '../../src/dns/nameserver';
import type { Nameserver } from '../../src/dns/types';
import { pointerChain } from './crafted';
import { response, startRawDnsServer, type RawDnsServer, type ReceivedQuery, type Reply } from './raw-dns-server';

const { Packet } = DNS;

/**
 * - `none`: the upstream reply, as it is.
 * - `drop`: no reply (the query is not even forwarded).
 * - `delay`: the upstream reply, `delayMs` later.
 * - `servfail`, `refused`: RCODE 2 or 5 with no records.
 * - `truncate-dead-tcp`: over UDP, TC=1 and no records; over TCP, the connection is closed
 *   (even queries) or reset (odd queries) without a reply.
 * - `wrong-id`: the upstream reply with another message ID.
 * - `wrong-question`: the upstream reply with another name in the question.
 * - `other-address`: the upstream reply sent from the proxy's port on 127.0.0.2 and from another
 *   port of the proxy's address, never from the proxy's own address and port (TCP: unchanged).
 * - `garbage`: random bytes, then random bytes behind the query's ID with QR=1.
 * - `compression-loop`: a reply whose answer's names are compression pointers pointing at each
 *   other, then the 64 KiB pointer chain of {@link pointerChain}.
 * - `oversized`: the upstream reply padded with random bytes to 4096 octets, beyond the 1232
 *   the client advertises with EDNS0.
 * - `flap`: replies with two answers or more (the Service's peers) alternate between the upstream
 *   reply and one cut down to its first answer and that answer's additional records.
 * - `flap-one`: what CoreDNS serves while EndpointSlices churn (kubernetes/kubernetes#127259).
 *   Per question (name and type), every other reply that has two answers or more drops one
 *   random answer record, and for SRV that target's additional records (its glue); every other
 *   reply to a per-pod name (an A/AAAA question with one answer, whose name has more labels
 *   before `svc` than a Service name: `<pod>.<service>.<ns>.svc.<zone>`) is NXDOMAIN, with the
 *   zone's SOA. The first reply to each question is the upstream one; truncated replies and
 *   error RCODEs pass unchanged and do not count.
 * - `truncate-tcp-half`: over UDP, TC=1 and no records (every question, so every lookup goes to
 *   TCP); over TCP, an SRV reply keeps only the first half of its answers (at least one), the
 *   additional records of those targets only, and TC=1. Other TCP replies pass unchanged.
 */
export type Fault =
  | 'none'
  | 'drop'
  | 'delay'
  | 'servfail'
  | 'refused'
  | 'truncate-dead-tcp'
  | 'wrong-id'
  | 'wrong-question'
  | 'other-address'
  | 'garbage'
  | 'compression-loop'
  | 'oversized'
  | 'flap'
  | 'flap-one'
  | 'truncate-tcp-half';

/** Every fault but `none`. */
export const FAULTS: readonly Exclude<Fault, 'none'>[] = [
  'drop',
  'delay',
  'servfail',
  'refused',
  'truncate-dead-tcp',
  'wrong-id',
  'wrong-question',
  'other-address',
  'garbage',
  'compression-loop',
  'oversized',
  'flap',
  'flap-one',
  'truncate-tcp-half',
];

/** The size `oversized` pads replies to. */
export const OVERSIZED_LENGTH = 4096;

/** The other loopback address `other-address` replies from. */
export const OTHER_ADDRESS = '127.0.0.2';

export interface FaultyDnsOptions {
  /** How late `delay` replies. Default: 450 (3× a 150 ms client timeout). */
  readonly delayMs?: number;
  /** How long to wait for the upstream. Default: 2000. */
  readonly upstreamTimeoutMs?: number;
  /** Where `flap-one` draws the answer it drops from: a number in [0, 1). Default: `Math.random`. */
  readonly random?: () => number;
}

export interface FaultyDns {
  /** `ip:port` of the proxy; unchanged by {@link restart}. */
  readonly nameserver: string;
  readonly port: number;
  /** The fault applied to the queries received from now on. Setting it restarts the `flap` and `flap-one` alternations. */
  fault: Fault;
  delayMs: number;
  /** Queries received (UDP and TCP), across restarts. */
  readonly queries: number;
  /** Observe every query received, with the fault it falls under. Returns a function that stops observing. */
  onQuery(listener: (query: ReceivedQuery, fault: Fault) => void): () => void;
  close(): Promise<void>;
  /**
   * Close every socket, run `whileDown` (queries meanwhile find no server), and listen again on
   * the same port.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
}

/** Start a faulty proxy on 127.0.0.1 in front of `upstream` (`ip:port`), with no fault. */
export async function startFaultyDns(upstream: string, options: FaultyDnsOptions = {}): Promise<FaultyDns> {
  const target = parseNameserver(upstream);
  if (!target) throw new Error(`bad upstream nameserver ${upstream}`);
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 2000;
  const random = options.random ?? Math.random;
  /** `flap-one`: the replies it counted so far, per question (name and type). */
  const flappedOne = new Map<string, number>();
  const listeners = new Set<(query: ReceivedQuery, fault: Fault) => void>();
  const pending = new Set<() => void>();
  let fault: Fault = 'none';
  let flapped = 0;
  let tcpFaulted = 0;
  let received = 0;
  let closed = false;

  const later = <T>(ms: number, value: T, fallback: T): Promise<T> =>
    new Promise((resolve) => {
      const cancel = (): void => {
        clearTimeout(timer);
        pending.delete(cancel);
        resolve(fallback);
      };
      const timer = setTimeout(() => {
        pending.delete(cancel);
        resolve(value);
      }, ms);
      pending.add(cancel);
    });

  const forward = (query: ReceivedQuery): Promise<Buffer | undefined> =>
    (query.transport === 'udp' ? forwardUdp : forwardTcp)(target, query.bytes, upstreamTimeoutMs, pending);

  const handle = async (query: ReceivedQuery): Promise<Reply[] | Reply> => {
    received++;
    const current = fault;
    for (const listener of listeners) listener(query, current);
    if (current === 'drop') return 'silence';
    if (current === 'truncate-dead-tcp' && query.transport === 'tcp') return tcpFaulted++ % 2 === 0 ? 'close' : 'reset';
    if (current === 'truncate-tcp-half' && query.transport === 'udp') return response(query, { truncated: true });
    const real = await forward(query);
    if (!real || closed) return 'silence';
    switch (current) {
      case 'none':
        return real;
      case 'delay':
        return later<Reply>(dns.delayMs, real, 'silence');
      case 'servfail':
        return response(query, { rcode: 2 });
      case 'refused':
        return response(query, { rcode: 5 });
      case 'truncate-dead-tcp':
        return response(query, { truncated: true });
      case 'wrong-id':
        return withId(real, query.id ^ 0xffff);
      case 'wrong-question':
        return withOtherQuestion(real);
      case 'other-address':
        if (query.transport === 'tcp') return real;
        return [{ bytes: real, fromAddress: OTHER_ADDRESS }, { bytes: real, fromOtherPort: true }];
      case 'garbage':
        return garbage(query);
      case 'compression-loop':
        return [compressionLoop(query), pointerChain(query)];
      case 'oversized':
        return Buffer.concat([real, randomBytes(Math.max(0, OVERSIZED_LENGTH - real.length))]);
      case 'flap':
        if (real.length < 12 || real.readUInt16BE(6) < 2) return real;
        return flapped++ % 2 === 0 ? real : firstAnswerOnly(real);
      case 'flap-one':
        return flapOne(query, real, flappedOne, random);
      case 'truncate-tcp-half':
        return query.type === 33 ? firstHalf(real) : real;
    }
  };

  let server: RawDnsServer = await startRawDnsServer(handle);
  const port = server.port;

  const dns: FaultyDns = {
    nameserver: server.nameserver,
    port,
    get fault() {
      return fault;
    },
    set fault(next: Fault) {
      fault = next;
      flapped = 0;
      flappedOne.clear();
    },
    delayMs: options.delayMs ?? 450,
    get queries() {
      return received;
    },
    onQuery(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      for (const cancel of [...pending]) cancel();
      await server.close();
    },
    async restart(whileDown) {
      await server.close();
      await whileDown?.();
      server = await startRawDnsServer(handle, server.address, port);
    },
  };
  return dns;
}

function withId(message: Buffer, id: number): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(id, 0);
  return copy;
}

/** The question's first letter replaced by another letter (not the same one in another case). */
function withOtherQuestion(message: Buffer): Buffer {
  const copy = Buffer.from(message);
  if ((copy[12] ?? 0) === 0) {
    copy.writeUInt16BE(copy.readUInt16BE(13) === 1 ? 28 : 1, 13);
    return copy;
  }
  copy[13] = ((copy[13] ?? 0) | 0x20) === 0x78 ? 0x79 : 0x78;
  return copy;
}

function garbage(query: ReceivedQuery): Buffer[] {
  const random = randomBytes(randomInt(1, 513));
  const plausible = randomBytes(randomInt(12, 513));
  plausible.writeUInt16BE(query.id, 0);
  plausible[2] = (plausible[2] ?? 0) | 0x80;
  return [random, plausible];
}

/**
 * One SRV answer whose owner name points at its target, and whose target is two pointers that
 * point at each other.
 */
export function compressionLoop(query: ReceivedQuery): Buffer {
  const head = Buffer.from(response(query));
  const record = head.length;
  const loop = record + 12 + 6;
  const pointer = (offset: number): number[] => [0xc0 | (offset >> 8), offset & 0xff];
  const answer = Buffer.from([
    ...pointer(loop),
    0, 33, 0, 1, 0, 0, 0, 5, 0, 10,
    0, 0, 0, 0, 0x0c, 0xea,
    ...pointer(loop + 2),
    ...pointer(loop),
  ]);
  head.writeUInt16BE(1, 6);
  return Buffer.concat([head, answer]);
}

/** The reply cut down to its first answer and the additional records of that answer's target or name. */
function firstAnswerOnly(message: Buffer): Buffer {
  let packet: ReturnType<typeof Packet.parse>;
  try {
    packet = Packet.parse(message);
  } catch {
    return message;
  }
  const first = packet.answers[0];
  if (!first) return message;
  const owner = String((first as { target?: unknown }).target ?? first.name).toLowerCase();
  packet.answers = [first];
  packet.additionals = packet.additionals.filter((record) => record.type !== 41 && String(record.name).toLowerCase() === owner);
  return packet.toBuffer();
}

const TC = 0x0200;

/** True for `<pod>.<service>.<ns>.svc.<zone>` (and deeper), false for `<service>.<ns>.svc.<zone>`. */
export function isPodName(name: string): boolean {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  return labels.indexOf('svc') >= 3;
}

/** The zone a `….svc.<zone>` name is in (`cluster.local`), for the SOA of a negative answer. */
function zoneOf(name: string): string {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  const svc = labels.indexOf('svc');
  return svc < 0 ? labels.slice(-2).join('.') : labels.slice(svc + 1).join('.');
}

/** `flap-one` on one reply: see {@link Fault}. */
function flapOne(query: ReceivedQuery, real: Buffer, counts: Map<string, number>, random: () => number): Buffer {
  if (real.length < 12 || (real.readUInt16BE(2) & TC) !== 0 || (real.readUInt16BE(2) & 0x0f) !== 0) return real;
  const answers = real.readUInt16BE(6);
  const perPod = (query.type === 1 || query.type === 28) && answers === 1 && isPodName(query.name);
  if (answers < 2 && !perPod) return real;
  const key = `${query.name.toLowerCase().replace(/\.$/, '')} ${query.type}`;
  const count = counts.get(key) ?? 0;
  counts.set(key, count + 1);
  if (count % 2 === 0) return real;
  if (perPod) return response(query, { rcode: 3, authorities: [{ type: 'SOA', name: zoneOf(query.name), minimum: 5 }] });
  return withoutOneAnswer(real, random);
}

/** The reply without one random answer and, for an SRV record, without its target's additional records. */
function withoutOneAnswer(message: Buffer, random: () => number): Buffer {
  let packet: ReturnType<typeof Packet.parse>;
  try {
    packet = Packet.parse(message);
  } catch {
    return message;
  }
  if (packet.answers.length < 2) return message;
  const index = Math.min(packet.answers.length - 1, Math.floor(random() * packet.answers.length));
  const [removed] = packet.answers.splice(index, 1);
  const target = removed?.type === 33 ? String((removed as { target?: unknown }).target).toLowerCase().replace(/\.$/, '') : undefined;
  packet.additionals = packet.additionals.filter(
    (record) => record.type !== 41 && (target === undefined || String(record.name).toLowerCase().replace(/\.$/, '') !== target),
  );
  return packet.toBuffer();
}

/** `truncate-tcp-half` on a TCP SRV reply: the first half of the answers, their targets' additional records, TC=1. */
function firstHalf(message: Buffer): Buffer {
  let packet: ReturnType<typeof Packet.parse>;
  try {
    packet = Packet.parse(message);
  } catch {
    return message;
  }
  if (packet.header.rcode !== 0 || packet.answers.length === 0) return message;
  packet.answers = packet.answers.slice(0, Math.max(1, Math.floor(packet.answers.length / 2)));
  const kept = new Set(packet.answers.map((record) => String((record as { target?: unknown }).target ?? record.name).toLowerCase().replace(/\.$/, '')));
  packet.additionals = packet.additionals.filter((record) => record.type !== 41 && kept.has(String(record.name).toLowerCase().replace(/\.$/, '')));
  packet.header.tc = 1;
  return packet.toBuffer();
}

/** A nameserver that reads every UDP query and never answers (nothing listens on its TCP port). */
export interface Blackhole {
  /** `127.0.0.1:port`. */
  readonly nameserver: string;
  readonly port: number;
  /** Queries received, in order (name and type, as parsed). */
  readonly received: ReadonlyArray<{ readonly name: string; readonly type: number }>;
  close(): Promise<void>;
}

/** Start a {@link Blackhole} on a free UDP port of 127.0.0.1. */
export async function startBlackhole(): Promise<Blackhole> {
  const socket = createSocket('udp4');
  const received: Array<{ name: string; type: number }> = [];
  socket.on('message', (bytes) => {
    try {
      const question = Packet.parse(bytes).questions[0];
      received.push({ name: String(question?.name ?? ''), type: Number(question?.type ?? 0) });
    } catch {
      received.push({ name: '', type: 0 });
    }
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  return {
    nameserver: `127.0.0.1:${port}`,
    port,
    received,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

function forwardUdp(server: Nameserver, bytes: Buffer, timeoutMs: number, pending: Set<() => void>): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket(server.family === 6 ? 'udp6' : 'udp4');
    const id = bytes.readUInt16BE(0);
    const finish = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      pending.delete(cancel);
      socket.removeAllListeners('message');
      try {
        socket.close();
      } catch {
        // Already closed.
      }
      resolve(reply);
    };
    const cancel = (): void => finish(undefined);
    const timer = setTimeout(cancel, timeoutMs);
    pending.add(cancel);
    socket.on('error', cancel);
    socket.on('message', (message) => {
      if (message.length >= 2 && message.readUInt16BE(0) === id) finish(message);
    });
    socket.connect(server.port, server.address, () => socket.send(bytes));
  });
}

function forwardTcp(server: Nameserver, bytes: Buffer, timeoutMs: number, pending: Set<() => void>): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: server.address, port: server.port, family: server.family });
    let buffered: Buffer = Buffer.alloc(0);
    const finish = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      pending.delete(cancel);
      socket.removeAllListeners('data');
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(reply);
    };
    const cancel = (): void => finish(undefined);
    const timer = setTimeout(cancel, timeoutMs);
    pending.add(cancel);
    socket.on('error', cancel);
    socket.on('close', cancel);
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(bytes.length);
      socket.write(Buffer.concat([length, bytes]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        finish(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
      }
    });
  });
}
