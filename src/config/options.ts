/**
 * The options as the application gives them (the discovery's, and the `readiness` and
 * `environment` objects within), and the list of their names, which the compiler keeps equal
 * to the type. Their defaults are in `defaults.ts`, their validation in
 * `resolve-options.ts`.
 *
 * @module
 */
import type { SourceName } from '../membership/types';
import type { ReadinessCheck } from '../readiness/probe-spec';
import type { AddressFamily } from '../sources/address-lookup';

/** Options of {@link createDiscovery} and {@link discover}. Only `service` is required. */
export interface DiscoveryOptions {
  /** Name of the headless Service (`clusterIP: None`), an RFC 1123 label such as `mysql`. Required. */
  readonly service: string;
  /** Namespace of the Service. Default: `POD_NAMESPACE`, then the service-account namespace file, then `default`. */
  readonly namespace?: string;
  /** Cluster DNS zone. Default: derived from the resolv.conf search list (`<ns>.svc.<zone>`), else `cluster.local`. */
  readonly clusterDomain?: string;
  /**
   * The Service port. A **name** (`'mysql'`, as in the Service's `ports[].name`) selects SRV
   * discovery (`_mysql._tcp.<service>…`: one query returns every pod, its port and address).
   * A **number** selects A/AAAA discovery of the Service name, with that port on every peer.
   * Default: none (A/AAAA discovery, `peer.port` is `null`).
   */
  readonly port?: string | number;
  /** Protocol of a named port: `tcp`, `udp` or `sctp`. Default: `tcp`. */
  readonly protocol?: 'tcp' | 'udp' | 'sctp';
  /**
   * The StatefulSet whose pods are the members (pods are named `<statefulSet>-<ordinal>`).
   * Default: derived from this pod's name when it has that shape, else the service name.
   */
  readonly statefulSet?: string;
  /** The StatefulSet's `.spec.ordinals.start`: the seed's ordinal. Default: `0`. */
  readonly ordinalStart?: number;
  /** This pod's name. Default: `POD_NAME`, then `HOSTNAME`, then `os.hostname()` (up to the first dot). */
  readonly podName?: string;
  /**
   * DNS servers to query, in order: `'10.96.0.10'`, `'10.96.0.10:5353'`, `'fd00::a'`,
   * `'[fd00::a]:5353'`. Default: `HEADLESS_DISCOVERY_NAMESERVERS` (comma- or space-separated),
   * else the `nameserver` lines of `/etc/resolv.conf`.
   */
  readonly nameservers?: readonly string[];
  /** Per-try DNS timeout in ms. Default: resolv.conf `options timeout:` (× 1000), else 5000. */
  readonly dnsTimeoutMs?: number;
  /** Rounds over the nameserver list per lookup. Default: resolv.conf `options attempts:`, else 2. */
  readonly dnsAttempts?: number;
  /** Milliseconds between polls (before jitter). Default: 5000. Minimum: 100. */
  readonly intervalMs?: number;
  /** Random spread of each interval, as a fraction (0.1 = ±10 %), so pods do not poll in lock-step. Default: 0.1. Range 0–0.5. */
  readonly jitter?: number;
  /** Interval while fewer members than `expectedReplicas` are present, so scale-ups are seen quickly. Default: `min(1000, intervalMs)`. */
  readonly fastIntervalMs?: number;
  /** Longest interval reached by backing off while every poll fails (interval × 2 per failed poll). Default: `max(60000, intervalMs)`. */
  readonly maxIntervalMs?: number;
  /**
   * The floor: no two polls start closer together than this, whatever asks for them (`refresh()`
   * storms, fast polling). Default: `min(1000, fastIntervalMs)`. Minimum: 100.
   */
  readonly minIntervalMs?: number;
  /** Retries of a quick failure (SERVFAIL, network error) within one poll, with backoff. Default: 2. Range 0–10. */
  readonly retries?: number;
  /**
   * Where peers are looked for, in order of preference: when a source fails (not NXDOMAIN: a
   * failure), the next one is tried in the same poll. `'srv'` (needs a named port),
   * `'address'` (A/AAAA of the Service name, names from PTR), `'ordinals'` (A/AAAA of
   * `<statefulSet>-<i>.<service>…` for `expectedReplicas` ordinals from `ordinalStart`),
   * `'static'` (`staticPeers`), `'kubernetes'` (the Service's EndpointSlices, listed and watched
   * through the Kubernetes API: readiness, terminating pods and UIDs without a probe; needs RBAC
   * get/list/watch on `endpointslices`, see the `kubernetes` option). Default: `['srv', 'address']`
   * with a named port, else `['address']`.
   */
  readonly sources?: readonly SourceName[];
  /**
   * Peers for the `'static'` source: fully qualified names or IP addresses, with an optional port
   * (`'db-0.db.default.svc.cluster.local:5432'`, `'10.0.0.7'`, `'[fd00::7]:5432'`). Default:
   * `HEADLESS_DISCOVERY_STATIC_PEERS` (comma- or space-separated).
   */
  readonly staticPeers?: readonly string[];
  /**
   * How many members the cluster should have (usually the StatefulSet's `replicas`). While fewer
   * are present the membership is `degraded` and polls run at `fastIntervalMs`; the `'ordinals'`
   * source looks up this many pods. Default: `HEADLESS_DISCOVERY_EXPECTED_REPLICAS`, else unknown.
   */
  readonly expectedReplicas?: number;
  /** Address families to use: `4`, `6` or `'both'` (a dual-stack pod is one peer with both addresses). Default: `'both'`. */
  readonly family?: AddressFamily;
  /**
   * A peer missing from DNS leaves only after this many consecutive successful polls without it
   * (a peer back within the window produces no event). Default: 2. Range 1–100.
   */
  readonly leaveAfterPolls?: number;
  /** …and only after it has been missing for at least this many milliseconds. Default: 0. */
  readonly leaveAfterMs?: number;
  /**
   * A poll that would remove more than this fraction of the peers at once is held until the next
   * poll confirms it (a half-empty answer is more often a glitch than a scale-down). Default: 0.5;
   * 1 turns the guard off.
   */
  readonly maxRemovalFraction?: number;
  /**
   * Whether peers that are not ready count as members (drive `join`/`leave`, can be the seed).
   * `membership.peers` always holds everyone seen and `membership.ready` the ready ones.
   * Default: `false`.
   */
  readonly includeNotReady?: boolean;
  /** After this many milliseconds of failing polls, emit `staleTooLong` once (the membership is still kept). Default: never. */
  readonly maxStaleMs?: number;
  /**
   * Probe peers' readiness yourself (for Services with `publishNotReadyAddresses: true`, whose DNS
   * lists pods before they are ready): `{ tcp: true }`, `{ http: { path: '/ready' } }`,
   * `{ check: async (peer, signal) => … }` or just the function, each with optional `periodMs`
   * (10000), `timeoutMs` (1000), `successThreshold` (1), `failureThreshold` (3) and `concurrency`
   * (16), as Kubernetes probes. Default: none (every peer DNS lists is ready).
   */
  readonly readiness?: ReadinessOption;
  /**
   * How the `'kubernetes'` source reaches the API (only with `'kubernetes'` among `sources`). Default:
   * `KUBECONFIG` when set, else the pod's service account (`KUBERNETES_SERVICE_HOST`, the token
   * and CA files), else `~/.kube/config`.
   */
  readonly kubernetes?: KubernetesOptions;
  /** Aborting this signal closes the discovery. */
  readonly signal?: AbortSignal;
  /**
   * Where the pod environment is read from (environment variables, resolv.conf and namespace
   * file paths, hostname). Default: the real process environment and files. Meant for tests.
   */
  readonly environment?: EnvironmentSources;
}

