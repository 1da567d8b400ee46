/**
 * One query to one nameserver over TCP (RFC 1035 §4.2.2: each message is preceded by its
 * length in two octets), used when the UDP answer was truncated.
 *
 * @module
 */
import { connect } from 'node:net';
import { decodeResponse, encodeQuery, type Question } from './message';
import { controlExchange, type Exchange } from './exchange';
import type { Nameserver } from './types';

/**
 * Send `question` to `server` over TCP and wait up to `timeoutMs` (connection included) for the
 * response. A server that accepts and never answers times out; the socket is always destroyed.
 * Messages on the connection that are not the response are ignored and counted.
 */
export function exchangeTcp(server: Nameserver, question: Question, timeoutMs: number, signal: AbortSignal): Promise<Exchange> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.address, port: server.port, family: server.family });
    let buffered: Buffer = Buffer.alloc(0);
    const exchange = controlExchange(
      timeoutMs,
      signal,
      () => {
        socket.removeAllListeners('data');
        socket.on('error', () => undefined);
        socket.destroy();
      },
      resolve,
      reject,
    );

    socket.on('error', (error) => exchange.fail(error));
    socket.on('close', () => exchange.fail(new Error('connection to the nameserver closed before a response')));
    socket.on('connect', () => {
      const query = encodeQuery(question);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) return;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const response = decodeResponse(message, question);
        if ('rejected' in response) {
          exchange.ignore();
          continue;
        }
        exchange.respond(response);
        return;
      }
    });
  });
}
