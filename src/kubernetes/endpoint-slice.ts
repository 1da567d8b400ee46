/**
 * The `discovery.k8s.io/v1` EndpointSlice as this library reads it, and the check of an object
 * the API sent: it must be an EndpointSlice of this Service, with the fields shaped as the API
 * reference says. What fails the check is a problem to report, never a reason to drop a peer.
 * (Items of a list may omit `kind` and `apiVersion`; a missing `endpoints` or `ports` is empty, as
 * in the controller's placeholder slice.)
 *
 * @module
 */

/** The label the EndpointSlice controller puts on each slice of a Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** An EndpointSlice's fields this library reads; the endpoints are checked one by one when mapped. */
export interface EndpointSlice {
  readonly name: string;
  /** `IPv4`, `IPv6` or the deprecated `FQDN`. */
  readonly addressType: 'IPv4' | 'IPv6' | 'FQDN';
  /** The raw endpoints (each checked when mapped). */
  readonly endpoints: readonly unknown[];
  /** The raw ports. */
  readonly ports: readonly unknown[];
}

/** An object that is not a usable EndpointSlice of this Service: what is wrong, and a key that is the same each time the same fault is seen. */
export interface SliceProblem {
  /** Stable for the same fault of the same object, so it is reported once. */
  readonly key: string;
  /** What is wrong, for the error message. */
  readonly message: string;
}

/** The outcome of reading one object. */
export type SliceRead = { readonly ok: true; readonly slice: EndpointSlice } | { readonly ok: false; readonly name: string | undefined; readonly problem: SliceProblem };

/** `text` parsed as JSON, or `undefined` when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `value` as a record, or `undefined` when it is not a (non-array) object. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The `metadata.name` of an object, when it has a usable one. */
export function objectName(object: unknown): string | undefined {
  const name = asRecord(asRecord(object)?.['metadata'])?.['name'];
  return typeof name === 'string' && name.length > 0 && name.length <= 253 ? name : undefined;
}

/** The `metadata.resourceVersion` of an object, when it has one. */
export function objectResourceVersion(object: unknown): string | undefined {
  const version = asRecord(asRecord(object)?.['metadata'])?.['resourceVersion'];
  return typeof version === 'string' && version.length > 0 && version.length <= 1024 ? version : undefined;
}

/** A short rendering of a value for a message. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value) : Array.isArray(value) ? 'an array' : String(value);
  return text;
}

/** Check `object` as an EndpointSlice of `service`. */
export function readEndpointSlice(object: unknown, service: string): SliceRead {
  const record = asRecord(object);
  const name = objectName(object);
  const fail = (key: string, message: string): SliceRead => ({ ok: false, name, problem: { key: `${key}:${name ?? ''}`, message } });
  if (!record) return fail('not-an-object', `The API sent ${shown(object)} where an EndpointSlice was expected.`);
  const kind = record['kind'];
  if (kind !== undefined && kind !== 'EndpointSlice') return fail(`kind=${String(kind).slice(0, 60)}`, `The API sent an object of kind ${shown(kind)}${name === undefined ? '' : ` (${name})`} where an EndpointSlice was expected.`);
  const apiVersion = record['apiVersion'];
  if (apiVersion !== undefined && apiVersion !== 'discovery.k8s.io/v1') return fail('api-version', `The EndpointSlice ${name ?? ''} is of apiVersion ${shown(apiVersion)}; expected discovery.k8s.io/v1.`);
  if (name === undefined) return fail('no-name', 'The API sent an EndpointSlice without a metadata.name.');
  const labels = asRecord(asRecord(record['metadata'])?.['labels']);
  const owner = labels?.[SERVICE_NAME_LABEL];
  if (owner !== service) {
    return fail(
      'foreign',
      owner === undefined
        ? `The EndpointSlice ${name} has no ${SERVICE_NAME_LABEL} label; expected ${service}.`
        : `The EndpointSlice ${name} belongs to the Service ${shown(owner)} (label ${SERVICE_NAME_LABEL}), not to ${service}.`,
    );
  }
  const controller = controllingService(asRecord(record['metadata'])?.['ownerReferences']);
  if (controller !== undefined && controller !== service) {
    return fail('foreign-owner', `The EndpointSlice ${name} is labelled for ${service} but controlled by the Service ${shown(controller)} (ownerReferences).`);
  }
  const addressType = record['addressType'];
  if (addressType !== 'IPv4' && addressType !== 'IPv6' && addressType !== 'FQDN') {
    return fail('address-type', `The EndpointSlice ${name} has the addressType ${shown(addressType)}; expected IPv4, IPv6 or FQDN.`);
  }
  const endpoints = record['endpoints'] ?? [];
  const ports = record['ports'] ?? [];
  if (!Array.isArray(endpoints)) return fail('endpoints', `The EndpointSlice ${name} has endpoints that are not a list.`);
  if (!Array.isArray(ports)) return fail('ports', `The EndpointSlice ${name} has ports that are not a list.`);
  return { ok: true, slice: { name, addressType, endpoints, ports } };
}

/** The Service an `ownerReferences` list names as the controller, if any (hand-made slices have none). */
function controllingService(references: unknown): string | undefined {
  if (!Array.isArray(references)) return undefined;
  for (const reference of references) {
    const owner = asRecord(reference);
    if (owner?.['kind'] === 'Service' && owner['controller'] === true && typeof owner['name'] === 'string') return owner['name'];
  }
  return undefined;
}
