/**
 * Pure: the attributes that say which discovery a point belongs to, read off its membership's
 * seed host (`<pod>.<service>.<namespace>.svc.<zone>`, known before the first poll).
 *
 * @module
 */

/** The attribute key of the headless Service's name. */
export const SERVICE_ATTRIBUTE = 'headless_discovery.service';
/** The attribute key of the Service's namespace (OpenTelemetry's Kubernetes convention). */
export const NAMESPACE_ATTRIBUTE = 'k8s.namespace.name';

/** A discovery's Service and namespace, as its channel messages name it. */
export interface DiscoveryName {
  readonly service: string;
  readonly namespace: string;
}

/** The Service and namespace in a seed host; `null` for a name of another shape. */
export function discoveryName(seedHost: string): DiscoveryName | null {
  const labels = seedHost.replace(/\.$/, '').split('.');
  const service = labels[1];
  const namespace = labels[2];
  if (labels.length < 4 || labels[3] !== 'svc' || !service || !namespace) return null;
  return { service, namespace };
}

/** `{ headless_discovery.service, k8s.namespace.name }` of a discovery's name; `{}` without one. */
export function discoveryAttributes(name: DiscoveryName | null): Record<string, string> {
  return name === null ? {} : { [SERVICE_ATTRIBUTE]: name.service, [NAMESPACE_ATTRIBUTE]: name.namespace };
}
