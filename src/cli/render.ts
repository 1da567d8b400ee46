/**
 * What `watch` prints: the peer table, one line per event, and the NDJSON records. Pure
 * functions of the membership, so they are tested without a terminal.
 *
 * @module
 */
import type { Membership, Peer } from '../index';

/** The state line: freshness, completeness, epoch and counts. */
export function stateLine(membership: Membership): string {
  const fresh = membership.stale
    ? `STALE since ${new Date(membership.staleSince ?? 0).toISOString()}`
    : membership.updatedAt === 0
      ? 'not observed yet'
      : 'fresh';
  const complete =
    membership.completeness === 'unknown' ? '' : `, ${membership.completeness} (${membership.ready.length}/${String(membership.expectedReplicas)} ready)`;
  return `${fresh}${complete}, ${membership.peers.length} peers (${membership.ready.length} ready), epoch ${membership.epoch}, source ${membership.source ?? '-'}`;
}

const COLUMNS = ['', 'ORD', 'NAME', 'ADDRESSES', 'PORT', 'READY', 'SOURCES'] as const;

/** The peer table: ★ marks the seed, › this pod. */
export function peerTable(membership: Membership): string[] {
  const rows = membership.peers.map((peer) => [
    `${peer === membership.seed ? '★' : ' '}${peer.self ? '›' : ' '}`,
    peer.ordinal === null ? '-' : String(peer.ordinal),
    peer.name,
    peer.addresses.join(',') || '-',
    peer.port === null ? '-' : String(peer.port),
    peer.ready ? 'yes' : 'no',
    peer.sources.join(',') || '(missing)',
  ]);
  const table = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  const lines = table.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
  if (rows.length === 0) lines.push(`(no peers; the seed would be ${membership.seedHost})`);
  return lines;
}

/** One event as a human-readable line with a timestamp. */
export function eventLine(time: Date, event: string, detail: string, membership: Membership): string {
  const state = membership.stale ? 'stale' : membership.completeness === 'unknown' ? 'fresh' : `fresh, ${membership.completeness}`;
  return `${time.toISOString()}  ${event.padEnd(7)} ${detail}  [${state}]`;
}

/** A peer in NDJSON records: stable field names. */
export function peerRecord(peer: Peer): Record<string, unknown> {
  return {
    name: peer.name,
    ordinal: peer.ordinal,
    host: peer.host,
    addresses: peer.addresses,
    port: peer.port,
    ready: peer.ready,
    self: peer.self,
    sources: peer.sources,
  };
}

/** The membership summary every NDJSON record carries. */
export function membershipRecord(membership: Membership): Record<string, unknown> {
  return {
    epoch: membership.epoch,
    stale: membership.stale,
    staleSince: membership.staleSince === null ? null : new Date(membership.staleSince).toISOString(),
    completeness: membership.completeness,
    source: membership.source,
    seed: membership.seed?.name ?? null,
    self: membership.self?.name ?? null,
    peers: membership.peers.map((peer) => peer.name),
    ready: membership.ready.map((peer) => peer.name),
  };
}

/** One NDJSON line: `{ time, event, …fields, membership }`. */
export function ndjson(time: Date, event: string, fields: Record<string, unknown>, membership: Membership): string {
  return JSON.stringify({ time: time.toISOString(), event, ...fields, membership: membershipRecord(membership) });
}
