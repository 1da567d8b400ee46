/**
 * UDP to one nameserver: one connected socket, kept for the resolver's life and shared by every
 * query to that server. Answers are matched to their query by ID and question; a bounded
 * number of queries is in flight at once, so a fan-out over a large Service never overflows the
 * socket's receive buffer.
 *
 * @module
 */
import type { Socket } from 'node:dgram';
import { controlExchange, isServerAddress, type Exchange, type ExchangeControl, type QueryExchange } from './exchange';
import { decodeResponse, encodeQuery, type Question } from './message';
import { IdAllocator } from './query-ids';
import { Slots } from './slots';
import type { Nameserver } from './types';

/** Queries in flight on one socket: 64 full-size answers (1232 bytes each) fit the default receive buffer with room to spare. */
export const UDP_MAX_IN_FLIGHT = 64;

interface Pending {
  readonly question: Question;
  readonly control: ExchangeControl;
}

/** A connected UDP socket to `server`, opened on first use; see the module description. */
export class UdpChannel {
  readonly #server: Nameserver;
  readonly #pending = new Map<number, Pending>();
  readonly #ids = new IdAllocator();
  readonly #slots = new Slots(UDP_MAX_IN_FLIGHT);
  #socket: { readonly socket: Socket; readonly connected: Promise<void> } | undefined;
  #closed = false;

  constructor(server: Nameserver) {
    this.#server = server;
  }

  /**
   * Send a query for `name`/`type` and wait up to `timeoutMs` (from the moment it is sent) for
   * its answer. Datagrams that are not the answer (another ID or question, undecodable) are
   * ignored and counted; an ICMP port-unreachable fails every query waiting on the socket at
   * once (ECONNREFUSED) instead of costing the whole timeout. Rejects only when `signal` aborts.
   */
  async exchange(name: string, type: Question['type'], timeoutMs: number, signal: AbortSignal): Promise<QueryExchange> {
    signal.throwIfAborted();
    await this.#slots.acquire(signal);
    const id = this.#ids.take();
    const question: Question = { id, name, type };
    try {
      const { socket, connected } = this.#open();
      const exchange = await new Promise<Exchange>((resolve, reject) => {
        const control = controlExchange(timeoutMs, signal, () => this.#pending.delete(id), resolve, reject);
        this.#pending.set(id, { question, control });
        connected.then(
          () => socket.send(encodeQuery(question), (error) => error && control.fail(error)),
          (error: Error) => control.fail(error),
        );
      });
      return { question, exchange };
    } finally {
      this.#ids.release(id);
      this.#slots.release();
    }
  }

  /** Close the socket; queries still waiting end as network errors. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#discard(new Error('the resolver was closed'));
  }

  #open(): { readonly socket: Socket; readonly connected: Promise<void> } {
    if (this.#closed) throw new Error('the resolver was closed');
    if (this.#socket) return this.#socket;
    const server = this.#server;
    // Loaded by the first socket, not by importing the library.
    const socket = process.getBuiltinModule('node:dgram').createSocket(server.family === 6 ? 'udp6' : 'udp4');
    socket.unref();
    const connected = new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    connected.catch(() => undefined);
    socket.on('error', (error) => {
      // ECONNREFUSED and friends concern the server, so every query waiting on it.
      if (this.#socket?.socket === socket) this.#discard(error);
    });
    socket.on('message', (message, from) => this.#receive(message, from.address, from.port));
    socket.connect(server.port, server.address);
    this.#socket = { socket, connected };
    return this.#socket;
  }

  #receive(message: Buffer, address: string, port: number): void {
    // RFC 5452 §9.1: only the queried server's address and port. The kernel already filters a
    // connected socket; this is the second line of defence (a string compare, BlockList only
    // for another spelling of the same IPv6 address).
    const server = this.#server;
    if (port !== server.port || (address !== server.address && !isServerAddress(server, address))) return this.#ignoreAll();
    const pending = message.length >= 2 ? this.#pending.get(message.readUInt16BE(0)) : undefined;
    if (!pending) return this.#ignoreAll();
    const response = decodeResponse(message, pending.question);
    if ('rejected' in response) return pending.control.ignore();
    pending.control.respond(response);
  }

  /** A datagram no query claims counts as ignored by every query waiting (a lone query sees it as its own). */
  #ignoreAll(): void {
    for (const pending of this.#pending.values()) pending.control.ignore();
  }

  #discard(error: Error): void {
    const open = this.#socket;
    this.#socket = undefined;
    for (const pending of [...this.#pending.values()]) pending.control.fail(error);
    if (!open) return;
    open.socket.removeAllListeners('message');
    open.socket.on('error', () => undefined);
    try {
      open.socket.close();
    } catch {
      // Already closed.
    }
  }
}
