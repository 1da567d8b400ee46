/**
 * A fake Kubernetes API server on loopback (HTTPS, bearer tokens), serving the fake cluster's
 * Services, Pods and EndpointSlices — the same state its DNS serves — with list, get and watch,
 * and the controls a test breaks it with.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Access, type ForbidRule } from './access';
import type { FakeKubernetesApiOptions, KubeApiOutage, KubeApiStats } from './api-options';
import type { ServiceRef } from './bad-input';
import { ClusterMirror } from './cluster-mirror';
import type { ClusterStateSource, KubeObject } from './cluster-state';
import { kubeconfigYaml, temporaryDirectory, writeInClusterCredentials, type InClusterCredentials } from './credentials';
import { LoopbackHttpsServer } from './https-server';
import { RequestHandler, type ExpiredWatchMode, type KubeApiRequest } from './request-handler';
import { KUBERNETES_VERSION, type KubeResource } from './resources';
import { expired } from './status';
import { ObjectStore } from './store';
import { FAKE_KUBERNETES_CA, FAKE_KUBERNETES_SERVER_CERT, FAKE_KUBERNETES_SERVER_KEY } from './test-certificates';
import { WatchRegistry } from './watch-registry';

const newToken = (): string => `fake-token-${randomBytes(18).toString('base64url')}`;

export type { FakeKubernetesApiOptions, KubeApiOutage, KubeApiStats };

/** A running fake Kubernetes API. Start it with `FakeCluster.startKubernetesApi()`. */
export class FakeKubernetesApi implements AsyncDisposable {
  /** The CA (PEM) that signed the server's certificate: what a client must trust. */
  readonly ca: string;
  /** `system:serviceaccount:<namespace>:<name>`: who the tokens authenticate as. */
  readonly user: string;
  /** How a watch from a compacted resourceVersion is refused; change it at any time. */
  expiredWatches: ExpiredWatchMode;
  readonly #store: ObjectStore;
  readonly #mirror: ClusterMirror;
  readonly #access: Access;
  readonly #watches = new WatchRegistry();
  readonly #server: LoopbackHttpsServer;
  readonly #listeners = new Set<(request: KubeApiRequest) => void>();
  readonly #cleanups: (() => Promise<void>)[] = [];
  #unavailable = false;
  #stats = { requests: 0, watchesOpened: 0 };

  /** @internal Use `FakeCluster.startKubernetesApi()`. */
  constructor(source: ClusterStateSource, options: FakeKubernetesApiOptions) {
    this.#store = new ObjectStore(options.historyLimit ?? 1000);
    this.#mirror = new ClusterMirror(source, this.#store, options.maxEndpointsPerSlice ?? 100);
    this.#access = new Access(options.token ?? newToken());
    this.ca = options.tls?.ca ?? FAKE_KUBERNETES_CA;
    this.user = `system:serviceaccount:${options.serviceAccount?.namespace ?? 'default'}:${options.serviceAccount?.name ?? 'default'}`;
    this.expiredWatches = options.expiredWatches ?? 'event';
    const api = this;
    const handler = new RequestHandler({
      store: this.#store,
      user: this.user,
      get expiredAs() {
        return api.expiredWatches;
      },
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 1800,
      version: KUBERNETES_VERSION,
      get unavailable() {
        return api.#unavailable;
      },
      get hanging() {
        return api.#server.hanging;
      },
      hold: (response) => this.#server.hold(response),
      acceptsToken: (token) => this.#access.accepts(token),
      isForbidden: (resource, verb, namespace) => this.#access.isForbidden(resource, verb, namespace),
      received: (request) => {
        this.#stats.requests++;
        for (const listener of this.#listeners) listener(request);
      },
      watchOpened: (stream) => {
        this.#stats.watchesOpened++;
        this.#watches.add(stream);
      },
    });
    this.#server = new LoopbackHttpsServer(
      options.host ?? '127.0.0.1',
      { cert: options.tls?.cert ?? FAKE_KUBERNETES_SERVER_CERT, key: options.tls?.key ?? FAKE_KUBERNETES_SERVER_KEY },
      (request, response) => handler.handle(request, response),
    );
    this.#store.subscribe((event) => this.#watches.push(event));
  }

