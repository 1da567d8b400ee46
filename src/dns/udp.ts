/**
 * One query to one nameserver over UDP.
 *
 * @module
 */
import { createSocket } from 'node:dgram';
import { decodeResponse, encodeQuery, type Question } from './message';
import { isServerAddress, settleOnce, type Exchange } from './exchange';
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
    let ignored = 0;
    const onAbort = (): void => settle.reject(signal.reason);
    const timer = setTimeout(() => settle.resolve({ kind: 'timeout', ignored }), timeoutMs);
    const settle = settleOnce<Exchange>(
      () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.removeAllListeners('message');
        socket.on('error', () => undefined);
        socket.close();
      },
      resolve,
      reject,
    );
    signal.addEventListener('abort', onAbort, { once: true });

    socket.on('error', (error) => settle.resolve({ kind: 'error', error, ignored }));
    socket.on('message', (message, from) => {
      // RFC 5452 §9.1: accept only the queried server's address and port.
      if (from.port !== server.port || !isServerAddress(server, from.address)) {
        ignored++;
        return;
      }
      const response = decodeResponse(message, question);
      if ('rejected' in response) {
        ignored++;
        return;
      }
      settle.resolve({ kind: 'response', response, ignored });
    });
    socket.connect(server.port, server.address, () => {
      socket.send(encodeQuery(question), (error) => {
        if (error) settle.resolve({ kind: 'error', error, ignored });
      });
    });
  });
}
