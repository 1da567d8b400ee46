// The sidecar's HTTP port, on the pod's address:
//
//   GET /startup        200 once the data dir is in place: the startupProbe that holds back the
//                       mariadb container (a native sidecar's startup gates the main container)
//   GET /ready          the readinessProbe: the library's createMemberReadiness() handler, 200 only
//                       once this pod has joined (role applied, formed latch written), 503 before,
//                       while draining and on the losing side of a split, with the reason
//   GET /report         this pod's ClusterReport, for its peers' bootstrap probe and split checks:
//                       its database's cluster and primary, and whether it is draining
//   GET /drain          the mariadb container's preStop hook: drain, finish the clone being
//                       served, then answer; the kubelet sends SIGTERM after that
//   GET /clone/backup   a streamed mariadb-backup of the local server (for a joiner's init)
//   GET /clone/dump     a consistent mariadb-dump with its GTID position (without mariadb-backup)
//
// Clones are served one at a time (the tutorial's ncat --max-conns=1), only once the local server
// is positioned and while the pod is not draining (`status.cloneable`).
import { createServer } from 'node:http';
import { CLONE_METHODS, sendClone } from './clone.mjs';

export async function startSidecarServer({ address, port, status, readiness, report, drain, cloneContext, log }) {
  let cloning = null;
  let clone = null;
  const reply = (response, code, text) => response.writeHead(code, { 'content-type': 'text/plain' }).end(`${text}\n`);
  const answer = (response, work, ok) =>
    Promise.resolve()
      .then(work)
      .then(ok, (error) => reply(response, 503, error.code ?? error.message));
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sidecar');
    const path = url.pathname;
    if (request.method !== 'GET' && !(request.method === 'HEAD' && path === '/ready')) return reply(response, 405, 'GET only');
    if (path === '/startup') return status.started ? reply(response, 200, 'started') : reply(response, 503, status.phase);
    if (path === '/ready') return readiness.handler(request, response);
    if (path === '/report') {
      return answer(response, report, (value) => response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(value)));
    }
    if (path === '/drain') return answer(response, drain, () => reply(response, 200, 'drained'));
    const method = /^\/clone\/([a-z]+)$/.exec(path)?.[1];
    if (!method || !CLONE_METHODS.includes(method)) return reply(response, 404, 'not found');
    if (!status.cloneable) return reply(response, 503, `not cloneable: ${status.phase}`);
    if (!cloneContext.methods.includes(method)) return reply(response, 501, `${method} is not available here`);
    if (cloning) return reply(response, 503, `busy with a clone for ${cloning}`);
    cloning = url.searchParams.get('for') || request.socket.remoteAddress;
    log(`serving a clone (${method}) to ${cloning}`);
    clone = sendClone(method, response, cloneContext)
      .then(() => log(`clone (${method}) sent to ${cloning}`))
      .catch((error) => log(`clone (${method}) to ${cloning} failed: ${error.message}`))
      .finally(() => {
        cloning = null;
        clone = null;
      });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, resolve);
  });
  return {
    /** The clone being served (it never rejects), or null: a draining pod finishes it before it stops. */
    cloneInFlight: () => (clone ? { to: cloning, done: clone } : null),
    /** Stop listening and drop every connection. */
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
