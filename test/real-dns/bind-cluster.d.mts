/** Types of bind-cluster.mjs (plain JavaScript, so that the benchmarks can run it with Node as is). */
import type { FakeCluster, FakeService, FakeServiceDefinition, PodNetwork } from '../../src/testing/index';

/** Options of {@link startBind}. */
export interface BindClusterOptions {
  /** The cluster DNS zone. Default: `cluster.local`. */
  readonly clusterDomain?: string;
  /** TTL of every record, and the SOA minimum. Default: 5 (CoreDNS's default). */
  readonly ttl?: number;
  /**
   * `minimal-responses yes;`: no additional section at all, the shape a caching forwarder
   * gives. Default: false (BIND's own behaviour: the SRV targets' addresses for up to 13 SRV
   * records, as many as fit the UDP size).
   */
  readonly minimalResponses?: boolean;
  /** Loopback address named listens on: `127.0.0.1` (default) or `::1`. */
  readonly host?: '127.0.0.1' | '::1';
  /** Where pod addresses come from, as with the fake cluster. Default: `cluster`. */
  readonly podNetwork?: PodNetwork;
}

/** A running BIND 9 serving the zones of a fake cluster's state. */
export interface BindCluster {
  /** The cluster DNS zone, e.g. `cluster.local`. */
  readonly clusterDomain: string;
  /** The TTL of every record and the SOA minimum, in seconds. */
  readonly ttl: number;
  /** The loopback address named listens on. */
  readonly host: '127.0.0.1' | '::1';
  /** The port (UDP and TCP). */
  readonly port: number;
  /** `127.0.0.1:port` or `[::1]:port`: what the `nameservers` option and `Resolver.setServers` take. */
  readonly nameserver: string;
  /** BIND's version, from `named -v`, e.g. `9.18.49-1~deb12u3-Debian`. */
  readonly version: string;
  /** The fake cluster holding the state; it serves the same state (at `fake.nameserver`), to compare answers. */
  readonly fake: FakeCluster;
  /** named's last lines of output. */
  readonly log: string;
  /** Define a headless Service (as the fake cluster does); its records appear on the next `sync()`. */
  defineService(definition: FakeServiceDefinition): FakeService;
  /** Delete a Service; its names are NXDOMAIN after the next `sync()`. */
  deleteService(name: string, namespace?: string): void;
  /**
   * Write the zones of the current state with a new SOA serial, reload named, and resolve once
   * it serves that serial in every zone (rejects after 20 s with named's last lines).
   */
  sync(): Promise<void>;
  /** Stop named, wait for it to exit and remove its directory. Idempotent. */
  close(): Promise<void>;
}

/**
 * Start BIND 9 on a free loopback port, serving an empty cluster zone and the reverse zones.
 * Rejects (with how to install it) when `/usr/sbin/named` is missing, and with named's last lines
 * when it does not come up within 20 s.
 */
export function startBind(options?: BindClusterOptions): Promise<BindCluster>;
