/**
 * The reconcile step: previous state + one observation (or one readiness verdict) → next
 * membership + diff. Pure: no clock (the caller passes `now`), no I/O, no events.
 *
 * @module
 */
import type { Observation, ObservedEndpoint, SuccessfulObservation } from './observation';
import { countAbsences, holdAbsences, keptVerdicts, NO_VERDICTS, type Absence, type AbsenceVerdict } from './absence';
import { diffPeers, EMPTY_DIFF, isEmptyDiff, members, sameObservableState } from './diff';
import { comparePeers, toPeers, type MembershipContext } from './identity';
import type { MembershipPolicy } from './policy';
import { seedHost, selectSeed } from './seed';
import type { Completeness, Membership, MembershipDiff, Peer } from './types';

/** The membership plus what the next step needs to remember about missing peers. */
export interface MembershipState {
  readonly membership: Membership;
  /** Peers missing from the latest observations that have not left yet. */
  readonly absences: ReadonlyMap<string, Absence>;
  /** {@link observationKey} of the last successful observation: the same again changes no peer. */
  readonly observed: string | undefined;
}

/** A peer's readiness verdict by name, or `null` when readiness is not probed (DNS listing = ready). */
export type ReadinessLookup = ((name: string) => boolean) | null;

/** The outcome of one reconcile step. */
export interface ReconcileResult {
  readonly state: MembershipState;
  readonly membership: Membership;
  readonly diff: MembershipDiff;
  /** True when the seed's identity changed (appeared, disappeared or another pod). */
  readonly seedChanged: boolean;
  /** The seed before this step. */
  readonly previousSeed: Peer | null;
  /** The epoch before this step: the step changed something a listener reacts to when it differs. */
  readonly previousEpoch: number;
  /**
   * Every known peer the observation did not list, with what the step did with it and the rule
   * that decided (for diagnostics: the runtime publishes it). Empty when nobody is missing, and
   * after a readiness change (no observation).
   */
  readonly missing: readonly AbsenceVerdict[];
}

type Freshness = Pick<Membership, 'stale' | 'staleSince' | 'source' | 'updatedAt'>;

/** The state before the first observation: no peers, not stale, epoch 0. */
export function initialState(context: MembershipContext, policy: MembershipPolicy): MembershipState {
  const membership: Membership = Object.freeze({
    peers: Object.freeze([]),
    ready: Object.freeze([]),
    seed: null,
    seedHost: seedHost(context),
    self: null,
    completeness: completeness(0, policy.expectedReplicas),
    expectedReplicas: policy.expectedReplicas,
    epoch: 0,
    stale: false,
    staleSince: null,
    source: null,
    updatedAt: 0,
  });
  return { membership, absences: new Map(), observed: undefined };
}

/**
 * Apply one observation. A failed observation keeps every peer and marks the membership stale:
 * a lookup that failed says nothing about who left. A successful one (even an empty one:
 * NXDOMAIN is a real observation) adds and updates peers at once, and removes a missing peer
 * only once the leave hysteresis says it is gone.
 */
export function reconcile(
  state: MembershipState,
  observation: Observation,
  readiness: ReadinessLookup,
  context: MembershipContext,
  policy: MembershipPolicy,
  now: number,
): ReconcileResult {
  const previous = state.membership;
  if (!observation.ok) return markStale(state, now, policy);
  const freshness: Freshness = { stale: false, staleSince: null, source: observation.source, updatedAt: now };
  // Servers rotate record order, so the key is order-independent. With no peer missing, the same
  // observation means the same peers: only the freshness moves.
  const key = observationKey(observation);
  if (key === state.observed && state.absences.size === 0) {
    const membership = Object.freeze({ ...previous, ...freshness });
    return { state: { ...state, membership }, membership, diff: EMPTY_DIFF, seedChanged: false, previousSeed: previous.seed, previousEpoch: previous.epoch, missing: NO_VERDICTS };
  }

  const observed = observedPeers(observation, previous.peers, readiness, context);
  const present = new Set(observed.map((peer) => peer.name));
  // Only a complete observation proves an absence; a partial one only adds and updates.
  const counted = observation.partial ? undefined : countAbsences(previous.peers, present, state.absences, policy, now);
  const absences = counted?.absences ?? holdAbsences(previous.peers, present, state.absences, now);
  const missing = previous.peers
    .filter((peer) => absences.has(peer.name))
    .map((peer) => ({ ...peer, ready: readiness?.(peer.name) ?? peer.ready, sources: [] }));
  const peers = [...observed, ...missing].sort(comparePeers);
  const step = snapshot(previous, peers, absences, freshness, context, policy);
  const missingVerdicts = counted?.verdicts ?? keptVerdicts(absences, policy, 'partialObservation');
  return { ...step, state: { ...step.state, observed: key }, missing: missingVerdicts };
}

/** What an observation saw, independent of the order of its endpoints and of their addresses. */
export function observationKey(observation: SuccessfulObservation): string {
  let endpoints = endpointKeys.get(observation.endpoints);
  if (endpoints === undefined) {
    endpoints = observation.endpoints
      .map((endpoint) => `${endpoint.host ?? ''} ${endpoint.port ?? ''} ${[...endpoint.addresses].sort().join(',')}${apiFacts(endpoint)}`)
      .sort()
      .join('\n');
    endpointKeys.set(observation.endpoints, endpoints);
  }
  return `${observation.source}${observation.partial ? ' partial' : ''}\n${endpoints}`;
}

