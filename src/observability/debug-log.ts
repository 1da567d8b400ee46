/**
 * `NODE_DEBUG=headless-discovery`: every diagnostics channel printed through `util.debuglog`, one
 * readable line per message (`HEADLESS-DISCOVERY 4242: poll:end default/mysql outcome=ok …`).
 * It subscribes only when the variable enables it, so it costs nothing otherwise.
 *
 * @module
 */
import { subscribe } from 'node:diagnostics_channel';
import { debuglog } from 'node:util';
import { CHANNEL_NAMES } from './channels';

/** The `NODE_DEBUG` section that turns the printer on. */
export const DEBUG_SECTION = 'headless-discovery';

const PREFIX = 'headless-discovery:';

/** Set on `globalThis` once installed: each bundle of the package (main entry, command) has its own copy of this module. */
const INSTALLED = Symbol.for('headless-discovery.debug-log');

/** Subscribe the printer to every channel if `NODE_DEBUG` names {@link DEBUG_SECTION}; once per process. */
export function installDebugLog(): void {
  const global = globalThis as { [INSTALLED]?: true };
  if (global[INSTALLED]) return;
  global[INSTALLED] = true;
  const log = debuglog(DEBUG_SECTION);
  if (!log.enabled) return;
  for (const name of CHANNEL_NAMES) subscribe(name, (message) => log('%s', debugLine(name, message)));
}

/** One message as a line: the channel (without the prefix), `namespace/service`, then `key=value` pairs. */
export function debugLine(name: string, message: unknown): string {
  const channel = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : name;
  if (typeof message !== 'object' || message === null) return `${channel} ${String(message)}`;
  const { service, namespace, ...rest } = message as Record<string, unknown>;
  const subject = typeof service === 'string' ? ` ${typeof namespace === 'string' ? `${namespace}/` : ''}${service}` : '';
  const fields = Object.entries(rest)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  return `${channel}${subject} ${fields.join(' ')}`.trimEnd();
}

function fieldText(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(1);
  if (typeof value === 'string') return /^[^\s"=]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
  if (value instanceof Error) return JSON.stringify(`${(value as { code?: unknown }).code ?? value.name}: ${value.message}`);
  if (Array.isArray(value)) return `[${value.map((item) => (typeof item === 'object' && item !== null ? compact(item) : fieldText(item))).join(',')}]`;
  if (typeof value === 'object' && value !== null) return compact(value);
  return String(value);
}

/** An object in a few characters: a verdict as `name:fate(rule polls/required)`, a DNS record as `TYPE:target[:port]`, else short JSON. */
function compact(value: object): string {
  const record = value as Record<string, unknown>;
  if (typeof record['name'] === 'string' && typeof record['fate'] === 'string') return `${record['name']}:${record['fate']}(${String(record['rule'])} ${String(record['polls'])}/${String(record['requiredPolls'])})`;
  // A DNS record: what it points at says more than its owner name, which the lookup already names.
  if (typeof record['type'] === 'string' && typeof record['name'] === 'string') {
    const value = record['target'] ?? record['address'] ?? record['name'];
    return `${record['type']}:${String(value)}${typeof record['port'] === 'number' ? `:${record['port']}` : ''}`;
  }
  try {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return '[object]';
  }
}
