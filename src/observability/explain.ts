/**
 * `discovery.explain(name)`: why a name is or is not a member now, built (purely) from what the
 * discovery remembers: the current peers, the verdicts of the last reconcile on missing peers,
 * the peers removed lately, the readiness probes' history, and what the last poll asked and got.
 * Plain data, JSON-serialisable; {@link explanationLines} renders it for a terminal.
 *
 * @module
 */
import type { AbsenceVerdict, DiscoverySubject } from './channels';

/** Where a name stands: a ready or not-ready member, missing (not gone yet), draining, removed, or never seen. */
export type NameStatus = 'member' | 'not-ready' | 'missing' | 'draining' | 'removed' | 'never-seen';

/** The part of a peer an explanation shows. */
export interface ExplainedPeer {
  /** The pod name. */
  readonly name: string;
  /** Its ordinal, when its name has one. */
  readonly ordinal: number | null;
  /** Its DNS name, when known. */
  readonly host: string | null;
  /** Its addresses. */
  readonly addresses: readonly string[];
  /** Its port, when known. */
  readonly port: number | null;
  /** Whether it is ready. */
  readonly ready: boolean;
  /** Its pod is terminating (the `kubernetes` source tells it). */
  readonly draining?: boolean;
  /** It is this pod. */
  readonly self: boolean;
  /** The sources that listed it in the last poll (empty while it is missing). */
  readonly sources: readonly string[];
}

/** One readiness probe's result. */
export interface ProbeRecord {
  /** When it ended (ms since the epoch). */
  readonly at: number;
  /** Its result. */
  readonly passed: boolean;
  /** The verdict after it. */
  readonly ready: boolean;
  /** How long it took, in ms. */
  readonly durationMs: number;
}

/** A peer that left, as remembered. */
export interface Removal {
  /** When it left (ms since the epoch). */
  readonly at: number;
  /** The rule met last: `leaveAfterPolls` or `leaveAfterMs`. */
  readonly rule: string;
  /** The polls it had been missing from. */
  readonly polls: number;
  /** When it went missing. */
  readonly since: number;
}

/** When a name was last listed, and by which sources. */
export interface Sighting {
  /** When (ms since the epoch). */
  readonly at: number;
  /** The sources that listed it. */
  readonly sources: readonly string[];
}

/** One lookup of the last poll. */
export interface PollLookup {
  /** The record type asked. */
  readonly type: string;
  /** Absolute, with its trailing dot. */
  readonly name: string;
  /** `answer`, `nodata`, `nxdomain`, `servfail`, `refused`, `rcode`, `timeout` or `network-error`. */
  readonly outcome: string;
  /** Records of an `answer` (0 otherwise). */
  readonly records: number;
}

/** The last poll, as an explanation tells it. */
export interface LastPoll {
  /** When it ended (ms since the epoch); `null` before the first. */
  readonly at: number | null;
  /** `ok` (a source answered), `failed` (every source failed); `null` before the first. */
  readonly outcome: 'ok' | 'failed' | null;
  /** The source that answered (or failed last). */
  readonly source: string | null;
  /** Its DNS lookups (none for the `kubernetes` and `static` sources). */
  readonly lookups: readonly PollLookup[];
}

/** Why a name is or is not a member, as `discovery.explain(name)` returns it. */
export interface Explanation extends DiscoverySubject {
  /** The pod name explained (the first label of what was asked, lower-cased). */
  readonly name: string;
  /** When (ms since the epoch). */
  readonly at: number;
  /** Where it stands. */
  readonly status: NameStatus;
  /** Whether it counts as a member now (ready, or listed with `includeNotReady`). */
  readonly member: boolean;
  /** One sentence saying why. */
  readonly summary: string;
  /** The peer, while the membership holds it. */
  readonly peer: ExplainedPeer | null;
  /** When it was last listed, and by whom; `null`: never. */
  readonly lastSeen: Sighting | null;
  /** While missing: for how many polls, since when, and the rule that holds it. */
  readonly missing: MissingPeer | null;
  /** Once removed: when and by which rule. */
  readonly removed: Removal | null;
  /** Readiness probes: `null` without the `readiness` option; else the verdict and the latest results, oldest first. */
  readonly readiness: ReadinessHistory | null;
  /** Whether the membership is stale (the last poll failed): nothing changes until one succeeds. */
  readonly stale: boolean;
  /** The last poll, and what it asked DNS. */
  readonly lastPoll: LastPoll;
}

