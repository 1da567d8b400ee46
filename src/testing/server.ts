/**
 * The fake cluster's network side: a UDP socket and a TCP server bound to the same loopback port
 * (clients retry truncated UDP answers over TCP on the same port), answering every query with
 * bytes from {@link encodeResponse}. Queries are parsed with dns2's codec.
 *
 * @module
 */
import Packet from 'dns2/packet';
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { encodeResponse, type ResponseMessage } from './wire';
import type { ZoneAnswer } from './zone';

/** How the server treats every query while an outage is simulated. */
export type OutageMode = 'drop' | 'servfail' | 'refused';

/** A parsed query, as the cluster sees it. */
export interface IncomingQuery {
  /** The queried name as received. */
  readonly name: string;
  /** The record type, e.g. `SRV`. */
  readonly type: string;
  /** How the query arrived. */
  readonly transport: 'udp' | 'tcp';
}

/** What the server needs from the cluster. */
export interface QueryHandler {
  /** The answer for a question; `undefined` to stay silent (a dropped query). */
  answer(query: IncomingQuery): ZoneAnswer | 'drop';
  /** Called for every reply, with whether it was truncated. */
  replied(query: IncomingQuery, truncated: boolean): void;
}

type DnsRequest = ReturnType<typeof Packet.parse>;
type Send = (response: Buffer) => void;

const MAX_UDP_WITHOUT_EDNS = 512;
const MAX_TCP = 65_535;
const TYPE_NAMES: Readonly<Record<number, string>> = { 1: 'A', 28: 'AAAA', 33: 'SRV', 12: 'PTR', 6: 'SOA', 16: 'TXT', 255: 'ANY' };

/** A running UDP+TCP DNS server on one loopback port. */
export class LoopbackDnsServer {
  readonly host: string;
  readonly port: number;
  readonly #udp: DgramSocket;
  readonly #tcp: Server;
  readonly #connections: Set<Socket>;
  #closing: Promise<void> | undefined;

  private constructor(host: string, port: number, udp: DgramSocket, tcp: Server, connections: Set<Socket>) {
    this.host = host;
    this.port = port;
    this.#udp = udp;
    this.#tcp = tcp;
    this.#connections = connections;
  }

  /** Bind UDP and TCP on the same free port of `host` and serve `handler`. */
  static async start(host: string, handler: QueryHandler): Promise<LoopbackDnsServer> {
    for (let attempt = 0; ; attempt++) {
      const connections = new Set<Socket>();
      const tcp = createServer((socket) => {
        connections.add(socket);
        socket.on('close', () => connections.delete(socket));
        serveConnection(socket, handler);
      });
      tcp.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(0, host, () => resolve());
      });
      const port = (tcp.address() as AddressInfo).port;

      const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      udp.on('message', (message, from) => {
        const request = parseRequest(message);
        if (request) respond(handler, request, 'udp', udpLimit(request), (reply) => udp.send(reply, from.port, from.address, () => undefined));
      });
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind(port, host, () => {
            udp.off('error', reject);
            resolve();
          });
        });
        udp.on('error', () => undefined);
        return new LoopbackDnsServer(host, port, udp, tcp, connections);
      } catch (error) {
        // Someone holds that UDP port: try another pair.
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
        if (attempt >= 20) throw error;
      }
    }
  }

  /** Stop listening and drop every open connection. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const socket of this.#connections) socket.destroy();
      let pending = 2;
      const done = (): void => {
        if (--pending === 0) resolve();
      };
      this.#tcp.close(() => done());
      this.#udp.close(() => done());
    });
    return this.#closing;
  }
}

/** RFC 1035 §4.2.2 framing (a two-octet length before each message), any number of queries per connection, answered in turn. */
function serveConnection(socket: Socket, handler: QueryHandler): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
      buffered = buffered.subarray(2 + message.length);
      const request = parseRequest(message);
      if (!request) continue;
      respond(handler, request, 'tcp', MAX_TCP, (reply) => {
        const length = Buffer.alloc(2);
        length.writeUInt16BE(reply.length);
        if (!socket.destroyed) socket.write(Buffer.concat([length, reply]));
      });
    }
  });
}

/** A query, or `undefined` for bytes that are not one (dropped, as a server drops garbage). */
function parseRequest(message: Buffer): DnsRequest | undefined {
  try {
    return Packet.parse(message);
  } catch {
    return undefined;
  }
}

/** RFC 6891 §6.2.5: the requestor's advertised size, never below 512; 512 without EDNS. */
function udpLimit(request: DnsRequest): number {
  const opt = request.additionals.find((record) => record.type === 41);
  return opt ? Math.max(MAX_UDP_WITHOUT_EDNS, Number(opt.class) || 0) : MAX_UDP_WITHOUT_EDNS;
}

function respond(handler: QueryHandler, request: DnsRequest, transport: 'udp' | 'tcp', limit: number, send: Send): void {
  try {
    const question = request.questions[0];
    if (!question) return;
    const query: IncomingQuery = {
      name: String(question.name).toLowerCase(),
      type: TYPE_NAMES[Number(question.type)] ?? `TYPE${String(question.type)}`,
      transport,
    };
    const answer = handler.answer(query);
    if (answer === 'drop') return;
    const opt = request.additionals.find((record) => record.type === 41);
    const message: ResponseMessage = {
      ...answer,
      id: request.header.id ?? 0,
      recursionDesired: request.header.rd === 1,
      question: { name: String(question.name), type: Number(question.type), class: Number(question.class) },
      ednsUdpSize: opt ? Number(opt.class) : undefined,
    };
    const { buffer, truncated } = encodeResponse(message, limit);
    handler.replied(query, truncated);
    send(buffer);
  } catch {
    // A handler that throws answers SERVFAIL, as a broken server would.
    const failure = Buffer.from(request.header.id === undefined ? [] : [request.header.id >> 8, request.header.id & 0xff, 0x81, 0x02, 0, 0, 0, 0, 0, 0, 0, 0]);
    if (failure.length > 0) send(failure);
  }
}
