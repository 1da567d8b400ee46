// What the kubelet does for one pod, on a laptop: start the init + sidecar container (pod.mjs),
// start the mariadb container once the sidecar's startup probe passes (as Kubernetes does for a
// native sidecar), answer "is the pod Ready?" from both containers' readiness probes, stop the pod
// as Kubernetes deletes one, and notice when either container exits unexpectedly.
//
// Deleting a pod: the mariadb container's preStop hook (GET /drain on the sidecar: the pod
// drains) runs first; then mariadbd gets SIGTERM (its clean shutdown); then, the main container
// gone, the native sidecar gets SIGTERM. All within the grace period, then SIGKILL.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startMariadb } from './mariadb-container.mjs';
import { adminConnection, withConnection } from './sql.mjs';
import { waitFor } from './wait-for.mjs';

const POD_SCRIPT = join(import.meta.dirname, 'pod.mjs');
// The manifests' terminationGracePeriodSeconds.
const GRACE_MS = 60_000;

export function runPod({ name, address, runDir, env, tools, log, onMessage }) {
  const sidecarUrl = `http://${address}:${env.SIDECAR_PORT}`;
  const get = (path, timeoutMs = 2000) => fetch(`${sidecarUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  let lastReadiness = null;
  const pod = {
    name,
    address,
    socketPath: join(runDir, 'mysqld.sock'),
    stopping: false,
    /** Why the pod failed (a container exited by itself), or null. */
    failure: null,
    mariadb: null,
    /**
     * The sidecar's readinessProbe (GET /ready: the library's createMemberReadiness handler):
     * `{ status, body }`. Every change is logged and reported (type `readiness`).
     */
    async readiness(timeoutMs = 2000) {
      const response = await get('/ready', timeoutMs);
      const answer = { status: response.status, body: (await response.text()).trim() };
      if (answer.status !== lastReadiness?.status || answer.body !== lastReadiness?.body) {
        lastReadiness = answer;
        log(`${name}: readinessProbe ${answer.status} ${answer.body}`);
        onMessage({ pod: name, type: 'readiness', ...answer });
      }
      return answer;
    },
    /** Both containers' readiness probes: the sidecar's /ready, and mariadbd answering on its socket. */
    async ready() {
      if (!pod.mariadb || (await pod.readiness()).status !== 200) return false;
      await withConnection(adminConnection(pod.socketPath), (connection) => connection.ping());
      return true;
    },
    stop,
    /** SIGKILL whatever still runs (the last resort of an exiting run.mjs). */
    kill() {
      for (const child of [sidecar, pod.mariadb?.child]) if (running(child)) child.kill('SIGKILL');
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
  waitFor(`${name}'s sidecar reports started`, () => get('/startup').then((response) => response.ok, () => false), {
    timeoutMs: 10 * 60_000,
    failure: () => pod.failure ?? (pod.stopping ? `${name} is stopping` : null),
  })
    .then(async () => {
      if (pod.stopping) return;
      // Readiness probes start once the startup probe passed: the first answer, before the
      // database even runs, can only be "not ready" (a patient first probe, so that it is seen).
      await pod.readiness(10_000).catch(() => undefined);
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

  /**
   * Delete the pod. `whileDraining`, if given, runs once the preStop hook returned and before
   * SIGTERM: the run uses it to show what peers do while this pod drains (in a cluster that lasts
   * as long as the hand-over).
   */
  async function stop({ whileDraining } = {}) {
    pod.stopping = true;
    if (running(sidecar)) {
      // The preStop hook; a failed hook does not stop the deletion (as in Kubernetes).
      await get('/drain', GRACE_MS)
        .then(async (response) => response.ok || log(`${name}: preStop hook answered ${response.status} ${(await response.text()).trim()}`))
        .catch((error) => log(`${name}: preStop hook failed: ${error.message}`));
    }
    // Whatever happens meanwhile, the deletion goes on.
    const meanwhile = await Promise.resolve()
      .then(whileDraining)
      .then(() => null, (error) => error);
    const exits = await terminate();
    if (meanwhile) throw meanwhile;
    return exits;
  }

  /** SIGTERM to the main container, then (once it has exited) to the native sidecar; SIGKILL after the grace period. */
  async function terminate() {
    const timer = setTimeout(() => pod.kill(), GRACE_MS);
    if (running(pod.mariadb?.child)) pod.mariadb.child.kill('SIGTERM');
    await pod.mariadb?.exited;
    if (running(sidecar)) sidecar.kill('SIGTERM');
    const [sidecarExit, mariadbExit] = await Promise.all([sidecarExited, pod.mariadb?.exited]);
    clearTimeout(timer);
    return { sidecar: sidecarExit, mariadb: mariadbExit ?? null };
  }

  return pod;
}

const running = (child) => Boolean(child) && child.exitCode === null && child.signalCode === null;