/** A peer missing from the last polls, as the last reconcile step judged it. */
export interface MissingPeer extends AbsenceVerdict {
  /** How long it has been missing, in ms. */
  readonly forMs: number;
}

/** A probed peer's verdict and its latest probe results. */
export interface ReadinessHistory {
  /** The verdict now. */
  readonly ready: boolean;
  /** The latest results, oldest first. */
  readonly history: readonly ProbeRecord[];
}

/** Everything an explanation is built from, as the discovery holds it. */
export interface ExplainInput extends DiscoverySubject {
  /** What was asked: a pod name, or a host name whose first label is one. */
  readonly name: string;
  readonly now: number;
  readonly peers: readonly ExplainedPeer[];
  /** Whether not-ready peers are members (`includeNotReady`). */
  readonly includeNotReady: boolean;
  readonly stale: boolean;
  /** When the membership was last updated by a successful poll (ms since the epoch; 0: never). */
  readonly updatedAt: number;
  /** The last reconcile's verdicts on missing peers. */
  readonly missing: readonly AbsenceVerdict[];
  readonly sightings: ReadonlyMap<string, Sighting>;
  readonly removals: ReadonlyMap<string, Removal>;
  /** `null` without the `readiness` option. */
  readonly probes: ReadonlyMap<string, readonly ProbeRecord[]> | null;
  readonly lastPoll: LastPoll;
}

/** The pod name `asked` refers to: its first label, lower-cased, without a trailing dot. */
export function explainedName(asked: string): string {
  return asked.trim().toLowerCase().split('.')[0] ?? '';
}

/** Build the explanation of `input.name`. Pure; never throws. */
export function explain(input: ExplainInput): Explanation {
  const name = explainedName(input.name);
  const peer = input.peers.find((candidate) => candidate.name === name) ?? null;
  const verdict = input.missing.find((candidate) => candidate.name === name && candidate.fate !== 'removed');
  const removal = peer ? undefined : input.removals.get(name);
  const history = input.probes?.get(name) ?? [];
  const base = { service: input.service, namespace: input.namespace, name, at: input.now, stale: input.stale, lastPoll: input.lastPoll };
  const sighting = peer && peer.sources.length > 0 && input.updatedAt > 0 ? { at: input.updatedAt, sources: peer.sources } : (input.sightings.get(name) ?? null);
  const readiness = input.probes === null ? null : { ready: peer?.ready ?? false, history };
  const status = statusOf(peer, verdict, removal, input.includeNotReady);
  const member = peer !== null && !peer.draining && (peer.ready || input.includeNotReady);
  const missing = peer && verdict ? { ...verdict, forMs: Math.max(0, input.now - verdict.since) } : null;
  return {
    ...base,
    status,
    member,
    summary: summaryOf(status, { name, peer, missing, removal, history, includeNotReady: input.includeNotReady, lastPoll: input.lastPoll, stale: input.stale }),
    peer,
    lastSeen: sighting,
    missing,
    removed: removal ?? null,
    readiness,
  };
}

function statusOf(peer: ExplainedPeer | null, verdict: AbsenceVerdict | undefined, removal: Removal | undefined, includeNotReady: boolean): NameStatus {
  if (peer === null) return removal ? 'removed' : 'never-seen';
  if (peer.draining) return 'draining';
  if (verdict) return 'missing';
  return peer.ready || includeNotReady ? 'member' : 'not-ready';
}

interface SummaryFacts {
  readonly name: string;
  readonly peer: ExplainedPeer | null;
  readonly missing: MissingPeer | null;
  readonly removal: Removal | undefined;
  readonly history: readonly ProbeRecord[];
  readonly includeNotReady: boolean;
  readonly lastPoll: LastPoll;
  readonly stale: boolean;
}

/** The rule that holds a missing peer, in words. */
const HOLDING_RULES: Readonly<Record<AbsenceVerdict['rule'], (verdict: AbsenceVerdict) => string>> = {
  leaveAfterPolls: (verdict) => `leaveAfterPolls: missing from ${verdict.polls} of the ${verdict.requiredPolls} polls in a row it takes to leave`,
  leaveAfterMs: () => 'leaveAfterMs: not missing for long enough yet',
  maxRemovalFraction: () => 'maxRemovalFraction: too many peers went missing at once, so a second poll must confirm it',
  partialObservation: () => 'the last answer may not list everyone (truncated or partly failed): it proves no absence',
  failedPoll: () => 'the last poll failed: a failed lookup says nothing about who left',
};