/**
 * Where the `'kubernetes'` source finds the API and its credentials. A kubeconfig is read with
 * `@kubernetes/client-node` (an optional peer dependency: install it to use one); a pod's service
 * account needs nothing more. The namespace is the `namespace` option's, not the context's.
 */
export interface KubernetesOptions {
  /**
   * A kubeconfig file, for use outside the cluster (from a laptop). Default: `KUBECONFIG` (a list
   * separated by `:`), else the pod's service account in a pod, else `~/.kube/config`.
   */
  readonly kubeconfig?: string;
  /** The kubeconfig context to use (implies a kubeconfig, even in a pod). Default: the file's `current-context`. */
  readonly context?: string;
}

/** When and how often peers are probed, with the meaning of the Kubernetes probe fields. */
export interface ReadinessTiming {
  /** Milliseconds between probes of a peer. Default: 10000. Range 100–3600000. */
  periodMs?: number;
  /** Milliseconds before a probe counts as failed. Default: 1000. Range 10–600000. */
  timeoutMs?: number;
  /** Consecutive successes that make a not-ready peer ready. Default: 1. Range 1–100. */
  successThreshold?: number;
  /** Consecutive failures that make a ready peer not ready. Default: 3. Range 1–100. */
  failureThreshold?: number;
  /** Most probes in flight at once, over all peers. Default: 16. Range 1–1024. */
  concurrency?: number;
}

