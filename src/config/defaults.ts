/**
 * Every default, in one place: of the discovery options, the readiness option, the retries
 * within a poll, the waits and the bootstrap, and where the pod environment is read from. The
 * TSDoc of the options, docs/options.md and the command's help state these values for readers;
 * a test checks that they state these.
 *
 * @module
 */
import type { WatchTiming } from '../kubernetes/settings';
import type { MembershipPolicy } from '../membership/policy';
import type { DiscoveryOptions } from './options';

/** Defaults of the discovery options that are plain values (the others are derived below, or come from the environment). */
export const DISCOVERY_DEFAULTS = Object.freeze({
  /** When neither `POD_NAMESPACE` nor the service-account namespace file says otherwise. */
  namespace: 'default',
  /** When the resolv.conf search list names no `<ns>.svc.<zone>` entry. */
  clusterDomain: 'cluster.local',
  protocol: 'tcp',
  ordinalStart: 0,
  /** When resolv.conf has no `options timeout:`. */
  dnsTimeoutMs: 5000,
  /** When resolv.conf has no `options attempts:`. */
  dnsAttempts: 2,
  intervalMs: 5000,
  jitter: 0.1,
  retries: 2,
  family: 'both',
  leaveAfterPolls: 2,
  leaveAfterMs: 0,
  maxRemovalFraction: 0.5,
  includeNotReady: false,
} as const satisfies { readonly [Key in keyof DiscoveryOptions]?: DiscoveryOptions[Key] });

/** The default `fastIntervalMs`: `min(1000, intervalMs)`. */
export function defaultFastIntervalMs(intervalMs: number): number {
  return Math.min(1000, intervalMs);
}

/** The default `minIntervalMs`: `min(1000, fastIntervalMs)`. */
export function defaultMinIntervalMs(fastIntervalMs: number): number {
  return Math.min(1000, fastIntervalMs);
}

/** The default `maxIntervalMs`: `max(60000, intervalMs)`. */
export function defaultMaxIntervalMs(intervalMs: number): number {
  return Math.max(60_000, intervalMs);
}

/** The default `sources`: SRV first when the port is named (only named ports have SRV records), then A/AAAA. */
export function defaultSources(namedPort: boolean): readonly ['srv', 'address'] | readonly ['address'] {
  return namedPort ? ['srv', 'address'] : ['address'];
}

/** The membership rules the options default to. */
export const DEFAULT_POLICY: MembershipPolicy = Object.freeze({
  leaveAfterPolls: DISCOVERY_DEFAULTS.leaveAfterPolls,
  leaveAfterMs: DISCOVERY_DEFAULTS.leaveAfterMs,
  maxRemovalFraction: DISCOVERY_DEFAULTS.maxRemovalFraction,
  includeNotReady: DISCOVERY_DEFAULTS.includeNotReady,
  expectedReplicas: null,
});

/** The backoff between retries of a quick failure within one poll: doubling from the first delay up to the last, randomized ×1–2. */
export const RETRY_DELAYS = Object.freeze({ minDelayMs: 50, maxDelayMs: 1000 });

/** The Kubernetes probe defaults (`concurrency` is this library's own). */
export const READINESS_DEFAULTS = Object.freeze({
  periodMs: 10_000,
  timeoutMs: 1_000,
  successThreshold: 1,
  failureThreshold: 3,
  concurrency: 16,
});

/** Defaults of `waitFor()` and `waitForSeed()`. */
export const WAIT_DEFAULTS = Object.freeze({ minPeers: 1, stableForMs: 0 });

/** Defaults of `bootstrap()`. Its `stableForMs` defaults to `stableForIntervals × intervalMs`. */
export const BOOTSTRAP_DEFAULTS = Object.freeze({ probeTimeoutMs: 2000, probeConcurrency: 8, stableForIntervals: 2 });

/** The default location of the resolver configuration. */
export const RESOLV_CONF_PATH = '/etc/resolv.conf';

/** Where Kubernetes mounts the pod's namespace (with the service-account volume). */
export const NAMESPACE_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** Where Kubernetes mounts the pod's service-account token. */
export const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Where Kubernetes mounts the cluster's CA bundle, beside the token. */
export const CA_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

/** The kubeconfig read when neither the option nor `KUBECONFIG` names one, under `HOME`. */
export const DEFAULT_KUBECONFIG = '.kube/config';

/**
 * The `kubernetes` source's list/watch timing: watches of 5 to 10 minutes and a token re-read
 * every minute, as client-go; a request waits 10 s for an answer; failures back off from 1 s to 30 s.
 */
export const KUBERNETES_TIMING: WatchTiming = Object.freeze({
  minWatchSeconds: 300,
  requestTimeoutMs: 10_000,
  tokenMaxAgeMs: 60_000,
  backoff: Object.freeze({ initialMs: 1000, maxMs: 30_000 }),
});
