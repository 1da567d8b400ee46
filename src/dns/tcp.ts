/**
 * TCP to one nameserver (RFC 1035 §4.2.2: each message preceded by its length in two octets).
 * Queries asked together share one connection, pipelined (RFC 7766 §6.2.1.1): a poll that asks
 * SRV and the Service's addresses over TCP opens one connection, not two. Answers are matched by
 * ID and question, in whatever order they come. A server that closes the connection after one
 * answer (it does not pipeline) gets the remaining queries again, one connection each, from
 * then on.
 *
 * @module
 */
import { connect, type Socket } from 'node:net';
import { controlExchange, type Exchange, type ExchangeControl, type QueryExchange } from './exchange';
import { decodeResponse, encodeQuery, type Question } from './message';
import { IdAllocator } from './query-ids';
import type { Nameserver } from './types';

interface Pending {
  readonly name: string;
  readonly type: Question['type'];
  readonly control: ExchangeControl;
  /** Set once the query is sent on a connection, with an ID unique on it. */
  question: Question | undefined;
  connection: Connection | undefined;
}

/** One TCP connection and the queries waiting on it. */
class Connection {
  readonly socket: Socket;
  readonly pending = new Map<number, Pending>();
  readonly ids = new IdAllocator();
  answered = 0;
  #buffered: Buffer = Buffer.alloc(0);

  constructor(server: Nameserver, onClose: (connection: Connection, error: Error) => void) {
    this.socket = connect({ host: server.address, port: server.port, family: server.family });
    this.socket.unref();
    this.socket.setNoDelay(true);
    this.socket.on('error', (error) => onClose(this, error));
    this.socket.on('close', () => onClose(this, new Error('connection to the nameserver closed before a response')));
    this.socket.on('data', (chunk: Buffer) => this.#receive(chunk));
  }

  send(pending: Pending): void {
    const id = this.ids.take();
    const question: Question = { id, name: pending.name, type: pending.type };
    pending.question = question;
    pending.connection = this;
    this.pending.set(id, pending);
    const query = encodeQuery(question);
    const framed = Buffer.allocUnsafe(2 + query.length);
    framed.writeUInt16BE(query.length, 0);
    query.copy(framed, 2);
    this.socket.write(framed);
  }

  forget(pending: Pending): void {
    const id = pending.question?.id;
    if (id === undefined || this.pending.get(id) !== pending) return;
    this.pending.delete(id);
    this.ids.release(id);
  }

  destroy(): void {
    this.socket.removeAllListeners('data');
    this.socket.destroy();
  }

  #receive(chunk: Buffer): void {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    while (this.#buffered.length >= 2) {
      const length = this.#buffered.readUInt16BE(0);
      if (this.#buffered.length < 2 + length) return;
      const message = this.#buffered.subarray(2, 2 + length);
      this.#buffered = this.#buffered.subarray(2 + length);
      const pending = message.length >= 2 ? this.pending.get(message.readUInt16BE(0)) : undefined;
      if (!pending?.question) {
        for (const waiting of this.pending.values()) waiting.control.ignore();
        continue;
      }
      const response = decodeResponse(message, pending.question);
      if ('rejected' in response) {
        pending.control.ignore();
        continue;
      }
      this.answered += 1;
      pending.control.respond(response);
    }
  }
}

/** TCP exchanges with `server`; see the module description. */
export class TcpChannel {
  readonly #server: Nameserver;
  #shared: Connection | undefined;
  #pipelining = true;
  #closed = false;
  readonly #connections = new Set<Connection>();

  constructor(server: Nameserver) {
    this.#server = server;
  }

  /**
   * Ask `name`/`type` and wait up to `timeoutMs` (connection included) for the answer. A server
   * that accepts and never answers times out. Rejects only when `signal` aborts.
   */
  async exchange(name: string, type: Question['type'], timeoutMs: number, signal: AbortSignal): Promise<QueryExchange> {
    signal.throwIfAborted();
    let pending: Pending | undefined;
    const exchange = await new Promise<Exchange>((resolve, reject) => {
      const control = controlExchange(timeoutMs, signal, () => pending && this.#settled(pending), resolve, reject);
      pending = { name, type, control, question: undefined, connection: undefined };
      if (this.#closed) return control.fail(new Error('the resolver was closed'));
      this.#connectionFor().send(pending);
    });
    return { question: (pending as Pending).question as Question, exchange };
  }

  /** Close every connection; queries still waiting end as network errors. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const connection of [...this.#connections]) this.#drop(connection, new Error('the resolver was closed'));
  }

  #connectionFor(): Connection {
    if (this.#pipelining && this.#shared) return this.#shared;
    const connection = new Connection(this.#server, (closed, error) => this.#lost(closed, error));
    this.#connections.add(connection);
    if (this.#pipelining) this.#shared = connection;
    return connection;
  }

  /** A query ended: when its connection has nothing left to wait for, close it (a later poll opens a new one). */
  #settled(pending: Pending): void {
    const connection = pending.connection;
    if (!connection) return;
    connection.forget(pending);
    if (connection.pending.size > 0) return;
    if (this.#shared === connection) this.#shared = undefined;
    this.#connections.delete(connection);
    connection.destroy();
  }

  /** The connection closed or failed with queries waiting. */
  #lost(connection: Connection, error: Error): void {
    if (!this.#connections.has(connection)) return;
    const orphans = [...connection.pending.values()];
    // It answered some and dropped the rest: a server that does not pipeline. Ask the rest again, one connection each.
    if (connection.answered > 0 && orphans.length > 0 && !this.#closed) {
      this.#pipelining = false;
      this.#connections.delete(connection);
      if (this.#shared === connection) this.#shared = undefined;
      connection.destroy();
      for (const pending of orphans) {
        connection.forget(pending);
        this.#connectionFor().send(pending);
      }
      return;
    }
    this.#drop(connection, error);
  }

  #drop(connection: Connection, error: Error): void {
    this.#connections.delete(connection);
    if (this.#shared === connection) this.#shared = undefined;
    for (const pending of [...connection.pending.values()]) pending.control.fail(error);
    connection.destroy();
  }
}
