/**
 * Domain-name helpers shared by the transport, the sources and the fake cluster.
 *
 * @module
 */

/**
 * The absolute, lower-cased form of `name`, with exactly one trailing dot. Queries are always
 * sent in this form, so the pod's `ndots:5` search list never applies.
 */
export function absoluteName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** `name` without its trailing dot (the form peers expose as `host`). */
export function relativeName(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** The first label of `name` (`mysql-1` for `mysql-1.mysql.default.svc.cluster.local.`). */
export function firstLabel(name: string): string {
  const dot = name.indexOf('.');
  return dot === -1 ? name : name.slice(0, dot);
}

/** True when `name` is `parent` or lies under it (case-insensitive, trailing dots ignored). */
export function isSubdomainOf(name: string, parent: string): boolean {
  const child = absoluteName(name);
  const base = absoluteName(parent);
  return child === base || child.endsWith(`.${base}`);
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** True when `label` is an RFC 1123 label: 1–63 lower-case alphanumerics or '-', alphanumeric at both ends. */
export function isDnsLabel(label: string): boolean {
  return LABEL.test(label);
}

/** True when `name` is a sequence of RFC 1123 labels (at most 253 characters, no trailing dot). */
export function isDnsSubdomain(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every(isDnsLabel);
}
