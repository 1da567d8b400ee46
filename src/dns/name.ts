/**
 * Domain-name helpers of the transport (absolute and relative forms, subdomains), shared with the
 * sources, the diagnosis and the fake cluster. Labels and pod names are in `names.ts`.
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

/** True when `name` is `parent` or lies under it (case-insensitive, trailing dots ignored). */
export function isSubdomainOf(name: string, parent: string): boolean {
  const child = absoluteName(name);
  const base = absoluteName(parent);
  return child === base || child.endsWith(`.${base}`);
}
