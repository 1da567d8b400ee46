// The StatefulSet controller, on a laptop: a headless Service `mysql` in the fake cluster DNS
// (named port `mysql`, publishNotReadyAddresses), pods created one at a time, each once the
// previous one is Ready (podManagementPolicy: OrderedReady) and removed highest ordinal first, a
// volume per pod that outlives the pod, and a re-created pod that comes back at a new address.
// Every pod is run by kubelet.mjs.
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runPod } from './kubelet.mjs';
import { waitFor } from './wait-for.mjs';

export async function createStatefulSet({ cluster, name, root, tools, podEnv, log, signal }) {
  const mysqlPort = await freePort('127.244.0.1');
  let sidecarPort = await freePort('127.244.0.1');
  while (sidecarPort === mysqlPort) sidecarPort = await freePort('127.244.0.1');
  const service = cluster.defineService({ name, ports: [{ name: 'mysql', port: mysqlPort }], publishNotReadyAddresses: true });
  const pods = new Map();
  /** What the pods reported (decisions, clones, roles), in order, with the pod's incarnation. */
  const events = [];
  let incarnations = 0;

  const volumeOf = (podName) => join(root, 'volumes', podName);
  const failure = () => [...pods.values()].find((pod) => pod.failure)?.failure ?? null;
  const wait = (description, check, options) => waitFor(description, check, { signal, failure, ...options });

  /** Start a pod; resolves once it is Ready, or once `until(pod)` holds when given. */
  async function launch(podName, { env = {}, until } = {}) {
    const incarnation = ++incarnations;
    const address = service.pods.find((candidate) => candidate.name === podName).addresses[0];
    const runDir = join(root, 'run', `${podName}.${incarnation}`);
    await mkdir(runDir, { recursive: true });
    if (join(runDir, 'mysqld.sock').length > 100) throw new Error(`the socket path under ${root} is too long for a unix socket: set TMPDIR to a shorter directory`);
    log(`${podName}: pod created at ${address} (volume ${volumeOf(podName)})`);
    const pod = runPod({
      name: podName,
      address,
      runDir,
      tools,
      log,
      env: {
        ...podEnv,
        POD_NAME: podName,
        POD_NAMESPACE: service.namespace,
        POD_IP: address,
        MYSQL_PORT: String(mysqlPort),
        SIDECAR_PORT: String(sidecarPort),
        VOLUME: volumeOf(podName),
        RUN_DIR: runDir,
        HEADLESS_DISCOVERY_NAMESERVERS: cluster.nameserver,
        CLUSTER_DOMAIN: cluster.clusterDomain,
        ...env,
      },
      onMessage: (message) => events.push({ ...message, incarnation }),
    });
    pod.incarnation = incarnation;
    pods.set(podName, pod);
    if (until) {
      await wait(`${podName} ${until.description}`, () => until(pod), { timeoutMs: 180_000 });
      return pod;
    }
    await wait(`${podName} is Ready`, () => pod.ready().catch(() => false), { timeoutMs: 180_000 });
    log(`${podName}: Ready`);
    return pod;
  }

  return {
    service,
    mysqlPort,
    sidecarPort,
    events,
    failure,
    wait,
    volumeOf,
    /** The running pods, by ordinal. */
    get running() {
      return [...pods.values()].filter((pod) => !pod.stopping).sort((a, b) => ordinalOf(a.name) - ordinalOf(b.name));
    },
    pod(podName) {
      const pod = pods.get(podName);
      if (!pod || pod.stopping) throw new Error(`${podName} is not running`);
      return pod;
    },
    /** Scale up, one pod at a time, each once the previous one is Ready (`options`: see launch). */
    async scaleTo(replicas, options) {
      for (let ordinal = service.pods.length; ordinal < replicas; ordinal++) {
        service.scale(ordinal + 1);
        await launch(`${name}-${ordinal}`, options);
      }
    },
    /** Scale down, the highest ordinal first, each pod deleted (drained, stopped) before the next. Volumes stay. */
    async scaleDown(replicas) {
      for (let ordinal = service.pods.length - 1; ordinal >= replicas; ordinal--) {
        await this.stopPod(`${name}-${ordinal}`);
        service.scale(ordinal);
      }
    },
    /**
     * Delete a pod as Kubernetes does (its preStop hook drains it, then SIGTERM); resolves with
     * how its containers exited. `whileDraining` runs between the hook and SIGTERM.
     */
    async stopPod(podName, { whileDraining } = {}) {
      const exits = await pods.get(podName)?.stop({ whileDraining });
      log(`${podName}: stopped`);
      return exits;
    },
    async deleteVolume(podName) {
      await rm(volumeOf(podName), { recursive: true, force: true });
      log(`${podName}: volume deleted`);
    },
    /** Re-create a stopped pod: same name and volume, a new address (`options`: see launch). */
    async recreate(podName, options) {
      service.restart(podName);
      return launch(podName, options);
    },
    async stopAll() {
      await Promise.all([...pods.values()].filter((pod) => !pod.stopping).map((pod) => pod.stop()));
    },
    killAll() {
      for (const pod of pods.values()) pod.kill();
    },
  };
}

const ordinalOf = (podName) => Number(/-(\d+)$/.exec(podName)?.[1] ?? -1);

function freePort(host) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => {
      if (error.code === 'EADDRNOTAVAIL') {
        error.message = `cannot listen on ${host}: the pods need the 127.244.0.0/16 loopback range (every 127/8 address is local on Linux)`;
      }
      reject(error);
    });
    probe.listen(0, host, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
