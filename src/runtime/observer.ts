/**
 * What one discovery tells an operator: it publishes on the diagnostics channels (each message
 * built only when someone subscribes), counts for `stats()`, and remembers what `explain(name)`
 * needs (when each peer was last listed, the peers removed lately, the probes' history, the last
 * poll's lookups). Plain counters and small bounded maps; nothing here decides anything.
 *
 * @module
 */
import type { AbsenceVerdict } from '../membership/absence';
import type { PollOutcome } from '../sources/fallback';
import {
  bootstrapChannel,
  pollEndChannel,
  pollStartChannel,
  probeChannel,
  reconcileChannel,
  retryChannel,
  type DiscoverySubject,
} from '../observability/channels';
import { explain, type Explanation, type LastPoll, type PollLookup, type ProbeRecord, type Removal, type Sighting } from '../observability/explain';
import type { DiscoveryStats, EndedLookup } from '../observability/stats';
import { StatsRecorder } from '../observability/stats-recorder';
import type { BootstrapDecision } from '../bootstrap/types';
import type { ReconcileResult } from '../membership/reconcile';
import type { Membership } from '../membership/types';

/** Probe results kept per peer for `explain()`. */
export const PROBE_HISTORY = 8;
/** Removed peers (and last sightings of peers gone) remembered for `explain()`, the oldest forgotten first. */
export const REMEMBERED_PEERS = 256;

/** The discovery's diagnostics, counters and memory for explanations. */
export class DiscoveryObserver {
  readonly subject: DiscoverySubject;
  readonly stats = new StatsRecorder();
  readonly #now: () => number;
  #polls = 0;
  #pollStarted = 0;
  #inPoll = false;
  /** The lookups of the poll in flight, as the resolver returned them (kept by reference, not copied). */
  #pollLookups: EndedLookup[] = [];
  #lastPoll: Omit<LastPoll, 'lookups'> & { readonly lookups: readonly EndedLookup[] } = { at: null, outcome: null, source: null, lookups: [] };
  #missing: readonly AbsenceVerdict[] = [];
  readonly #sightings = new Map<string, Sighting>();
  readonly #removals = new Map<string, Removal>();
  readonly #probes = new Map<string, ProbeRecord[]>();

  constructor(subject: DiscoverySubject, now: () => number) {
    this.subject = Object.freeze({ service: subject.service, namespace: subject.namespace });
    this.#now = now;
  }

