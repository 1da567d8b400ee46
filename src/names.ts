/**
 * Pure naming, used by every layer: RFC 1123 labels, the first label of a name, and the
 * StatefulSet names — pod name ⇄ ordinal ⇄ DNS name. No I/O, no imports.
 *
 * @module
 */

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** True when `label` is an RFC 1123 label: 1–63 lower-case alphanumerics or '-', alphanumeric at both ends. */
export function isDnsLabel(label: string): boolean {
  return LABEL.test(label);
}

/** True when `name` is a sequence of RFC 1123 labels (at most 253 characters, no trailing dot). */
export function isDnsSubdomain(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every(isDnsLabel);
}

/**
 * The first label of `name` (`mysql-1` for `mysql-1.mysql.default.svc.cluster.local.`): the pod
 * name in a pod's DNS name, and in the host name of a pod with `setHostnameAsFQDN: true`.
 */
export function firstLabel(name: string): string {
  const dot = name.indexOf('.');
  return dot === -1 ? name : name.slice(0, dot);
}

/** StatefulSet ordinals are int32 (`.spec.ordinals.start + replicas`). */
const MAX_ORDINAL = 2_147_483_647;
/** `<prefix>-<n>` with a canonical decimal `n` (no sign, no leading zero), as the controller writes it. */
const ORDINAL_NAME = /^(.+)-(0|[1-9][0-9]*)$/;

/** The ordinal of `podName` as a pod of `statefulSet`, or `null` (`mysql-01`, `mysql--1`, `other-1` have none). */
export function parseOrdinal(podName: string, statefulSet: string): number | null {
  const match = ORDINAL_NAME.exec(podName);
  if (!match || match[1] !== statefulSet) return null;
  const ordinal = Number(match[2]);
  return ordinal <= MAX_ORDINAL ? ordinal : null;
}

/** True when `name` ends in `-<n>` the way a StatefulSet pod's does, whatever its prefix. */
export function hasOrdinalSuffix(name: string): boolean {
  return ORDINAL_NAME.test(name);
}

/** The StatefulSet a pod name belongs to (`mysql` for `mysql-1`), or `undefined` if it has no ordinal suffix. */
export function deriveStatefulSet(podName: string): string | undefined {
  const match = ORDINAL_NAME.exec(podName);
  if (!match || Number(match[2]) > MAX_ORDINAL) return undefined;
  const prefix = match[1] as string;
  return prefix.endsWith('-') ? undefined : prefix;
}

/**
 * True when `host` is `<one label>.<serviceDomain>`: the name of a pod of this Service, not of
 * another (`mysql-1.other.default.svc…`) and not outside the zone, whose label is one Kubernetes
 * can give (RFC 1123: a name damaged on the way, such as `m\xcalql-4`, is no pod of ours).
 * Case-insensitive; trailing dots on either are ignored.
 */
export function isPodHost(host: string, serviceDomain: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  const suffix = `.${serviceDomain.toLowerCase().replace(/\.$/, '')}`;
  if (!name.endsWith(suffix)) return false;
  return isDnsLabel(name.slice(0, name.length - suffix.length));
}

/** The DNS name a StatefulSet pod gets: `<sts>-<n>.<serviceDomain>` (no trailing dot). */
export function predictedHost(statefulSet: string, ordinal: number, serviceDomain: string): string {
  return `${statefulSet}-${ordinal}.${serviceDomain}`;
}

/**
 * The name CoreDNS gives an endpoint without a hostname: the address with '.' or ':' replaced
 * by '-', and a '0' appended when that leaves a trailing '-' (`2001:db8::` → `2001-db8--0`).
 */
export function dashedName(address: string): string {
  const dashed = address.toLowerCase().replace(/[.:]/g, '-');
  return dashed.endsWith('-') ? `${dashed}0` : dashed;
}

/** True when `label` is the dashed form of one of `addresses` (a hostname-less endpoint). */
export function isDashedAddressName(label: string, addresses: readonly string[]): boolean {
  return addresses.some((address) => dashedName(address) === label.toLowerCase());
}
