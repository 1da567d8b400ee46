/**
 * The validated configuration, with every default applied: what the runtime, the sources and
 * the diagnosis work from (never from the options as given).
 *
 * @module
 */
import type { Nameserver } from '../dns/types';
import type { KubernetesSettings } from '../kubernetes/settings';
import type { MembershipPolicy } from '../membership/policy';
import type { SourceName } from '../membership/types';
import type { ReadinessConfig } from '../readiness/probe-spec';
import type { AddressFamily } from '../sources/address-lookup';
import type { RetryPolicy } from '../sources/retry';
import type { StaticPeer } from '../sources/source';

/** How the Service is queried, decided from the `port` option. */
export type PortSpec =
  | { readonly kind: 'named'; readonly name: string; readonly protocol: 'tcp' | 'udp' | 'sctp' }
  | { readonly kind: 'number'; readonly number: number }
  | { readonly kind: 'none' };

/** When polls happen: the scheduling options. */
export interface PollTiming {
  /** The normal interval. */
  readonly intervalMs: number;
  /** The interval while `expectedReplicas` are not all present. */
  readonly fastIntervalMs: number;
  /** The longest interval backoff reaches. */
  readonly maxIntervalMs: number;
  /** No two polls (including `refresh()`) start closer together than this. */
  readonly minIntervalMs: number;
  /** Random spread as a fraction: 0.1 = ±10 %. */
  readonly jitter: number;
}

/** The validated behaviour options: sources, hysteresis, readiness, scheduling and retries. */
export interface BehaviourConfig {
  readonly sources: readonly SourceName[];
  readonly staticPeers: readonly StaticPeer[];
  readonly family: AddressFamily;
  readonly policy: MembershipPolicy;
  readonly maxStaleMs: number | null;
  readonly readiness: ReadinessConfig | null;
  readonly timing: PollTiming;
  readonly retry: RetryPolicy;
}

/** Validated options with every default applied. */
export interface DiscoveryConfig extends BehaviourConfig {
  readonly service: string;
  readonly namespace: string;
  readonly clusterDomain: string;
  /** `<service>.<namespace>.svc.<clusterDomain>`, no trailing dot. */
  readonly serviceDomain: string;
  readonly port: PortSpec;
  readonly statefulSet: string;
  readonly ordinalStart: number;
  readonly podName: string;
  readonly nameservers: readonly Nameserver[];
  readonly dnsTimeoutMs: number;
  readonly dnsAttempts: number;
  readonly signal: AbortSignal | undefined;
  /** How the `kubernetes` source reads the API; `null` when it is not among the sources. */
  readonly kubernetes: KubernetesSettings | null;
}
