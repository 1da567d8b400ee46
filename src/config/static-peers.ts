/**
 * The `staticPeers` option: `host`, `host:port`, `ip`, `ip:port` or `[v6]:port` entries, from the
 * option or its environment variable, parsed into the peers the `static` source looks up.
 *
 * @module
 */
import { isIP } from 'node:net';
import { InvalidOptionError } from '../errors';
import { isDnsSubdomain } from '../names';
import type { StaticPeer } from '../sources/source';
import { denseArray, describe } from './checks';
import { STATIC_PEERS_ENV, type PodEnvironment } from './environment';

/** At most this many static peers. */
const MAX_STATIC_PEERS = 10_000;

/**
 * Validate the `staticPeers` option (or its environment variable, when the `static` source is
 * `wanted`). Peers without the source, or the source without peers, are an error.
 */
export function resolveStaticPeers(value: unknown, wanted: boolean, environment: PodEnvironment): readonly StaticPeer[] {
  if (value === undefined) {
    if (!wanted) return [];
    const fromEnv = environment.staticPeers.value;
    if (fromEnv === undefined) {
      throw new InvalidOptionError('staticPeers', `the "static" source needs peers; expected staticPeers (or ${STATIC_PEERS_ENV}) such as ["db-0.db.default.svc.cluster.local:5432"].`);
    }
    return parseStaticList(fromEnv.split(/[\s,]+/).filter(Boolean), `staticPeers (from ${environment.staticPeers.from})`);
  }
  if (!wanted) throw new InvalidOptionError('staticPeers', 'peers are set but "static" is not among sources; expected it there too, e.g. sources: ["srv", "static"].');
  return parseStaticList(denseArray('staticPeers', value, MAX_STATIC_PEERS, '["db-0.db.default.svc.cluster.local:5432", "10.0.0.7"]'), 'staticPeers');
}

function parseStaticList(entries: readonly unknown[], option: string): readonly StaticPeer[] {
  if (entries.length > MAX_STATIC_PEERS) throw new InvalidOptionError(option, `got ${entries.length} peers; expected at most ${MAX_STATIC_PEERS}.`);
  return entries.map((entry, index) => {
    const parsed = typeof entry === 'string' && entry.length <= 300 ? parseStaticPeer(entry) : undefined;
    if (!parsed) {
      throw new InvalidOptionError(
        `${option}[${index}]`,
        `got ${describe(entry)}; expected a fully qualified name or an IP address, with an optional port: "db-0.db.default.svc.cluster.local", "10.0.0.7:5432", "[fd00::7]:5432".`,
      );
    }
    return parsed;
  });
}

/**
 * Parse `host`, `host:port`, `ip`, `ip:port` or `[v6]:port`, or return `undefined` when the
 * entry is none of these.
 */
export function parseStaticPeer(entry: string): StaticPeer | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
  if (bracketed) {
    const address = bracketed[1] as string;
    return isIP(address) === 6 ? withPort(address, bracketed[2]) : undefined;
  }
  if (isIP(entry) === 6) return { host: entry.toLowerCase(), port: null };
  const [host, port, extra] = entry.split(':');
  if (host === undefined || extra !== undefined) return undefined;
  const lower = host.toLowerCase().replace(/\.$/, '');
  if (isIP(lower) !== 4 && !(isDnsSubdomain(lower) && lower.includes('.'))) return undefined;
  return withPort(lower, port);
}

function withPort(host: string, port: string | undefined): StaticPeer | undefined {
  if (port === undefined) return { host, port: null };
  if (!/^\d{1,5}$/.test(port)) return undefined;
  const number = Number(port);
  return number >= 1 && number <= 65_535 ? { host, port: number } : undefined;
}
