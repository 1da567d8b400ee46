// The one-line protocol every simulated MySQL pod speaks on its port: the client sends
// `PROBE\n`, the pod answers one line of JSON ({ clusterId, role, members, replicateFrom }) and
// closes. A connection that sends nothing (a TCP readiness probe) is simply closed.
import { connect } from 'node:net';

export const PROBE_REQUEST = 'PROBE\n';

export function askPod(host, port, { signal, timeoutMs = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = '';
    const fail = (error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => fail(signal.reason ?? new Error('aborted'));
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(PROBE_REQUEST));
    socket.on('data', (chunk) => {
      received += chunk;
      const end = received.indexOf('\n');
      if (end === -1) return;
      cleanup();
      socket.end();
      try {
        resolve(JSON.parse(received.slice(0, end)));
      } catch (error) {
        reject(error);
      }
    });
    socket.on('error', fail);
    socket.on('close', () => fail(new Error(`${host}:${port} closed the connection without answering`)));
  });
}
