/**
 * What `watch` prints: the peer table, the state of polling, one line per event, and the NDJSON
 * records. Pure functions of the membership and the polling state (and of `now`), so they are
 * tested without a terminal.
 *
 * @module
 */
import { KubernetesApiError, LookupError, MisconfigurationError, SelfNotListedError, type DiscoveryError, type Membership, type Peer, type PollingState, type SourceName } from '../index';
import { isoOrNull, seconds, timeOfDay } from './time';

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

const COLUMNS = ['', 'ORD', 'NAME', 'ADDRESSES', 'PORT', 'READY'] as const;
/** Shown after `READY` only when a peer has one (the `kubernetes` source tells them), so a DNS-only table keeps its columns. */
const PLACEMENT = [
  { title: 'NODE', of: (peer: Peer) => peer.nodeName },
  { title: 'ZONE', of: (peer: Peer) => peer.zone },
] as const;

/** `yes`, `no`, or `draining` (terminating, so never ready: only the `kubernetes` source tells it). */
export function readinessText(peer: Peer): string {
  return peer.draining ? 'draining' : peer.ready ? 'yes' : 'no';
}

/** The peer table: ★ marks the seed, › this pod; the node and zone of each peer when any is known. */
export function peerTable(membership: Membership): string[] {
  const placement = PLACEMENT.filter((column) => membership.peers.some((peer) => column.of(peer) !== null));
  const titles = [...COLUMNS, ...placement.map((column) => column.title), 'SOURCES'];
  const rows = membership.peers.map((peer) => [
    `${peer === membership.seed ? '★' : ' '}${peer.self ? '›' : ' '}`,
    peer.ordinal === null ? '-' : String(peer.ordinal),
    peer.name,
    peer.addresses.join(',') || '-',
    peer.port === null ? '-' : String(peer.port),
    readinessText(peer),
    ...placement.map((column) => column.of(peer) ?? '-'),
    peer.sources.join(',') || '(missing)',
  ]);
  const table = [titles, ...rows];
  const widths = titles.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  const lines = table.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
  if (rows.length === 0) lines.push(`(no peers; the seed would be ${membership.seedHost})`);
  return lines;
}

/**
 * Where polling stands at `now`: `polls: last ended 1.2 s ago (10:00:01.234Z), next in 3.8 s
 * (10:00:05.000Z)`, or, during a poll, how long it has been in flight and when the one before
 * it ended.
 */
export function pollingLine(polling: PollingState, now: number): string {
  if (polling.lastStartedAt === null) return 'polls: none started yet';
  if (polling.inFlight) {
    const previous = polling.lastEndedAt === null ? 'none has ended yet' : `the previous ended ${seconds(now - polling.lastEndedAt)} ago (${timeOfDay(polling.lastEndedAt)})`;
    return `polls: one in flight for ${seconds(now - polling.lastStartedAt)} (since ${timeOfDay(polling.lastStartedAt)}), ${previous}`;
  }
  const ended = polling.lastEndedAt === null ? 'none has ended' : `last ended ${seconds(now - polling.lastEndedAt)} ago (${timeOfDay(polling.lastEndedAt)})`;
  const next =
    polling.nextAt === null ? 'none scheduled' : polling.nextAt <= now ? `next due now (${timeOfDay(polling.nextAt)})` : `next in ${seconds(polling.nextAt - now)} (${timeOfDay(polling.nextAt)})`;
  return `polls: ${ended}, ${next}`;
}

/** The polling state in NDJSON records: times as ISO 8601 strings, `null` when unknown. */
export function pollingRecord(polling: PollingState): Record<string, unknown> {
  return {
    inFlight: polling.inFlight,
    lastStartedAt: isoOrNull(polling.lastStartedAt),
    lastEndedAt: isoOrNull(polling.lastEndedAt),
    nextAt: isoOrNull(polling.nextAt),
  };
}

/**
 * The fields of an `error` record: `code` and `message`, and what the error knows in fields of
 * its own (the query of a lookup failure or a misconfiguration, the pod missing from DNS, the
 * request and the HTTP status of a Kubernetes API failure).
 */
export function errorFields(error: DiscoveryError): Record<string, unknown> {
  const fields: Record<string, unknown> = { code: error.code, message: error.message };
  if (error instanceof LookupError) {
    Object.assign(fields, {
      queryName: error.queryName,
      queryType: error.queryType,
      server: error.server ?? null,
      transport: error.transport ?? null,
      rcode: error.rcode ?? null,
      queries: error.queries,
      durationMs: Math.round(error.durationMs),
    });
  }
  if (error instanceof MisconfigurationError) Object.assign(fields, { queryName: error.queryName, queryType: error.queryType, outcome: error.outcome });
  if (error instanceof SelfNotListedError) Object.assign(fields, { podName: error.podName, query: error.query ?? null, listed: error.listed });
  if (error instanceof KubernetesApiError) Object.assign(fields, { request: error.request, status: error.status ?? null, reason: error.reason ?? null });
  return fields;
}

/** The sources named for people: the `kubernetes` source is the Kubernetes API, every other one asks DNS. */
function sourcesText(sources: readonly SourceName[]): string {
  const api = sources.includes('kubernetes');
  const dns = sources.some((source) => source !== 'kubernetes');
  return api && dns ? 'the Kubernetes API and DNS' : api ? 'the Kubernetes API' : 'DNS';
}

/** The `stale` line: what is failing, for the sources configured (`undefined`: the default, DNS only). */
export function staleDetail(sources: readonly SourceName[] | undefined): string {
  const named = sources === undefined ? 'DNS' : sourcesText(sources);
  const failing = named === 'DNS' ? 'DNS lookups are' : named === 'the Kubernetes API' ? 'the Kubernetes API is' : `${named} are`;
  return `${failing} failing; keeping the last known peers`;
}

/** The `fresh` line: who answered, from the membership's `source`. */
export function freshDetail(source: SourceName | null): string {
  return `${source === 'kubernetes' ? 'the Kubernetes API' : 'DNS'} answers again`;
}

/** One event as a human-readable line with a timestamp. */
export function eventLine(time: Date, event: string, detail: string, membership: Membership): string {
  const state = membership.stale ? 'stale' : membership.completeness === 'unknown' ? 'fresh' : `fresh, ${membership.completeness}`;
  return `${time.toISOString()}  ${event.padEnd(7)} ${detail}  [${state}]`;
}

/**
 * A peer in NDJSON records: stable field names, the same whatever the source (`draining` is
 * `false`, and `uid`, `nodeName` and `zone` are `null`, when the source cannot tell them).
 */
export function peerRecord(peer: Peer): Record<string, unknown> {
  return {
    name: peer.name,
    ordinal: peer.ordinal,
    host: peer.host,
    addresses: peer.addresses,
    port: peer.port,
    ready: peer.ready,
    draining: peer.draining,
    uid: peer.uid,
    nodeName: peer.nodeName,
    zone: peer.zone,
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

/** One NDJSON line: `{ time, event, …fields, membership, polling }`. */
export function ndjson(time: Date, event: string, fields: Record<string, unknown>, membership: Membership, polling: PollingState): string {
  return JSON.stringify({ time: time.toISOString(), event, ...fields, membership: membershipRecord(membership), polling: pollingRecord(polling) });
}