  /** @internal */
  static async start(source: ClusterStateSource, options: FakeKubernetesApiOptions): Promise<FakeKubernetesApi> {
    const api = new FakeKubernetesApi(source, options);
    api.sync();
    await api.#server.listen();
    return api;
  }

  /** `127.0.0.1` or `::1`. */
  get host(): string {
    return this.#server.host;
  }

  /** The port (the same across outages). */
  get port(): number {
    return this.#server.port;
  }

  /** `https://127.0.0.1:<port>` or `https://[::1]:<port>`: a kubeconfig's `server`. */
  get url(): string {
    return `https://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** The first accepted token (the one {@link kubeconfig} uses). */
  get token(): string {
    return this.#access.tokens[0] ?? '';
  }

  /** Every accepted token. */
  get tokens(): readonly string[] {
    return this.#access.tokens;
  }

  /** The latest resourceVersion, as a list returns it. */
  get resourceVersion(): string {
    return String(this.#store.resourceVersion);
  }

  /** Counters of the requests and watches served. */
  get stats(): KubeApiStats {
    return { ...this.#stats, openWatches: this.#watches.size };
  }

  /** Replace the accepted tokens (an empty list: every request gets 401). */
  acceptTokens(tokens: Iterable<string>): void {
    this.#access.accept(tokens);
  }

  /** Answer 403 to requests the rule covers (as a Role without that rule would) until the returned function is called. */
  forbid(rule: ForbidRule): () => void {
    return this.#access.forbid(rule);
  }

  /** Observe every request received. Returns a function that stops observing. */
  onRequest(listener: (request: KubeApiRequest) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolve once at least `count` watches (of `resource`, if given) are open; reject after `timeoutMs` (default 10 s). */
  waitForWatches(count = 1, options: { readonly resource?: KubeResource; readonly timeoutMs?: number } = {}): Promise<void> {
    return this.#watches.waitFor(count, options.resource, options.timeoutMs ?? 10_000);
  }

  /**
   * Simulate an outage: `refuse` closes the port (connection refused; open watches drop),
   * `hang` reads requests and never answers (open watches go silent), `unavailable` answers
   * every request 503; `null` ends it (requests and watches left hanging are then dropped, so
   * their clients retry).
   */
  async outage(mode: KubeApiOutage | null): Promise<void> {
    this.#unavailable = mode === 'unavailable';
    if (mode === 'hang') {
      this.#server.hang();
      for (const stream of this.#watches.all()) stream.hold();
    } else if (mode === 'refuse') {
      await this.#server.refuse();
    } else if (mode === null) {
      if (this.#server.hanging) for (const stream of this.#watches.all()) stream.destroy();
      await this.#server.resume();
    }
  }

  /** Cut every open watch in the middle of a chunk (half an event, then the connection drops). Resolves with how many. */
  async breakWatches(): Promise<number> {
    const open = this.#watches.all();
    await Promise.all(open.map((stream) => stream.break(this.#store.resourceVersion)));
    return open.length;
  }

  /** End every open watch cleanly, as at its `timeoutSeconds`. Returns how many. */
  endWatches(): number {
    const open = this.#watches.all();
    for (const stream of open) stream.end();
    return open.length;
  }

  /** Send every open watch an ERROR event with a `410 Expired` Status (it fell behind the history), which ends it. */
  expireWatches(): number {
    const open = this.#watches.all();
    for (const stream of open) stream.fail(expired(this.#store.resourceVersion, this.#store.oldestResourceVersion));
    return open.length;
  }

  /** Forget the history of changes: a watch from any resourceVersion before now gets 410, and so does a list `continue` token. */
  compact(): void {
    this.#store.compact();
  }

  /** Send a BOOKMARK at the latest resourceVersion to every open watch that asked for bookmarks. Returns how many got one. */
  sendBookmarks(): number {
    return this.#watches.all().filter((stream) => stream.bookmark(this.#store.resourceVersion)).length;
  }

  /** Have `podName`'s endpoints also appear in an extra slice of the Service, as during a controller transition; returns a function that ends it. */
  duplicateEndpoint(service: ServiceRef, podName: string): () => void {
    this.#mirror.duplicate(service, podName, true);
    return () => this.#mirror.duplicate(service, podName, false);
  }

  /** Store an object as given (lists and watches see it, selectors apply; the server sets `resourceVersion`, and `uid` if missing). */
  putObject(resource: KubeResource, object: KubeObject): void {
    this.#store.put(resource, object, false);
  }

  /** Delete an object (one written by `putObject`, or the cluster's own, until the next change rebuilds it). */
  deleteObject(resource: KubeResource, namespace: string, name: string): void {
    this.#store.remove(resource, namespace, name);
  }

  /** Send one event as given to every open watch (of `resource`, if given), selectors ignored. Returns how many got it. */
  injectWatchEvent(type: string, object: unknown, options: { readonly resource?: KubeResource } = {}): number {
    const open = this.#watches.all(options.resource);
    for (const stream of open) stream.sendEvent(type, object);
    return open.length;
  }

  /** Send one raw line (malformed JSON, say) to every open watch (of `resource`, if given). Returns how many got it. */
  injectWatchLine(line: string, options: { readonly resource?: KubeResource } = {}): number {
    const open = this.#watches.all(options.resource);
    for (const stream of open) stream.sendLine(line);
    return open.length;
  }

  /** A kubeconfig (YAML) for this server: its URL, its CA as `certificate-authority-data`, the first accepted token. */
  kubeconfig(options: { readonly namespace?: string; readonly context?: string } = {}): string {
    return kubeconfigYaml({ server: this.url, caPem: this.ca, token: this.token, namespace: options.namespace ?? 'default', context: options.context ?? 'fake-cluster' });
  }

  /** Write {@link kubeconfig} to a new temporary file (removed by `close()`); resolves with its path. */
  async writeKubeconfig(options: { readonly namespace?: string; readonly context?: string } = {}): Promise<string> {
    const path = join(await this.#temporary(), 'kubeconfig');
    await writeFile(path, this.kubeconfig(options), { mode: 0o600 });
    return path;
  }

  /**
   * Write what a pod finds: `<root>/var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}`
   * in a new temporary directory (removed by `close()`), laid out as the kubelet lays out the
   * projected volume, and the `KUBERNETES_SERVICE_*` values to set. The token (default: the
   * first accepted one) is accepted from then on.
   */
  async writeInClusterFiles(options: { readonly namespace?: string; readonly token?: string } = {}): Promise<InClusterCredentials> {
    const api = this;
    const server = {
      host: this.host,
      port: this.port,
      caPem: this.ca,
      get tokens() {
        return api.tokens;
      },
      acceptTokens: (tokens: Iterable<string>) => this.acceptTokens(tokens),
      newToken,
    };
    return writeInClusterCredentials(await this.#temporary(), server, options.namespace ?? 'default', options.token ?? this.token);
  }

  /** @internal Rebuild the API objects from the cluster's state; every change becomes a watch event. */
  sync(): void {
    this.#mirror.sync();
  }

  /** Stop serving, drop every connection, remove the files written. Idempotent. */
  async close(): Promise<void> {
    this.#unavailable = false;
    for (const stream of this.#watches.all()) stream.destroy();
    await this.#server.close();
    await Promise.all(this.#cleanups.splice(0).map((cleanup) => cleanup()));
  }

  /** `await using api = await cluster.startKubernetesApi()` closes it at the end of the scope (`await using`: Node 24 and later). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #temporary(): Promise<string> {
    const directory = await temporaryDirectory();
    this.#cleanups.push(() => rm(directory, { recursive: true, force: true }));
    return directory;
  }
}
