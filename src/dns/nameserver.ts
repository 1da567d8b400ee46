/**
 * Parsing of nameserver addresses: `ip`, `ip:port` and `[v6]:port`.
 *
 * @module
 */
import { isIP } from 'node:net';
import type { Nameserver } from './types';

/** The DNS port. */
export const DNS_PORT = 53;

/**
 * Parse `10.96.0.10`, `10.96.0.10:5353`, `fd00::a`, `[fd00::a]` or `[fd00::a]:5353`.
 * Returns `undefined` for anything else (host names are not accepted: a resolver's address
 * must not itself need resolving).
 */
export function parseNameserver(text: string): Nameserver | undefined {
  const trimmed = text.trim();
  let host = trimmed;
  let portText: string | undefined;

  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
    if (isIP(host) !== 6) return undefined;
  } else if (isIP(trimmed) === 0) {
    const colon = trimmed.lastIndexOf(':');
    if (colon === -1 || trimmed.indexOf(':') !== colon) return undefined;
    host = trimmed.slice(0, colon);
    portText = trimmed.slice(colon + 1);
    if (isIP(host) !== 4) return undefined;
  }

  const family = isIP(host);
  if (family !== 4 && family !== 6) return undefined;
  let port = DNS_PORT;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return undefined;
    port = Number(portText);
    if (port < 1 || port > 65_535) return undefined;
  }
  return { address: host, port, family };
}

/** The display form of a nameserver: `ip:port` or `[v6]:port`. */
export function formatNameserver(server: Nameserver): string {
  return server.family === 6 ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
}