/**
 * How peers are probed: a bare {@link ReadinessCheck}, or timing plus exactly one of
 * `tcp` (connect to the peer's port), `http` (GET a path) or `check` (your function).
 */
export type ReadinessOption =
  | ReadinessCheck
  | (ReadinessTiming & {
      /** Ready when a TCP connection to the peer's first address opens: `true` for the peer's port, or `{ port }`. */
      tcp: true | {
        /** The port to connect to instead of the peer's. */
        port?: number;
      };
    })
  | (ReadinessTiming & {
      /** Ready when `GET http://<address>:<port><path>` answers an expected status. */
      http: {
        /** The request path, starting with `/`. */
        path: string;
        /** The port to ask instead of the peer's. */
        port?: number;
        /** The statuses that mean ready: one or a list. Default: 200–399, as Kubernetes. */
        expectStatus?: number | readonly number[];
        /** Not supported: probes speak plain HTTP. */
        https?: never;
      };
    })
  | (ReadinessTiming & {
      /** Your own check: ready when it resolves `true`. */
      check: ReadinessCheck;
    });

/** Where the environment is read from. Every field is injectable for tests. */
export interface EnvironmentSources {
  /** Environment variables. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The host name. Default: `os.hostname()`. */
  readonly hostname?: () => string;
  /** Read a text file, or return `undefined` when it is missing or unreadable. Default: a synchronous read. */
  readonly readFile?: (path: string) => string | undefined;
  /** Default: `/etc/resolv.conf`. */
  readonly resolvConfPath?: string;
  /** Default: `/var/run/secrets/kubernetes.io/serviceaccount/namespace`. */
  readonly namespacePath?: string;
  /** The service-account token the `'kubernetes'` source sends in a pod (re-read as it rotates). Default: `/var/run/secrets/kubernetes.io/serviceaccount/token`. */
  readonly tokenPath?: string;
  /** The CA bundle the `'kubernetes'` source checks the API server's certificate with, in a pod. Default: `/var/run/secrets/kubernetes.io/serviceaccount/ca.crt`. */
  readonly caPath?: string;
}

/** Every option's name: an object literal, so the compiler reports a name missing here or misspelt. */
const OPTION_KEY_RECORD = {
  service: true,
  namespace: true,
  clusterDomain: true,
  port: true,
  protocol: true,
  statefulSet: true,
  ordinalStart: true,
  podName: true,
  nameservers: true,
  dnsTimeoutMs: true,
  dnsAttempts: true,
  intervalMs: true,
  jitter: true,
  fastIntervalMs: true,
  maxIntervalMs: true,
  minIntervalMs: true,
  retries: true,
  sources: true,
  staticPeers: true,
  expectedReplicas: true,
  family: true,
  leaveAfterPolls: true,
  leaveAfterMs: true,
  maxRemovalFraction: true,
  includeNotReady: true,
  maxStaleMs: true,
  readiness: true,
  kubernetes: true,
  signal: true,
  environment: true,
} as const satisfies Record<keyof DiscoveryOptions, true>;

/** The names of the options {@link DiscoveryOptions} declares. */
export const OPTION_KEYS: ReadonlySet<string> = new Set(Object.keys(OPTION_KEY_RECORD));
