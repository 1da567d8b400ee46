// What the kubelet does for one pod, on a laptop: start the init + sidecar container (pod.mjs),
// start the mariadb container once the sidecar's startup probe passes (as Kubernetes does for a
// native sidecar), answer "is the pod Ready?" from both containers' readiness probes, stop both
// with SIGTERM and a grace period, and notice when either exits unexpectedly.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startMariadb } from './mariadb-container.mjs';
import { adminConnection, withConnection } from './sql.mjs';
import { waitFor } from './wait-for.mjs';

const POD_SCRIPT = join(import.meta.dirname, 'pod.mjs');
const GRACE_MS = 30_000;

export function runPod({ name, address, runDir, env, tools, log, onMessage }) {
  const sidecarUrl = `http://${address}:${env.SIDECAR_PORT}`;
  const probe = async (path) => (await fetch(`${sidecarUrl}${path}`, { signal: AbortSignal.timeout(2000) })).ok;
  const pod = {
    name,
    address,
    socketPath: join(runDir, 'mysqld.sock'),
    stopping: false,
    /** Why the pod failed (a container exited by itself), or null. */
    failure: null,
    mariadb: null,
    /** Both containers' readiness probes: the sidecar's /ready, and mariadbd answering on its socket. */
    async ready() {
      if (!pod.mariadb || !(await probe('/ready'))) return false;
      await withConnection(adminConnection(pod.socketPath), (connection) => connection.ping());
      return true;
    },
    stop,
    /** SIGKILL whatever still runs (the last resort of an exiting run.mjs). */
    kill() {
      for (const child of [sidecar, pod.mariadb?.child]) if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };

  const sidecar = fork(POD_SCRIPT, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const sidecarExited = new Promise((resolve) => sidecar.once('close', (code, signal) => resolve({ code, signal })));
  for (const stream of [sidecar.stdout, sidecar.stderr]) createInterface({ input: stream }).on('line', (line) => log(`${name}: ${line}`));
  sidecar.on('message', (message) => onMessage(message));
  sidecarExited.then(({ code, signal }) => {
    if (!pod.stopping) pod.failure ??= `${name}: its init + sidecar container exited (${signal ?? `code ${code}`})`;
  });

  // The startup probe: the mariadb container starts once the init step has put the data in place.
  waitFor(`${name}'s sidecar reports started`, () => probe('/startup').catch(() => false), {
    timeoutMs: 10 * 60_000,
    failure: () => pod.failure ?? (pod.stopping ? `${name} is stopping` : null),
  })
    .then(() => {
      if (pod.stopping) return;
      pod.mariadb = startMariadb({ tools, runDir });
      pod.mariadb.exited.then(async ({ code, signal }) => {
        if (pod.stopping) return;
        pod.failure ??= `${name}: mariadbd exited (${signal ?? `code ${code}`})`;
        log(`${name}: mariadbd exited unexpectedly; its log ends with:\n${await pod.mariadb.logTail()}`);
      });
    })
    .catch((error) => {
      if (!pod.stopping) pod.failure ??= error.message;
    });

  async function stop() {
    pod.stopping = true;
    const exits = [sidecarExited, pod.mariadb?.exited].filter(Boolean);
    for (const child of [pod.mariadb?.child, sidecar]) if (child?.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => pod.kill(), GRACE_MS);
    await Promise.all(exits);
    clearTimeout(timer);
  }

  return pod;
}
