/**
 * A raw DNS server for tests: UDP and TCP on the same loopback port, where each test decides,
 * per received query, which bytes go back (crafted, spoofed, truncated, now or later) or whether
 * to stay silent or drop the TCP connection.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import DNS from 'dns2';

const { Packet } = DNS;

/** A query as the server received it. */
export interface ReceivedQuery {
  readonly id: number;
  readonly name: string;
  readonly type: number;
  readonly transport: 'udp' | 'tcp';
  /** The raw query bytes. */
  readonly bytes: Buffer;
  /** The UDP payload size advertised with EDNS0, if any. */
  readonly ednsUdpSize: number | undefined;
  /** UDP: the client's source port. TCP: the number of the connection it came on (1, 2, …). */
  readonly source: number;
}

/**
 * What to do with a query: send these messages in order (from another port of the server's
 * address with `fromOtherPort`, or from the server's port on another loopback address with
 * `fromAddress`), or nothing. Over TCP, `'close'` ends the connection and `'reset'` resets it;
 * over UDP both are silence, and spoofed replies are sent on the connection like any other.
 */
export type Reply =
  | Buffer
  | { readonly bytes: Buffer; readonly fromOtherPort: true }
  | { readonly bytes: Buffer; readonly fromAddress: string }
  | 'silence'
  | 'close'
  | 'reset';

/** Replies now, or replies later (a promise), for one query. */
export type Handler = (query: ReceivedQuery) => Reply[] | Reply | Promise<Reply[] | Reply>;

export interface RawDnsServer {
  readonly address: string;
  readonly port: number;
  /** `ip:port` or `[v6]:port`. */
  readonly nameserver: string;
  /** Every query received, in order. */
  readonly queries: ReceivedQuery[];
  handle: Handler;
  close(): Promise<void>;
}

/**
 * Start a raw server on `address` (127.0.0.1 or ::1), on a free port, or on `port` when given
 * (to restart a server on the port it had).
 */
export async function startRawDnsServer(handle: Handler, address = '127.0.0.1', port = 0): Promise<RawDnsServer> {
  const family = address.includes(':') ? 'udp6' : 'udp4';
  for (let attempt = 0; attempt < 20; attempt++) {
    const connections = new Set<Socket>();
    const tcp = createServer((socket) => {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
      socket.on('error', () => undefined);
      serveTcp(socket, () => server.handle, server.queries);
    });
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, address, () => resolve(true));
    });
    if (!listening) {
      if (port !== 0) await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    const boundPort = (tcp.address() as { port: number }).port;
    const udp = createSocket(family);
    const spoofer = createSocket(family);
    const bound = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(boundPort, address, () => resolve(true));
    });
    if (!bound) {
      await closeServer(tcp, connections);
      udp.close();
      spoofer.close();
      if (port !== 0) await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    udp.on('error', () => undefined);
    spoofer.on('error', () => undefined);
    await new Promise<void>((resolve) => spoofer.bind(0, address, resolve));
    const impostors = new Impostors(family, boundPort);
    const server: RawDnsServer = {
      address,
      port: boundPort,
      nameserver: address.includes(':') ? `[${address}]:${boundPort}` : `${address}:${boundPort}`,
      queries: [],
      handle,
      close: async () => {
        await Promise.all([
          closeServer(tcp, connections),
          closeUdp(udp),
          closeUdp(spoofer),
          impostors.close(),
        ]);
      },
    };
    udp.on('message', (bytes, from) => serveUdp(udp, spoofer, impostors, bytes, from, server));
    return server;
  }
  throw new Error(port === 0 ? 'could not bind UDP and TCP on one port' : `could not bind UDP and TCP on port ${port}`);
}

/** UDP sockets on the server's port of other loopback addresses, bound on first use. */
class Impostors {
  readonly #family: 'udp4' | 'udp6';
  readonly #port: number;
  readonly #sockets = new Map<string, Promise<UdpSocket>>();
  #closed = false;

  constructor(family: 'udp4' | 'udp6', port: number) {
    this.#family = family;
    this.#port = port;
  }

