/**
 * What each layer is given, derived from the validated configuration in the layer's own terms:
 * the sources their settings, membership its context.
 *
 * @module
 */
import type { MembershipContext } from '../membership/identity';
import type { SourceSettings } from '../sources/source';
import { DISCOVERY_DEFAULTS } from './defaults';
import type { DiscoveryConfig } from './discovery-config';

/** What the membership step needs to know of the cluster and this pod. */
export function membershipContext(config: DiscoveryConfig): MembershipContext {
  return {
    statefulSet: config.statefulSet,
    ordinalStart: config.ordinalStart,
    podName: config.podName,
    serviceDomain: config.serviceDomain,
  };
}

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
    ...(config.kubernetes === null ? {} : { kubernetes: config.kubernetes }),
  };
}