/** What only the Kubernetes API tells of an endpoint, for its key (nothing for DNS sources). */
function apiFacts(endpoint: ObservedEndpoint): string {
  if (endpoint.pod === undefined && endpoint.ready === undefined && endpoint.uid === undefined) return '';
  return ` ${endpoint.pod ?? ''} ${String(endpoint.ready)} ${String(endpoint.draining ?? false)} ${endpoint.uid ?? ''} ${endpoint.nodeName ?? ''} ${endpoint.zone ?? ''}`;
}

/** Keys of endpoint lists already seen: a source that observes nothing new hands back the same list. */
const endpointKeys = new WeakMap<readonly ObservedEndpoint[], string>();

/**
 * A poll that observed nothing: every peer stays, the membership is stale from `now` (if it was
 * not already). With the `policy`, the peers already missing are judged `kept` by `failedPoll`.
 */
export function markStale(state: MembershipState, now: number, policy?: MembershipPolicy): ReconcileResult {
  const previous = state.membership;
  const membership = previous.stale ? previous : Object.freeze({ ...previous, stale: true, staleSince: now });
  const missing = policy ? keptVerdicts(state.absences, policy, 'failedPoll') : NO_VERDICTS;
  return { state: { ...state, membership }, membership, diff: EMPTY_DIFF, seedChanged: false, previousSeed: previous.seed, previousEpoch: previous.epoch, missing };
}

/** Re-read every peer's readiness (a probe verdict changed) without a new observation. */
export function applyReadiness(
  state: MembershipState,
  readiness: (name: string) => boolean,
  context: MembershipContext,
  policy: MembershipPolicy,
): ReconcileResult {
  const previous = state.membership;
  const peers = previous.peers.map((peer) => ({ ...peer, ready: !peer.draining && readiness(peer.name) }));
  const { stale, staleSince, source, updatedAt } = previous;
  const step = snapshot(previous, peers, state.absences, { stale, staleSince, source, updatedAt }, context, policy);
  return { ...step, state: { ...step.state, observed: state.observed } };
}

function observedPeers(
  observation: SuccessfulObservation,
  known: readonly Peer[],
  readiness: ReadinessLookup,
  context: MembershipContext,
): Peer[] {
  const before = new Map(known.map((peer) => [peer.name, peer]));
  return toPeers(observation, context).map((peer) => {
    const earlier = before.get(peer.name);
    // A source that knows no pod (DNS) cannot tell that it stopped terminating, and a pod never
    // does: it stays draining until a source that knows pods says otherwise (a new UID).
    const draining = peer.draining || (peer.uid === null && earlier?.draining === true);
    return {
      ...peer,
      // A fallback source that knows no port (A records) keeps the port SRV told us earlier, and
      // one that knows no pod (DNS) keeps what the Kubernetes API told: no update when it takes over.
      port: peer.port ?? earlier?.port ?? null,
      uid: peer.uid ?? earlier?.uid ?? null,
      nodeName: peer.nodeName ?? earlier?.nodeName ?? null,
      zone: peer.zone ?? earlier?.zone ?? null,
      draining,
      // The probe's verdict over the source's; a terminating pod is never ready.
      ready: !draining && (readiness?.(peer.name) ?? peer.ready),
    };
  });
}

function snapshot(
  previous: Membership,
  candidates: readonly Peer[],
  absences: ReadonlyMap<string, Absence>,
  freshness: Freshness,
  context: MembershipContext,
  policy: MembershipPolicy,
): ReconcileResult {
  const peers = keepUnchanged(previous.peers, candidates);
  const diff = diffPeers(previous.peers, peers, policy.includeNotReady);
  const memberList = members(peers, policy.includeNotReady);
  const seed = selectSeed(memberList, context.ordinalStart);
  const seedChanged = (seed?.name ?? null) !== (previous.seed?.name ?? null);
  const changed = !isEmptyDiff(diff) || seedChanged || peers !== previous.peers;
  const membership: Membership = changed
    ? Object.freeze({
        peers,
        ready: Object.freeze(peers.filter((peer) => peer.ready)),
        seed,
        seedHost: previous.seedHost,
        self: peers.find((peer) => peer.self) ?? null,
        completeness: completeness(memberList.length, policy.expectedReplicas),
        expectedReplicas: policy.expectedReplicas,
        epoch: !isEmptyDiff(diff) || seedChanged ? previous.epoch + 1 : previous.epoch,
        ...freshness,
      })
    : Object.freeze({ ...previous, ...freshness });
  return { state: { membership, absences, observed: undefined }, membership, diff, seedChanged, previousSeed: previous.seed, previousEpoch: previous.epoch, missing: NO_VERDICTS };
}

function completeness(memberCount: number, expected: number | null): Completeness {
  if (expected === null) return 'unknown';
  return memberCount >= expected ? 'complete' : 'degraded';
}

/**
 * Reuse the previous array and the previous object of every peer that did not change, so
 * identity comparisons (`===`) hold across snapshots and unchanged peers cost no allocation.
 */
function keepUnchanged(previous: readonly Peer[], next: readonly Peer[]): readonly Peer[] {
  const before = new Map(previous.map((peer) => [peer.name, peer]));
  let reused = next.length === previous.length;
  const peers = next.map((peer, index) => {
    const old = before.get(peer.name);
    if (old && sameObservableState(old, peer) && sameSources(old, peer)) {
      if (previous[index] !== old) reused = false;
      return old;
    }
    reused = false;
    return Object.freeze({ ...peer, addresses: Object.freeze([...peer.addresses]), sources: Object.freeze([...peer.sources]) });
  });
  return reused ? previous : Object.freeze(peers);
}

function sameSources(a: Peer, b: Peer): boolean {
  return a.sources.length === b.sources.length && a.sources.every((source, index) => source === b.sources[index]);
}
