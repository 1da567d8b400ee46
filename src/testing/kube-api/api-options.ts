/**
 * The options of the fake Kubernetes API, and the types its controls report with.
 *
 * @module
 */
import type { ExpiredWatchMode } from './request-handler';

/** How the fake API goes dark: see `FakeKubernetesApi.outage()`. */
export type KubeApiOutage = 'refuse' | 'hang' | 'unavailable';

/** Options of `FakeCluster.startKubernetesApi()`. */
export interface FakeKubernetesApiOptions {
  /** Loopback address to serve on. Default: `127.0.0.1`. */
  readonly host?: '127.0.0.1' | '::1';
  /** The bearer token the server accepts at first (more with `acceptTokens`). Default: a random one. */
  readonly token?: string;
  /** The service account the tokens belong to (it names the user in 403 messages). Default: `default` in `default`. */
  readonly serviceAccount?: {
    /** The service account's namespace. Default: `default`. */
    readonly namespace?: string;
    /** Its name. Default: `default`. */
    readonly name?: string;
  };
  /** Endpoints per EndpointSlice before the controller starts another (`--max-endpoints-per-slice`). Default: 100. */
  readonly maxEndpointsPerSlice?: number;
  /** How often a watch that asked for bookmarks gets one; 0: only on `sendBookmarks()`. Default: 1000. */
  readonly bookmarkIntervalMs?: number;
  /** How long a watch without `timeoutSeconds` stays open before the server ends it. Default: 1800. */
  readonly watchTimeoutSeconds?: number;
  /** Changes kept for watches to resume from; a watch from an older resourceVersion gets 410. Default: 1000. */
  readonly historyLimit?: number;
  /** How a watch from a compacted resourceVersion is refused: `event` (200, then an ERROR event, as the watch cache does) or `status` (HTTP 410). Default: `event`. */
  readonly expiredWatches?: ExpiredWatchMode;
  /** Other TLS material than the test-only certificates of the kit (PEM). */
  readonly tls?: {
    /** The server's certificate chain. */
    readonly cert: string;
    /** Its private key. */
    readonly key: string;
    /** The CA a client must trust (`api.ca`, and what the kubeconfig and in-cluster files carry). */
    readonly ca: string;
  };
}

/** Counters since the API started. */
export interface KubeApiStats {
  /** Requests received. */
  readonly requests: number;
  /** Watches opened. */
  readonly watchesOpened: number;
  /** Watches open now. */
  readonly openWatches: number;
}