  /** The DNS recorder of the discovery's resolver: counts, and keeps the lookups of the poll in flight. */
  readonly dns = {
    message: (transport: 'udp' | 'tcp', truncated: boolean): void => this.stats.message(transport, truncated),
    lookup: (result: EndedLookup): void => {
      this.stats.lookup(result);
      if (this.#inPoll) this.#pollLookups.push(result);
    },
  };

  /** A poll starts. */
  pollStarted(): void {
    this.#polls++;
    this.#inPoll = true;
    this.#pollLookups = [];
    this.#pollStarted = performance.now();
    if (pollStartChannel.hasSubscribers) pollStartChannel.publish({ ...this.subject, poll: this.#polls, at: this.#now() });
  }

  /** A source is tried again within the poll. */
  retried(source: string, attempt: number, retries: number, error: Error): void {
    this.stats.retry();
    if (retryChannel.hasSubscribers) retryChannel.publish({ ...this.subject, source, attempt, retries, error });
  }

  /** The poll ended (`outcome` undefined: it threw, which is reported elsewhere) and its step was applied. */
  pollEnded(outcome: PollOutcome | undefined, step: ReconcileResult, previous: Membership): void {
    const durationMs = performance.now() - this.#pollStarted;
    this.#inPoll = false;
    const observation = outcome?.observation;
    const ok = observation?.ok === true;
    this.stats.poll(ok, durationMs);
    this.#lastPoll = { at: this.#now(), outcome: ok ? 'ok' : 'failed', source: observation?.source ?? null, lookups: this.#pollLookups };
    this.#remember(step, previous);
    if (pollEndChannel.hasSubscribers) {
      pollEndChannel.publish({
        ...this.subject,
        poll: this.#polls,
        outcome: ok ? 'ok' : 'failed',
        source: observation?.source ?? null,
        failures: (outcome?.failures ?? []).map((failure) => ({ source: failure.source, code: failure.error.code })),
        ...(observation && !observation.ok ? { error: observation.error } : {}),
        endpoints: observation?.ok ? observation.endpoints.length : 0,
        messages: outcome?.queries ?? 0,
        durationMs,
        epoch: step.membership.epoch,
      });
    }
    if (reconcileChannel.hasSubscribers) {
      reconcileChannel.publish({
        ...this.subject,
        observation: !observation?.ok ? 'failed' : observation.partial ? 'partial' : 'complete',
        epoch: step.membership.epoch,
        joined: step.diff.joined.map((peer) => peer.name),
        left: step.diff.left.map((peer) => peer.name),
        missing: step.missing,
      });
    }
  }

  /** A readiness probe of `name` ended. */
  probed(name: string, passed: boolean, ready: boolean, changed: boolean, durationMs: number): void {
    this.stats.readinessProbe(passed);
    const history = this.#probes.get(name) ?? [];
    if (history.length >= PROBE_HISTORY) history.shift();
    history.push({ at: this.#now(), passed, ready, durationMs });
    this.#probes.set(name, history);
    if (probeChannel.hasSubscribers) probeChannel.publish({ ...this.subject, kind: 'readiness', peer: name, passed, ready, changed, durationMs });
  }

  /** A peer was asked for its cluster report (`purpose`: by `bootstrap()` or a split check). */
  asked(name: string, purpose: 'bootstrap' | 'split', answered: boolean, report: unknown): void {
    this.stats.bootstrapProbe(answered);
    if (probeChannel.hasSubscribers) probeChannel.publish({ ...this.subject, kind: 'bootstrap', peer: name, purpose, answered, ...(answered ? { report } : {}) });
  }

  /** `bootstrap()` decided, on a membership of `epoch`, after asking `asked` peers of which `answered` answered. */
  decided(podName: string, decision: BootstrapDecision, epoch: number, asked: number, answered: number): void {
    if (!bootstrapChannel.hasSubscribers) return;
    bootstrapChannel.publish({
      ...this.subject,
      podName,
      action: decision.action,
      reason: decision.reason,
      clusterId: decision.clusterId,
      target: decision.target?.name ?? null,
      asked,
      answered,
      epoch,
    });
  }

  /** `discovery.stats()`: the counters, with the membership's staleness and its peers by state. */
  snapshot(membership: Membership, absences: ReadonlyMap<string, unknown>): DiscoveryStats {
    const at = this.#now();
    let ready = 0;
    let draining = 0;
    let missing = 0;
    for (const peer of membership.peers) {
      if (peer.ready) ready++;
      if (peer.draining) draining++;
      if (absences.has(peer.name)) missing++;
    }
    const lastSuccessAt = membership.updatedAt > 0 ? membership.updatedAt : null;
    return this.stats.snapshot({
      at,
      staleness: Object.freeze({ stale: membership.stale, ageMs: lastSuccessAt === null ? 0 : Math.max(0, at - lastSuccessAt), lastSuccessAt }),
      members: Object.freeze({ ready, notReady: membership.peers.length - ready, missing, draining, total: membership.peers.length }),
    });
  }

  /** `discovery.explain(name)` on `membership`. */
  explain(name: string, membership: Membership, includeNotReady: boolean, probing: boolean): Explanation {
    return explain({
      ...this.subject,
      name,
      now: this.#now(),
      peers: membership.peers,
      includeNotReady,
      stale: membership.stale,
      updatedAt: membership.updatedAt,
      missing: this.#missing,
      sightings: this.#sightings,
      removals: this.#removals,
      probes: probing ? this.#probes : null,
      lastPoll: { ...this.#lastPoll, lookups: this.#lastPoll.lookups.map(pollLookup) },
    });
  }

  /** Keep what explanations need from a poll's step; only peers that went missing or left cost anything. */
  #remember(step: ReconcileResult, previous: Membership): void {
    this.#missing = step.missing;
    for (const verdict of step.missing) {
      // Listed by the poll before (a missing peer has no sources): that was its last sighting.
      const before = verdict.polls <= 1 ? previous.peers.find((peer) => peer.name === verdict.name) : undefined;
      if (before && before.sources.length > 0 && previous.updatedAt > 0) remember(this.#sightings, verdict.name, { at: previous.updatedAt, sources: before.sources });
      if (verdict.fate !== 'removed') continue;
      remember(this.#removals, verdict.name, { at: this.#now(), rule: verdict.rule, polls: verdict.polls, since: verdict.since });
      this.#probes.delete(verdict.name);
    }
    for (const peer of step.diff.joined) this.#removals.delete(peer.name);
  }
}

/** Set `key` in a map bounded to {@link REMEMBERED_PEERS}, forgetting the oldest entry first. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED_PEERS) map.delete(map.keys().next().value as string);
}

function pollLookup(result: EndedLookup): PollLookup {
  return { type: result.type, name: result.name, outcome: result.outcome, records: result.answers?.length ?? 0 };
}
