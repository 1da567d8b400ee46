/**
 * Validating the `environment` option (where the pod environment is read from, for tests): a
 * wrong value must fail at construction, not fall back to the real environment or crash later.
 *
 * @module
 */
import { InvalidOptionError } from '../errors';
import { describe, ownRecord, rejectUnknownKeys } from './checks';
import type { EnvironmentSources } from './options';

const KEYS: ReadonlySet<string> = new Set(
  Object.keys({
    env: true,
    hostname: true,
    readFile: true,
    resolvConfPath: true,
    namespacePath: true,
    tokenPath: true,
    caPath: true,
  } satisfies Record<keyof EnvironmentSources, true>),
);
const MAX_PATH = 4096;

/** Validate `value` as {@link EnvironmentSources}; `undefined` reads the real environment. */
export function resolveEnvironmentSources(value: unknown): EnvironmentSources | undefined {
  if (value === undefined) return undefined;
  const record = ownRecord('environment', value, 'an object such as { env: { POD_NAME: "mysql-0" }, resolvConfPath: "/etc/resolv.conf" }');
  rejectUnknownKeys('environment.', record, KEYS);
  const sources: Record<string, unknown> = {};
  if (record['env'] !== undefined) {
    const env = ownRecord('environment.env', record['env'], 'an object of environment variables (strings)');
    for (const [name, entry] of Object.entries(env)) {
      if (entry !== undefined && typeof entry !== 'string') {
        throw new InvalidOptionError(`environment.env.${name.slice(0, 40)}`, `got ${describe(entry)}; expected a string.`);
      }
    }
    sources['env'] = env;
  }
  for (const key of ['hostname', 'readFile'] as const) {
    const fn = record[key];
    if (fn === undefined) continue;
    if (typeof fn !== 'function') throw new InvalidOptionError(`environment.${key}`, `got ${describe(fn)}; expected a function.`);
    sources[key] = fn;
  }
  for (const key of ['resolvConfPath', 'namespacePath', 'tokenPath', 'caPath'] as const) {
    const path = record[key];
    if (path === undefined) continue;
    if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH || path.includes('\u0000')) {
      throw new InvalidOptionError(`environment.${key}`, `got ${describe(path)}; expected a file path (1–${MAX_PATH} characters, no NUL).`);
    }
    sources[key] = path;
  }
  return sources as EnvironmentSources;
}