  async send(address: string, bytes: Buffer, to: RemoteInfo): Promise<void> {
    if (this.#closed) return;
    let socket = this.#sockets.get(address);
    if (!socket) {
      socket = this.#bind(address);
      this.#sockets.set(address, socket);
    }
    const bound = await socket;
    if (!this.#closed) bound.send(bytes, to.port, to.address);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const sockets = await Promise.all(this.#sockets.values());
    await Promise.all(sockets.map(closeUdp));
  }

  #bind(address: string): Promise<UdpSocket> {
    const socket = createSocket(this.#family);
    socket.on('error', () => undefined);
    return new Promise((resolve) => {
      socket.once('error', () => socket.bind(0, address, () => resolve(socket)));
      socket.bind(this.#port, address, () => resolve(socket));
    });
  }
}

function closeUdp(socket: UdpSocket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

function parseQuery(bytes: Buffer, transport: 'udp' | 'tcp', source: number): ReceivedQuery {
  const packet = Packet.parse(bytes);
  const question = packet.questions[0];
  const opt = packet.additionals.find((record) => record.type === 41);
  return {
    id: packet.header.id ?? 0,
    name: String(question?.name ?? ''),
    type: Number(question?.type ?? 0),
    transport,
    bytes,
    ednsUdpSize: opt ? Number(opt.class) : undefined,
    source,
  };
}

/** Call `handle`; act on its replies at once when they are not a promise, so synchronous handlers keep their timing. */
function withReplies(replies: Reply[] | Reply | Promise<Reply[] | Reply>, act: (replies: Reply[]) => void): void {
  if (replies instanceof Promise) {
    replies.then(
      (settled) => {
        try {
          act([settled].flat());
        } catch {
          // The server closed while the replies were pending: a late reply has nowhere to go.
        }
      },
      () => undefined,
    );
  } else {
    act([replies].flat());
  }
}

function serveUdp(udp: UdpSocket, spoofer: UdpSocket, impostors: Impostors, bytes: Buffer, from: RemoteInfo, server: RawDnsServer): void {
  const query = parseQuery(bytes, 'udp', from.port);
  server.queries.push(query);
  withReplies(server.handle(query), (replies) => {
    for (const reply of replies) {
      if (typeof reply === 'string') continue;
      if (Buffer.isBuffer(reply)) udp.send(reply, from.port, from.address);
      else if ('fromAddress' in reply) void impostors.send(reply.fromAddress, reply.bytes, from);
      else spoofer.send(reply.bytes, from.port, from.address);
    }
  });
}

let connectionCount = 0;

function serveTcp(socket: Socket, handler: () => Handler, queries: ReceivedQuery[]): void {
  const connection = ++connectionCount;
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const bytes = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
      buffered = buffered.subarray(2 + bytes.length);
      const query = parseQuery(bytes, 'tcp', connection);
      queries.push(query);
      withReplies(handler()(query), (replies) => {
        for (const reply of replies) {
          if (socket.destroyed) return;
          if (reply === 'silence') continue;
          if (reply === 'close') {
            socket.end();
            return;
          }
          if (reply === 'reset') {
            socket.resetAndDestroy();
            return;
          }
          const message = Buffer.isBuffer(reply) ? reply : reply.bytes;
          const length = Buffer.alloc(2);
          length.writeUInt16BE(message.length);
          socket.write(Buffer.concat([length, message]));
        }
      });
    }
  });
}

function closeServer(server: Server, connections: Set<Socket>): Promise<void> {
  for (const socket of connections) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Records for {@link response}, in dns2's shape. */
export type RecordSpec =
  | { type: 'A' | 'AAAA'; name: string; address: string; ttl?: number }
  | { type: 'SRV'; name: string; target: string; port: number; priority?: number; weight?: number; ttl?: number }
  | { type: 'PTR'; name: string; domain: string; ttl?: number }
  | { type: 'SOA'; name: string; minimum: number; ttl?: number };

const TYPE_CODES = { A: 1, AAAA: 28, SRV: 33, PTR: 12, SOA: 6 } as const;

/** Build a response to `query` with dns2's encoder; every field can be falsified for tests. */
export function response(
  query: ReceivedQuery,
  options: {
    rcode?: number;
    answers?: RecordSpec[];
    authorities?: RecordSpec[];
    additionals?: RecordSpec[];
    truncated?: boolean;
    id?: number;
    questionName?: string;
    questionType?: number;
    questionClass?: number;
    qr?: boolean;
  } = {},
): Buffer {
  const packet = new Packet();
  packet.header.id = options.id ?? query.id;
  packet.header.qr = options.qr === false ? 0 : 1;
  packet.header.rd = 1;
  packet.header.aa = 1;
  packet.header.tc = options.truncated ? 1 : 0;
  packet.header.rcode = options.rcode ?? 0;
  packet.questions.push(
    new Packet.Question(options.questionName ?? query.name, options.questionType ?? query.type, options.questionClass ?? 1),
  );
  const convert = (record: RecordSpec) => {
    const base = { name: record.name, type: TYPE_CODES[record.type], class: 1, ttl: record.ttl ?? 5 };
    if (record.type === 'SOA') {
      return { ...base, primary: 'ns.dns.cluster.local', admin: 'hostmaster.cluster.local', serial: 1, refresh: 7200, retry: 1800, expiration: 86400, minimum: record.minimum };
    }
    const { type: _type, ...rest } = record;
    return { priority: 0, weight: 0, ...rest, ...base };
  };
  packet.answers = (options.answers ?? []).map(convert) as typeof packet.answers;
  packet.authorities = (options.authorities ?? []).map(convert) as typeof packet.authorities;
  packet.additionals = (options.additionals ?? []).map(convert) as typeof packet.additionals;
  return packet.toBuffer();
}
