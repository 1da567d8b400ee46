/**
 * A raw DNS server for tests: UDP and TCP on the same loopback port, where each test decides,
 * per received query, which bytes go back (crafted, spoofed, truncated) or whether to stay silent.
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
}

/** What to do with a query: send these messages in order (from another port when `spoof`), or nothing. */
export type Reply = Buffer | { readonly bytes: Buffer; readonly fromOtherPort: true } | 'silence';

export type Handler = (query: ReceivedQuery) => Reply[] | Reply;

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

/** Start a raw server on `address` (127.0.0.1 or ::1). */
export async function startRawDnsServer(handle: Handler, address = '127.0.0.1'): Promise<RawDnsServer> {
  const family = address.includes(':') ? 'udp6' : 'udp4';
  for (let attempt = 0; attempt < 20; attempt++) {
    const connections = new Set<Socket>();
    const tcp = createServer((socket) => {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
      socket.on('error', () => undefined);
      serveTcp(socket, () => server.handle, server.queries);
    });
    await new Promise<void>((resolve) => tcp.listen(0, address, resolve));
    const port = (tcp.address() as { port: number }).port;
    const udp = createSocket(family);
    const spoofer = createSocket(family);
    const bound = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, address, () => resolve(true));
    });
    if (!bound) {
      await closeServer(tcp, connections);
      udp.close();
      spoofer.close();
      continue;
    }
    await new Promise<void>((resolve) => spoofer.bind(0, address, resolve));
    const server: RawDnsServer = {
      address,
      port,
      nameserver: address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`,
      queries: [],
      handle,
      close: async () => {
        await Promise.all([
          closeServer(tcp, connections),
          new Promise<void>((resolve) => udp.close(() => resolve())),
          new Promise<void>((resolve) => spoofer.close(() => resolve())),
        ]);
      },
    };
    udp.on('message', (bytes, from) => serveUdp(udp, spoofer, bytes, from, server));
    return server;
  }
  throw new Error('could not bind UDP and TCP on one port');
}

function parseQuery(bytes: Buffer, transport: 'udp' | 'tcp'): ReceivedQuery {
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
  };
}

function serveUdp(udp: UdpSocket, spoofer: UdpSocket, bytes: Buffer, from: RemoteInfo, server: RawDnsServer): void {
  const query = parseQuery(bytes, 'udp');
  server.queries.push(query);
  for (const reply of [server.handle(query)].flat()) {
    if (reply === 'silence') continue;
    if (Buffer.isBuffer(reply)) udp.send(reply, from.port, from.address);
    else spoofer.send(reply.bytes, from.port, from.address);
  }
}

function serveTcp(socket: Socket, handler: () => Handler, queries: ReceivedQuery[]): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const bytes = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
      buffered = buffered.subarray(2 + bytes.length);
      const query = parseQuery(bytes, 'tcp');
      queries.push(query);
      for (const reply of [handler()(query)].flat()) {
        if (reply === 'silence') continue;
        const message = Buffer.isBuffer(reply) ? reply : reply.bytes;
        const length = Buffer.alloc(2);
        length.writeUInt16BE(message.length);
        socket.write(Buffer.concat([length, message]));
      }
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