function summaryOf(status: NameStatus, facts: SummaryFacts): string {
  const { name } = facts;
  switch (status) {
    case 'member':
      return facts.peer?.ready ? `${name} is a member: listed by the last poll and ready.` : `${name} is a member: listed, not ready, and not-ready peers are members (includeNotReady).`;
    case 'not-ready':
      return `${name} is listed but not a member: it is not ready${notReadyWhy(facts.history)}.`;
    case 'draining':
      return `${name} is listed but not a member: it is terminating (draining).`;
    case 'missing': {
      const missing = facts.missing as MissingPeer;
      return `${name} is still in the membership but missing from the last answers for ${Math.round(missing.forMs)} ms; it is ${missing.fate} by ${HOLDING_RULES[missing.rule](missing)}.`;
    }
    case 'removed': {
      const removal = facts.removal as Removal;
      return `${name} left at ${new Date(removal.at).toISOString()}: ${removal.rule} was met (missing from ${removal.polls} polls).`;
    }
    case 'never-seen':
      return `${name} was never listed: ${neverSeenWhy(facts.lastPoll, facts.stale)}.`;
  }
}

function notReadyWhy(history: readonly ProbeRecord[]): string {
  const last = history.at(-1);
  if (!last) return ' (DNS lists it, but the readiness probe has not passed yet)';
  const failures = history.filter((record) => !record.passed).length;
  return last.passed ? ' (its last probe passed; more passes are needed: successThreshold)' : ` (${failures} of its last ${history.length} probes failed)`;
}

function neverSeenWhy(lastPoll: LastPoll, stale: boolean): string {
  if (lastPoll.at === null) return 'no poll has ended yet';
  if (stale || lastPoll.outcome === 'failed') return `the last poll failed (${lastPoll.source ?? 'no source'}), so nothing new can be seen until one succeeds`;
  const lookups = lastPoll.lookups.map((lookup) => `${lookup.type} ${lookup.name} → ${lookup.outcome === 'answer' ? `${lookup.records} records` : lookup.outcome}`);
  return lookups.length > 0 ? `the last poll (${lastPoll.source ?? 'no source'}) asked ${lookups.join('; ')}` : `the last poll's answer (${lastPoll.source ?? 'no source'}) did not list it`;
}

/** The explanation as lines for a terminal: the summary, then one line per fact. */
export function explanationLines(explanation: Explanation): string[] {
  const lines = [explanation.summary];
  const { peer, lastSeen, missing, removed, readiness, lastPoll } = explanation;
  if (peer) lines.push(`  peer: ${peer.host ?? peer.name} ${peer.addresses.join(',') || '(no address)'}${peer.port === null ? '' : ` port ${peer.port}`}${peer.ready ? ' ready' : ' not ready'}${peer.self ? ' (this pod)' : ''}`);
  lines.push(`  last seen: ${lastSeen ? `${new Date(lastSeen.at).toISOString()} by ${lastSeen.sources.join(', ') || 'no source'}` : 'never'}`);
  if (missing) lines.push(`  missing: ${missing.polls}/${missing.requiredPolls} polls since ${new Date(missing.since).toISOString()} (${missing.fate} by ${missing.rule})`);
  if (removed) lines.push(`  removed: ${new Date(removed.at).toISOString()} by ${removed.rule}`);
  if (readiness) {
    const history = readiness.history.map((record) => (record.passed ? 'pass' : 'fail')).join(' ');
    lines.push(`  readiness: ${readiness.ready ? 'ready' : 'not ready'}; probes ${history || 'none yet'}`);
  }
  const when = lastPoll.at === null ? 'none yet' : `${new Date(lastPoll.at).toISOString()} ${lastPoll.outcome ?? ''} (${lastPoll.source ?? 'no source'})`;
  lines.push(`  last poll: ${when}${explanation.stale ? ', membership stale' : ''}`);
  for (const lookup of lastPoll.lookups) lines.push(`    ${lookup.type} ${lookup.name} → ${lookup.outcome === 'answer' ? `${lookup.records} records` : lookup.outcome}`);
  return lines;
}
