/**
 * The fake API's network side: an HTTPS server on a loopback port, every socket tracked so a
 * test can drop them, and the two ways a server goes dark: refusing connections (the port is
 * closed, and opened again on the same number afterwards) or hanging (requests are read and
 * never answered).
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** The server's certificate chain and key (PEM). */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
}

/** An HTTPS server on loopback. */
export class LoopbackHttpsServer {
  readonly host: string;
  #port = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #held = new Set<ServerResponse>();
  #refusing = false;
  #hanging = false;

  constructor(host: string, tls: TlsMaterial, handle: (request: IncomingMessage, response: ServerResponse) => void) {
    this.host = host;
    this.#server = createServer({ cert: tls.cert, key: tls.key }, handle);
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    // A client that gives up mid-handshake is not the server's problem.
    this.#server.on('tlsClientError', () => undefined);
  }

  /** The port, the same before and after an outage. */
  get port(): number {
    return this.#port;
  }

  /** Listen on `port` (0: a free one). */
  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(port, this.host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  /** Refuse connections (close the port and drop every open one) until {@link resume}. */
  async refuse(): Promise<void> {
    if (this.#refusing) return;
    this.#refusing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.dropAll();
    await closed;
  }

  /** Accept connections and read requests, never answering them, until {@link resume}. */
  hang(): void {
    this.#hanging = true;
  }

  /** Whether requests are left unanswered. */
  get hanging(): boolean {
    return this.#hanging;
  }

  /** Leave a request unanswered (while hanging): it is dropped when the outage ends. */
  hold(response: ServerResponse): void {
    this.#held.add(response);
    response.once('close', () => this.#held.delete(response));
  }

  /** End an outage: listen again on the same port, or drop the requests left hanging. */
  async resume(): Promise<void> {
    if (this.#hanging) {
      this.#hanging = false;
      for (const response of this.#held) response.socket?.destroy();
      this.#held.clear();
    }
    if (this.#refusing) {
      this.#refusing = false;
      await this.listen(this.#port);
    }
  }

  /** Drop every connection without a word. */
  dropAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Stop listening and drop every connection. Idempotent. */
  async close(): Promise<void> {
    this.#hanging = false;
    const closed = this.#server.listening ? new Promise<void>((resolve) => this.#server.close(() => resolve())) : Promise.resolve();
    this.dropAll();
    await closed;
  }
}
