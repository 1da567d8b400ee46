/**
 * What a source is: something that observes the cluster once per poll, built from the
 * {@link SourceSettings}. Sources do I/O and nothing else: they never emit events and never
 * decide membership. A source that learns of changes by itself (a watch of the Kubernetes API)
 * also says when its next observation would differ, so the runtime observes again at once.
 *
 * @module
 */
import type { KubernetesSettings } from '../kubernetes/settings';
import type { Observation } from '../membership/observation';
import type { SourceName } from '../membership/types';
import type { AddressFamily } from './address-lookup';

/** Something that can observe the Service's endpoints. */
export interface Source {
  readonly name: SourceName;
  /** Observe once. Never rejects for DNS failures (those are failed observations); rejects only on abort. */
  observe(signal: AbortSignal): Promise<Observation>;
  /**
   * For a source that learns of changes by itself: `changed` is called (coalesced: once per burst)
   * whenever the next `observe()` would see something new. Returns a function that unsubscribes.
   */
  subscribe?(changed: () => void): () => void;
  /** Release what the source holds (watches, connections). Called once, when the discovery closes. */
  close?(): void | Promise<void>;
}

/** One configured peer of the `static` source. */
export interface StaticPeer {
  /** A fully qualified DNS name (no trailing dot) or an IP address. */
  readonly host: string;
  /** The peer's port, or `null` to use the `port` option's number (if any). */
  readonly port: number | null;
}

/**
 * Everything a source may be built from; each source takes the part it needs (a `Pick` of this).
 * The runtime fills it in from the validated options.
 */
export interface SourceSettings {
  /** `<service>.<namespace>.svc.<zone>`, without the trailing dot. */
  readonly serviceDomain: string;
  /** The pod-name prefix of the members. */
  readonly statefulSet: string;
  /** The seed's ordinal (`.spec.ordinals.start`). */
  readonly ordinalStart: number;
  /** The Service port's name, which SRV asks for; `null` when the port is a number or not given. */
  readonly portName: string | null;
  /** The named port's protocol. */
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  /** The port every peer gets (the numeric `port` option), or `null`. */
  readonly port: number | null;
  /** Which address families to look up and keep. */
  readonly family: AddressFamily;
  /** How many ordinals the `ordinals` source looks up from `ordinalStart`. */
  readonly replicas: number;
  /** The peers of the `static` source. */
  readonly peers: readonly StaticPeer[];
  /** What the `kubernetes` source reads the API with; absent when it is not among the sources. */
  readonly kubernetes?: KubernetesSettings;
}
