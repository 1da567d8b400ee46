/**
 * Pods for the lifecycle scenarios: each is a discovery against the fake cluster DNS, a real
 * HTTP server on the pod's own loopback address (127.244.x.y) answering `GET /cluster` with its
 * report and `GET /ready` with the readiness helper, a probe that asks peers over HTTP, and a
 * "volume": a directory that holds its formed latch and survives a restart unless wiped. Only
 * loopback traffic.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDiscovery,
  createMemberReadiness,
  FormedLatch,
  type BootstrapOptions,
  type BootstrapResult,
  type ClusterProbe,
  type ClusterReport,
  type Discovery,
  type MemberReadiness,
  type Peer,
} from '../../src/index';
import type { FakeCluster, FakeService } from '../../src/testing/index';

/** What one pod's app holds: the report it serves (its cluster, once it has one). */
export interface AppState {
  clusterId?: string;
  primary?: string;
}

/** One running pod. */
export interface ScenarioPod {
  readonly name: string;
  readonly address: string;
  readonly discovery: Discovery;
  readonly latch: FormedLatch;
  readonly readiness: MemberReadiness;
  readonly state: AppState;
  /** The report it serves to peers: its state, and `draining` once `drain()` was called. */
  report(): ClusterReport;
  /** Its discovery's `split` and `healed` events, in order: `split c-2` (the losers), `healed c-1` (the winner). */
  readonly splits: string[];
  /** Resolves once `count` more report requests came from `address` (a peer's probe), e.g. two split checks. */
  askedBy(address: string, count?: number): Promise<void>;
  /** Stop it: close its server and its discovery (the volume stays). */
  stop(): Promise<void>;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** GET `path` of `address:port` (from `localAddress`, as a pod's own requests come from its address), without keep-alive. */
export function httpGet(address: string, port: number, path: string, signal?: AbortSignal, localAddress?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get({ host: address, port, path, agent: false, ...(signal ? { signal } : {}), ...(localAddress ? { localAddress } : {}) }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** The probe of the pod at `from`: ask a peer which cluster it is in, over HTTP. */
export function httpProbe(from: string): ClusterProbe {
  return async (peer: Peer, signal: AbortSignal) => {
    const { status, body } = await httpGet(peer.addresses[0] ?? '', peer.port ?? 0, '/cluster', signal, from);
    if (status !== 200) throw new Error(`status ${status}`);
    return JSON.parse(body) as ClusterReport;
  };
}

/** The pods of one Service, their volumes, and their tear-down. */
export class ScenarioPods {
  readonly #cluster: FakeCluster;
  readonly #service: FakeService;
  readonly #port: number;
  readonly #volumes = new Map<string, string>();
  readonly #running = new Set<ScenarioPod>();

  constructor(cluster: FakeCluster, service: FakeService, port: number) {
    this.#cluster = cluster;
    this.#service = service;
    this.#port = port;
  }

  /** The volume directory of `name` (created on first use). */
  async volume(name: string): Promise<string> {
    let directory = this.#volumes.get(name);
    if (!directory) {
      directory = await mkdtemp(join(tmpdir(), `scenario-${name}-`));
      this.#volumes.set(name, directory);
    }
    return directory;
  }

  /** Lose the volume of `name`: its latch (and data) are gone. */
  async wipe(name: string): Promise<void> {
    const directory = this.#volumes.get(name);
    this.#volumes.delete(name);
    if (directory) await rm(directory, { recursive: true, force: true });
  }

  /** Start `name`: serve its report and readiness on its address, with a discovery of its own. */
  async start(name: string, state: AppState = {}): Promise<ScenarioPod> {
    const address = this.#service.pods.find((pod) => pod.name === name)?.addresses[0];
    if (!address) throw new Error(`no pod ${name} in the fake cluster`);
    const discovery = createDiscovery({
      service: this.#service.name,
      port: 'peer',
      namespace: 'default',
      clusterDomain: this.#cluster.clusterDomain,
      nameservers: [this.#cluster.nameserver],
      podName: name,
      intervalMs: 100,
      jitter: 0,
      dnsTimeoutMs: 500,
      dnsAttempts: 1,
    });
    discovery.on('error', () => undefined);
    const splits: string[] = [];
    discovery.on('split', (split) => splits.push(`split ${split.losers.map((group) => group.clusterId).join(',')}`));
    discovery.on('healed', (previous) => splits.push(`healed ${previous.winner.clusterId}`));
    const waiters = new Set<{ address: string; left: number; done: () => void }>();
    const latch = new FormedLatch(join(await this.volume(name), 'formed-latch.json'));
    const report = (): ClusterReport => ({ ...state, draining: discovery.draining });
    const readiness = createMemberReadiness(discovery, { report });
    const server: Server = createServer((request, response) => {
      if (request.url === '/ready') return readiness.handler(request, response);
      for (const waiter of waiters) {
        if (waiter.address !== request.socket.remoteAddress || --waiter.left > 0) continue;
        waiters.delete(waiter);
        waiter.done();
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(report()));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, address, resolve);
    });
    const pod: ScenarioPod = {
      name,
      address,
      discovery,
      latch,
      readiness,
      state,
      report,
      splits,
      askedBy: (from, count = 1) => new Promise<void>((done) => void waiters.add({ address: from, left: count, done })),
      stop: async () => {
        this.#running.delete(pod);
        server.closeAllConnections();
        await Promise.all([new Promise((resolve) => server.close(resolve)), discovery.close()]);
      },
    };
    this.#running.add(pod);
    return pod;
  }

  /**
   * Bootstrap `pod` as its app would: decide, "initialize" (take `newClusterId`) or "join" (take
   * the decision's cluster), serve it, and confirm, which writes the latch.
   */
  async bootstrap(pod: ScenarioPod, newClusterId: string, options: Partial<BootstrapOptions> = {}): Promise<BootstrapResult> {
    const decision = await pod.discovery.bootstrap({
      probe: httpProbe(pod.address),
      latch: pod.latch,
      report: pod.report,
      stableForMs: 200,
      timeoutMs: 20_000,
      probeTimeoutMs: 1000,
      splitCheck: { intervalMs: 100, jitter: 0 },
      ...options,
    });
    const clusterId = decision.action === 'initialize' ? newClusterId : (decision.clusterId ?? newClusterId);
    pod.state.clusterId = clusterId;
    await decision.confirm(clusterId);
    return decision;
  }

  /** Ask `name`'s readiness endpoint. */
  ready(pod: ScenarioPod): Promise<{ status: number; body: string }> {
    return httpGet(pod.address, this.#port, '/ready');
  }

  /** Stop every running pod and remove every volume. */
  async close(): Promise<void> {
    await Promise.all([...this.#running].map((pod) => pod.stop()));
    await Promise.all([...this.#volumes.keys()].map((name) => this.wipe(name)));
  }
}
