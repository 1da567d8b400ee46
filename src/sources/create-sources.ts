/**
 * Building the configured sources, in order of preference, over one resolver.
 *
 * @module
 */
import type { Resolver } from '../dns/types';
import type { DiscoveryConfig } from '../options';
import { createAddressSource } from './address';
import { createOrdinalsSource } from './ordinals';
import type { Source } from './source';
import { createSrvSource } from './srv';
import { createStaticSource } from './static';

/** The sources `config.sources` names, in that order. */
export function createSources(config: DiscoveryConfig, resolver: Resolver): Source[] {
  const port = config.port.kind === 'number' ? config.port.number : null;
  return config.sources.map((name): Source => {
    switch (name) {
      case 'srv': {
        if (config.port.kind !== 'named') throw new Error('the srv source needs a named port');
        return createSrvSource(resolver, {
          serviceDomain: config.serviceDomain,
          portName: config.port.name,
          protocol: config.port.protocol,
          family: config.family,
        });
      }
      case 'address':
        return createAddressSource(resolver, { serviceDomain: config.serviceDomain, port, family: config.family });
      case 'ordinals':
        return createOrdinalsSource(resolver, {
          statefulSet: config.statefulSet,
          serviceDomain: config.serviceDomain,
          ordinalStart: config.ordinalStart,
          replicas: config.policy.expectedReplicas ?? 0,
          port,
          family: config.family,
        });
      case 'static':
        return createStaticSource(resolver, { peers: config.staticPeers, port, family: config.family });
    }
  });
}
