// The sidecar's HTTP port, on the pod's address:
//
//   GET /startup        200 once the data dir is in place: the startupProbe that holds back the
//                       mariadb container (a native sidecar's startup gates the main container)
//   GET /ready          200 once the server is up and its role applied: the sidecar's
//                       readinessProbe, so the pod is Ready only when it replicates or leads
//   GET /clone/backup   a streamed mariadb-backup of the local server (for a joiner's init)
//   GET /clone/dump     a consistent mariadb-dump with its GTID position (without mariadb-backup)
//
// Clones are served one at a time (the tutorial's ncat --max-conns=1), only once the local server
// is positioned (`status.cloneable`).
import { createServer } from 'node:http';
import { CLONE_METHODS, sendClone } from './clone.mjs';

export async function startSidecarServer({ address, port, status, cloneContext, log }) {
  let cloning = null;
  const reply = (response, code, text) => response.writeHead(code, { 'content-type': 'text/plain' }).end(`${text}\n`);
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sidecar');
    const path = url.pathname;
    if (request.method !== 'GET') return reply(response, 405, 'GET only');
    if (path === '/startup') return status.started ? reply(response, 200, 'started') : reply(response, 503, status.phase);
    if (path === '/ready') return status.ready ? reply(response, 200, 'ready') : reply(response, 503, status.phase);
    const method = /^\/clone\/([a-z]+)$/.exec(path)?.[1];
    if (!method || !CLONE_METHODS.includes(method)) return reply(response, 404, 'not found');
    if (!status.cloneable) return reply(response, 503, `not cloneable yet: ${status.phase}`);
    if (!cloneContext.methods.includes(method)) return reply(response, 501, `${method} is not available here`);
    if (cloning) return reply(response, 503, `busy with a clone for ${cloning}`);
    cloning = url.searchParams.get('for') || request.socket.remoteAddress;
    log(`serving a clone (${method}) to ${cloning}`);
    sendClone(method, response, cloneContext)
      .then(() => log(`clone (${method}) sent to ${cloning}`))
      .catch((error) => log(`clone (${method}) to ${cloning} failed: ${error.message}`))
      .finally(() => (cloning = null));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, resolve);
  });
  return server;
}
