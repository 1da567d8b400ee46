/**
 * The reports a discovery makes about what its successful polls found, each at most once per
 * cause: names outside the Service's domain, this pod missing from its own Service, and a
 * membership that stayed empty in the first polls for a reason DNS can tell.
 *
 * @module
 */
import type { DiscoveryConfig } from '../config/discovery-config';
import { explainEmpty } from '../diagnose/on-demand';
import { primaryQuery } from '../diagnose/primary-query';
import type { Resolver } from '../dns/types';
import { ForeignPeerError, SelfNotListedError, type DiscoveryError } from '../errors';
import type { SuccessfulObservation } from '../membership/observation';
import { checkSelfPresence, INITIAL_SELF_PRESENCE, type SelfPresence } from '../membership/self-presence';
import type { Membership } from '../membership/types';
import { parseOrdinal } from '../names';

/** A discovery that found nobody in its first polls this many times in a row says why. */
export const EMPTY_POLLS_BEFORE_DIAGNOSIS = 3;

/** What the checks need of the discovery. */
export interface MembershipCheckContext {
  readonly config: DiscoveryConfig;
  /** The discovery's resolver; `undefined` when its sources were replaced (no diagnosis then). */
  readonly resolver: Resolver | undefined;
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly report: (error: DiscoveryError) => void;
}

/** The checks of one discovery, run after each successful poll. */
export class MembershipChecks {
  readonly #context: MembershipCheckContext;
  readonly #isMemberPod: boolean;
  readonly #foreign = new Set<string>();
  #selfPresence: SelfPresence = INITIAL_SELF_PRESENCE;
  /** Successful polls in a row that found nobody, from the start; -1 once decided. */
  #emptyPolls = 0;

  constructor(context: MembershipCheckContext) {
    this.#context = context;
    this.#isMemberPod = parseOrdinal(context.config.podName, context.config.statefulSet) !== null;
  }

  /** Run every check on a successful observation and the membership it produced. */
  afterSuccess(observation: SuccessfulObservation, membership: Membership): void {
    this.#reportForeign(observation.foreign ?? []);
    this.#checkSelf(membership);
    this.#checkEmpty(observation, membership);
  }

  /** Each name outside the Service's domain is reported once. */
  #reportForeign(hosts: readonly string[]): void {
    for (const host of hosts) {
      if (this.#foreign.has(host)) continue;
      this.#foreign.add(host);
      this.#context.report(new ForeignPeerError(host, this.#context.config.serviceDomain));
    }
  }

  #checkSelf(membership: Membership): void {
    const { config, now } = this.#context;
    if (!this.#isMemberPod) return;
    const check = checkSelfPresence(this.#selfPresence, membership, config.timing.intervalMs, now());
    this.#selfPresence = check.presence;
    if (!check.report) return;
    const query = primaryQuery(config);
    const asked = membership.source === 'kubernetes' ? `the EndpointSlices of ${config.namespace}/${config.service}` : `${query.type} ${query.name}`;
    const listed = membership.peers.map((peer) => peer.name);
    this.#context.report(new SelfNotListedError(config.podName, { query: asked, listed }));
  }

  /**
   * The first polls all worked and found nobody: say why when DNS tells (a name or a port that
   * does not exist, pods of another StatefulSet), once. Diagnosis lookups run beside the poll loop.
   */
  #checkEmpty(observation: SuccessfulObservation, membership: Membership): void {
    if (this.#emptyPolls < 0) return;
    if (membership.peers.length > 0) {
      this.#emptyPolls = -1;
      return;
    }
    this.#emptyPolls += 1;
    const { config, resolver, signal, report } = this.#context;
    // What DNS can tell: an empty list of EndpointSlices is not explained by DNS lookups.
    if (this.#emptyPolls < EMPTY_POLLS_BEFORE_DIAGNOSIS || !resolver || observation.source === 'kubernetes') return;
    this.#emptyPolls = -1;
    explainEmpty(config, observation, resolver, signal).then(
      (error) => {
        if (error && !signal.aborted) report(error);
      },
      () => undefined,
    );
  }
}
