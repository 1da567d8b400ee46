// Copying a peer's data: the joiner asks the donor's sidecar (GET /clone/<method> on its sidecar
// port) and receives a stream, as the tutorial's clone-mysql init container does with ncat. The
// donor answers 503 until its own server is up and positioned (a clone taken before that would
// carry no GTID position), and while it serves another clone; the joiner retries until then.
import { setTimeout as sleep } from 'node:timers/promises';
import { receiveBackup, sendBackup } from './clone-backup.mjs';
import { receiveDump, sendDump } from './clone-dump.mjs';

export const CLONE_METHODS = ['backup', 'dump'];

/** Donor: stream a clone of the local server with `method` into `response`. */
export function sendClone(method, response, context) {
  return method === 'backup' ? sendBackup(response, context) : sendDump(response, context);
}

/**
 * Joiner: fill `dataDir` with a clone of `peer`'s data; resolves with `{ gtid }`, the position
 * the clone is consistent with. Waits for the donor for up to `timeoutMs`.
 */
export async function cloneFrom(peer, { method, sidecarPort, requester, timeoutMs = 120_000, signal, onWait, ...context }) {
  const url = `http://${peer.addresses[0]}:${sidecarPort}/clone/${method}?for=${encodeURIComponent(requester)}`;
  const deadline = Date.now() + timeoutMs;
  let waitingFor = '';
  for (;;) {
    let why;
    try {
      const response = await fetch(url, { signal });
      if (response.ok) return await receive(method, response.body, { ...context, signal });
      why = `${response.status} ${(await response.text()).trim()}`;
    } catch (error) {
      // Only a donor that is not listening yet is waited for; a clone that fails half-way fails.
      if (signal?.aborted || error.received || error.name !== 'TypeError' || !error.cause) throw error;
      why = error.cause.code ?? error.cause.message;
    }
    if (Date.now() > deadline) throw new Error(`no clone from ${peer.name} within ${timeoutMs} ms (${why})`);
    if (why !== waitingFor) onWait?.((waitingFor = why));
    await sleep(250, undefined, { signal });
  }
}

async function receive(method, body, context) {
  try {
    return await (method === 'backup' ? receiveBackup : receiveDump)(body, context);
  } catch (error) {
    throw Object.assign(new Error(`the clone failed half-way: ${error.message}`, { cause: error }), { received: true });
  }
}
