/**
 * What every check receives: the validated configuration, the options as given (to tell an
 * explicit value from a default), the pod environment with the origin of each value, and the
 * diagnosis's DNS.
 *
 * @module
 */
import type { PodEnvironment } from '../config/environment';
import type { DiscoveryConfig } from '../config/discovery-config';
import type { DiscoveryOptions } from '../config/options';
import type { DiagnosisDns } from './dns';

/** The inputs shared by the checks. */
export interface DiagnosisContext {
  readonly config: DiscoveryConfig;
  readonly options: DiscoveryOptions;
  readonly environment: PodEnvironment;
  readonly dns: DiagnosisDns;
}

/** `<service>.<namespace>.svc.<zone>.`: the absolute Service name. */
export function serviceHost(context: DiagnosisContext): string {
  return `${context.config.serviceDomain}.`;
}
