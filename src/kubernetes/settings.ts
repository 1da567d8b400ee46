/**
 * What the Kubernetes API client is built from: which Service's EndpointSlices to read, where
 * its credentials come from, and the timing of the list/watch loop. `config/` fills it in from
 * the options and the pod environment; nothing here reads either.
 *
 * @module
 */

/** Where the API and its credentials are found, decided once, at construction. */
export type CredentialSource = InClusterSource | KubeconfigSource | NoCredentials;

/** Inside a pod: `KUBERNETES_SERVICE_HOST` / `KUBERNETES_SERVICE_PORT` and the service-account files. */
export interface InClusterSource {
  readonly kind: 'in-cluster';
  /** `https://<host>:<port>`, an IPv6 host in brackets. */
  readonly server: string;
  /** The service-account token, re-read every minute and after a 401. */
  readonly tokenPath: string;
  /** The cluster's CA bundle. */
  readonly caPath: string;
}

/** A kubeconfig file (or the list `KUBECONFIG` names), read through `@kubernetes/client-node`. */
export interface KubeconfigSource {
  readonly kind: 'kubeconfig';
  /** The files, merged as kubectl merges them: the first to define a name wins. */
  readonly paths: readonly string[];
  /** The context to use; `null`: the files' `current-context`. */
  readonly context: string | null;
  /** Where the paths came from, for messages: `kubernetes.kubeconfig`, `env:KUBECONFIG` or `~/.kube/config`. */
  readonly from: string;
}

/** Neither a pod's service account nor a kubeconfig file was found. */
export interface NoCredentials {
  readonly kind: 'none';
  /** What was looked for, for the error message. */
  readonly looked: string;
}

/** The backoff between failed attempts: jittered, capped. */
export interface BackoffTiming {
  /** The first delay, in ms. */
  readonly initialMs: number;
  /** The longest delay, in ms. */
  readonly maxMs: number;
}

/** The timing of the list/watch loop. */
export interface WatchTiming {
  /**
   * Each watch asks the server to end it after a random `timeoutSeconds` in
   * [`minWatchSeconds`, 2 × `minWatchSeconds`), as client-go does, so the pods' watches do not
   * all reconnect together.
   */
  readonly minWatchSeconds: number;
  /** How long a request may wait for the response headers (and a list for its body), in ms. */
  readonly requestTimeoutMs: number;
  /** The service-account token is re-read when it is older than this, in ms. */
  readonly tokenMaxAgeMs: number;
  /** After a failure (and after watches that end at once, repeatedly). */
  readonly backoff: BackoffTiming;
}

/** Address families to keep: `4`, `6` or `'both'` (the `family` option). */
export type SliceFamily = 4 | 6 | 'both';

/** Everything the client needs to watch one Service's EndpointSlices. */
export interface KubernetesSettings {
  /** The Service's namespace. */
  readonly namespace: string;
  /** The Service's name: slices are selected by `kubernetes.io/service-name=<service>`. */
  readonly service: string;
  /** Where the API and its credentials are. */
  readonly credentials: CredentialSource;
  /** Reads a text file, or returns `undefined` when it is missing or unreadable (the environment's reader). */
  readonly readFile: (path: string) => string | undefined;
  /** The loop's timing. */
  readonly timing: WatchTiming;
}

/** What mapping a slice's endpoints to observed endpoints needs (the source's settings). */
export interface SliceMapping {
  /** The Service's name: a slice labelled with another is not ours. */
  readonly service: string;
  /** `<service>.<namespace>.svc.<zone>`: an endpoint's `hostname` is a name under it. */
  readonly serviceDomain: string;
  /** The named port to take from each slice's `ports`, or `null`. */
  readonly portName: string | null;
  /** The named port's protocol. */
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  /** The numeric `port` option, or `null`. */
  readonly port: number | null;
  /** Which address families to keep. */
  readonly family: SliceFamily;
}
