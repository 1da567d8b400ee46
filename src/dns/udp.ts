/**
 * One query to one nameserver over UDP.
 *
 * @module
 */
import { createSocket } from 'node:dgram';
import { decodeResponse, encodeQuery, type Question } from './message';
import { controlExchange, isServerAddress, type Exchange } from './exchange';
import type { Nameserver } from './types';

/**
 * Send `question` to `server` over UDP and wait up to `timeoutMs` for the response. The socket
 * is connected, so an ICMP port-unreachable ends the exchange at once (ECONNREFUSED) instead of
 * costing the whole timeout. Datagrams that are not the response (another source, ID or
 * question, or undecodable) are ignored and counted. Rejects only when `signal` aborts.
 */
export function exchangeUdp(server: Nameserver, question: Question, timeoutMs: number, signal: AbortSignal): Promise<Exchange> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const socket = createSocket(server.family === 6 ? 'udp6' : 'udp4');
    const exchange = controlExchange(
      timeoutMs,
      signal,
      () => {
        socket.removeAllListeners('message');
        socket.on('error', () => undefined);
        socket.close();
      },
      resolve,
      reject,
    );

    socket.on('error', (error) => exchange.fail(error));
    socket.on('message', (message, from) => {
      // RFC 5452 §9.1: accept only the queried server's address and port.
      if (from.port !== server.port || !isServerAddress(server, from.address)) return exchange.ignore();
      const response = decodeResponse(message, question);
      if ('rejected' in response) return exchange.ignore();
      exchange.respond(response);
    });
    socket.connect(server.port, server.address, () => {
      socket.send(encodeQuery(question), (error) => {
        if (error) exchange.fail(error);
      });
    });
  });
}
