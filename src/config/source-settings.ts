/**
 * The part of the validated configuration the sources are built from, in their own terms.
 *
 * @module
 */
import type { SourceSettings } from '../sources/source';
import { DISCOVERY_DEFAULTS } from './defaults';
import type { DiscoveryConfig } from './discovery-config';

/** The part of the config the sources are built from. */
export function sourceSettings(config: DiscoveryConfig): SourceSettings {
  return {
    serviceDomain: config.serviceDomain,
    statefulSet: config.statefulSet,
    ordinalStart: config.ordinalStart,
    portName: config.port.kind === 'named' ? config.port.name : null,
    protocol: config.port.kind === 'named' ? config.port.protocol : DISCOVERY_DEFAULTS.protocol,
    port: config.port.kind === 'number' ? config.port.number : null,
    family: config.family,
    replicas: config.policy.expectedReplicas ?? 0,
    peers: config.staticPeers,
  };
}
