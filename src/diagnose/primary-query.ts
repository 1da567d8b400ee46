/**
 * The query a discovery asks first, named in the errors that explain an empty membership or a
 * pod missing from its own Service.
 *
 * @module
 */
import type { DiscoveryConfig } from '../config/discovery-config';

/** The query the discovery asks first: SRV for a named port, else the Service's addresses. */
export function primaryQuery(config: DiscoveryConfig): { readonly name: string; readonly type: 'SRV' | 'A' | 'AAAA' } {
  if (config.port.kind === 'named') return { name: `_${config.port.name}._${config.port.protocol}.${config.serviceDomain}.`, type: 'SRV' };
  return { name: `${config.serviceDomain}.`, type: config.family === 6 ? 'AAAA' : 'A' };
}
