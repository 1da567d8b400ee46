/**
 * The discovery runtime: feeds each poll's observation (and each readiness verdict) to the pure
 * reconcile step and emits what changed. Scheduling lives in the scheduler, decisions in
 * `membership/`; this file wires them and owns the lifecycle.
 *
 * @module
 */
import { setMaxListeners } from 'node:events';
import type { DiscoveryConfig } from '../config/discovery-config';
import { membershipContext, sourceSettings } from '../config/layer-settings';
import { createDnsResolver, type DnsResolver } from '../dns/resolver';
import { ClosedError, DiscoveryError } from '../errors';
import { members } from '../membership/diff';
import type { MembershipContext } from '../membership/identity';
import { applyReadiness, initialState, markStale, reconcile, type MembershipState, type ReconcileResult } from '../membership/reconcile';
import type { Membership, Peer } from '../membership/types';
import { installDebugLog } from '../observability/debug-log';
import type { Explanation } from '../observability/explain';
import type { DiscoveryStats } from '../observability/stats';
import { ReadinessMonitor } from '../readiness/monitor';
import { observeInOrder, type PollOutcome } from '../sources/fallback';
import { createSources } from '../sources/registry';
import type { Source } from '../sources/source';
import { ChangeQueue } from './change-queue';
import { ClusterMember } from './cluster-member';
import { ErrorReporter } from './error-reporter';
import type { DiscoveryEvents, MembershipChange, PollingState } from './events';
import { MembershipChecks } from './membership-checks';
import { DiscoveryObserver } from './observer';
import { pollingState } from './polling-state';
import { PollScheduler } from './scheduler';
import { StaleWatch } from './stale-watch';
import { resolveLimits, waitForCondition, waitUntil, type WaitForOptions, type WaitForSeedOptions } from './wait';

/** Test seams of the runtime. */
export interface DiscoveryDependencies {
  /** Replaces the configured sources (in order of preference). */
  readonly sources?: readonly Source[];
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * A running discovery of the peers behind one headless Service. Create it with
 * {@link createDiscovery}; listen for events, then `start()`.
 */
export class Discovery extends ClusterMember implements AsyncIterable<MembershipChange>, AsyncDisposable {
  readonly #config: DiscoveryConfig;
  readonly #context: MembershipContext;
  readonly #sources: readonly Source[];
  readonly #resolver: DnsResolver | undefined;
  readonly #now: () => number;
  readonly #scheduler: PollScheduler<Membership>;
  readonly #readiness: ReadinessMonitor | undefined;
  readonly #controller = new AbortController();
  readonly #queues = new Set<ChangeQueue<MembershipChange>>();
  readonly #errors = new ErrorReporter(this);
  readonly #checks: MembershipChecks;
  readonly #staleWatch: StaleWatch;
  readonly #observer: DiscoveryObserver;
  #state: MembershipState;
  #consecutiveFailures = 0;
  #started: Promise<Membership> | undefined;
  #closing: Promise<void> | undefined;
  readonly #onExternalAbort = (): void => void this.close();
  readonly #unsubscribe: (() => void)[];

  /** @internal Use {@link createDiscovery}. */
  constructor(config: DiscoveryConfig, dependencies: DiscoveryDependencies = {}) {
    const now = dependencies.now ?? Date.now;
    const observer = new DiscoveryObserver({ service: config.service, namespace: config.namespace }, now);
    super({ podName: config.podName, intervalMs: config.timing.intervalMs, random: dependencies.random ?? Math.random, observer });
    installDebugLog();
    this.#config = config;
    this.#context = membershipContext(config);
    this.#now = now;
    this.#observer = observer;
    this.#resolver = dependencies.sources
      ? undefined
      : createDnsResolver({ nameservers: config.nameservers, timeoutMs: config.dnsTimeoutMs, attempts: config.dnsAttempts, subject: this.#observer.subject, recorder: this.#observer.dns });
    this.#sources = dependencies.sources ?? createSources(config.sources, this.#resolver as DnsResolver, sourceSettings(config));
    this.#staleWatch = new StaleWatch(config.maxStaleMs, this.#now);
    this.#checks = new MembershipChecks({
      config,
      resolver: this.#resolver,
      signal: this.#controller.signal,
      now: this.#now,
      report: (error) => this.#errors.report(error),
    });
    this.#scheduler = new PollScheduler(() => this.#poll(), config.timing, () => performance.now(), dependencies.random ?? Math.random);
    this.#readiness = config.readiness
      ? new ReadinessMonitor({ config: config.readiness, onChange: () => this.#readinessChanged(), onProbe: (...probe) => this.#observer.probed(...probe) })
      : undefined;
    this.#state = initialState(this.#context, config.policy);
    // A source that watches pushes its changes: observe again at once, not at the next interval.
    this.#unsubscribe = this.#sources.flatMap((source) => (source.subscribe ? [source.subscribe(() => this.#pushed())] : []));
    // Every lookup in flight listens on this signal; a big Service has many at once.
    setMaxListeners(0, this.#controller.signal);
    if (config.signal?.aborted) {
      void this.close();
    } else {
      config.signal?.addEventListener('abort', this.#onExternalAbort, { once: true });
    }
  }

  /** The current membership: an immutable snapshot, replaced (never mutated) on every change. */
  get membership(): Membership {
    return this.#state.membership;
  }

  /**
   * Where polling stands: whether a poll runs now, when the last one started and ended, and when
   * the next one is due. For display and diagnosis (the `watch` command shows it).
   */
  get polling(): PollingState {
    return pollingState(this.#scheduler.status(), this.#now() - performance.now(), this.closed);
  }

  /**
   * A snapshot of this discovery's counters and histograms (polls, lookups, messages, probes)
   * and of where it stands (staleness, members by state). Cheap: call it as often as you scrape.
   */
  stats(): DiscoveryStats {
    return this.#observer.snapshot(this.membership, this.#state.absences);
  }

  /**
   * Why `name` (a pod name, or a host name whose first label is one) is or is not a member now:
   * when and by which source it was last listed, how long it has been missing and the rule that
   * keeps it, when it left and why, its probes; for a name never listed, what the last poll asked
   * and got. Plain data (JSON-serialisable); never throws.
   */
  explain(name: string): Explanation {
    return this.#observer.explain(String(name), this.membership, this.#config.policy.includeNotReady, this.#readiness !== undefined);
  }

  /** Aborts when the discovery closes: tie your own work to the discovery's lifetime with it. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once `close()` was called (or the `signal` option aborted). */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Start polling. Resolves after the first poll (and, with `readiness`, after the first probe of
   * each peer it found) with the first membership. If that poll failed, the membership is empty
   * and `stale`, an `error` event says why, and polling goes on. Calling it again returns the
   * same promise. Rejects with `ERR_DISCOVERY_CLOSED` when closed.
   */
  start(): Promise<Membership> {
    if (this.closed) return Promise.reject(new ClosedError());
    this.#started ??= this.#scheduler.request().then(async () => {
      await this.#readiness?.settled();
      return this.membership;
    });
    return this.#started;
  }

  /**
   * Poll now (for example after a connection to a peer failed) and resolve with the resulting
   * membership. While a poll is in flight, callers share one follow-up poll that starts when it
   * ends, so the result always reflects DNS as it was after the call; polls never start closer
   * together than `minIntervalMs`. Starts the discovery.
   */
  refresh(): Promise<Membership> {
    if (this.closed) return Promise.reject(new ClosedError());
    if (!this.#started) return this.start();
    return this.#scheduler.request();
  }

  /**
   * Resolve with the membership once it has at least `minPeers` members (or a quorum of
   * `expectedReplicas`), fresh, with no change for `stableForMs`. Starts the discovery. Rejects
   * with `ERR_WAIT_TIMEOUT` after `timeoutMs`, with the signal's reason when it aborts.
   */
  waitFor(options: WaitForOptions = {}): Promise<Membership> {
    try {
      const { policy } = this.#config;
      const wait = waitForCondition(options, (membership) => members(membership.peers, policy.includeNotReady), policy.expectedReplicas);
      return waitUntil(this, wait.holds, wait.what, wait.limits);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Resolve with the seed once it is a member (by default: seen and ready). Same limits as `waitFor`. */
  async waitForSeed(options: WaitForSeedOptions = {}): Promise<Peer> {
    const limits = resolveLimits(options, 0);
    const membership = await waitUntil(this, (current) => current.seed !== null, `the seed ${this.membership.seedHost}`, limits);
    return membership.seed as Peer;
  }

  /** Stop polling and probing, abort lookups in flight and end async iterators. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** `await using discovery = createDiscovery(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Iterate over changes (`{ membership, diff }`), starting the discovery if needed. Each
   * iterator sees every change made after it was created; iteration ends when the discovery
   * closes. Breaking out of the loop unsubscribes.
   */
  [Symbol.asyncIterator](): AsyncIterator<MembershipChange> {
    const queue = new ChangeQueue<MembershipChange>(() => this.#queues.delete(queue));
    if (this.closed) {
      queue.end();
    } else {
      this.#queues.add(queue);
      this.start().catch(() => undefined);
    }
    return queue;
  }

  protected override reportError(error: DiscoveryError): void {
    this.#errors.report(error);
  }

  protected override onListenerError(event: keyof DiscoveryEvents, error: unknown): void {
    this.#errors.listenerFailed(event, error);
  }

  async #poll(): Promise<Membership> {
    this.#observer.pollStarted();
    const outcome = await this.#observe();
    if (this.closed) throw new ClosedError('The discovery was closed during a poll.');
    for (const failure of outcome?.failures ?? []) this.#errors.report(failure.error);
    const observation = outcome?.observation;
    if (observation?.ok) for (const problem of observation.problems ?? []) this.#errors.report(problem);
    const wasStale = this.membership.stale;
    const monitor = this.#readiness;
    const readiness = monitor ? (name: string) => monitor.isReady(name) : null;
    const now = this.#now();
    const previous = this.membership;
    const step = observation ? reconcile(this.#state, observation, readiness, this.#context, this.#config.policy, now) : markStale(this.#state, now, this.#config.policy);
    this.#apply(step);
    this.#observer.pollEnded(outcome, step, previous);
    const succeeded = observation?.ok === true;
    this.#consecutiveFailures = succeeded ? 0 : this.#consecutiveFailures + 1;
    this.#scheduler.report({
      consecutiveFailures: this.#consecutiveFailures,
      degraded: this.membership.completeness === 'degraded',
    });
    if (observation && !observation.ok) this.#errors.report(observation.error);
    if (!wasStale && this.membership.stale) this.#wentStale();
    if (wasStale && !this.membership.stale) this.#becameFresh();
    if (observation?.ok) this.#checks.afterSuccess(observation, this.membership);
    monitor?.track(this.membership.peers);
    return this.membership;
  }

  /** Observe the sources in order; `undefined` (reported as `ERR_INTERNAL`) if that threw, which would be a bug. */
  async #observe(): Promise<PollOutcome | undefined> {
    try {
      const { retry } = this.#config;
      return await observeInOrder(this.#sources, this.#controller.signal, retry, (source, attempt, failure) => this.#observer.retried(source, attempt, retry.retries, failure.error));
    } catch (error) {
      if (this.closed) throw new ClosedError('The discovery was closed during a poll.');
      this.#errors.report(new DiscoveryError('ERR_INTERNAL', `A poll failed unexpectedly (please report this): ${String(error)}`, { cause: error }));
      return undefined;
    }
  }

  #pushed(): void {
    if (!this.#started || this.closed) return;
    this.#scheduler.request({ urgent: true }).catch(() => undefined);
  }

  #readinessChanged(): void {
    const monitor = this.#readiness;
    if (this.closed || !monitor) return;
    this.#apply(applyReadiness(this.#state, (name) => monitor.isReady(name), this.#context, this.#config.policy));
  }

  #apply(step: ReconcileResult): void {
    this.#state = step.state;
    const { diff } = step;
    for (const peer of diff.left) this.emit('leave', peer);
    if (!this.draining) for (const peer of diff.joined) this.emit('join', peer);
    for (const { peer, previous } of diff.replaced) this.emit('replace', peer, previous);
    for (const { peer, previous } of diff.updated) this.emit('update', peer, previous);
    for (const peer of diff.becameReady) this.emit('ready', peer);
    for (const peer of diff.becameUnready) this.emit('unready', peer);
    for (const peer of diff.draining) this.emit('draining', peer);
    if (step.seedChanged) this.emit('seed', this.membership.seed, step.previousSeed);
    if (step.membership.epoch !== step.previousEpoch) {
      const change: MembershipChange = { membership: this.membership, diff };
      this.emit('change', change.membership, change.diff);
      for (const queue of this.#queues) queue.push(change);
    }
  }

  #wentStale(): void {
    this.emit('stale', this.membership);
    this.#staleWatch.arm(
      this.membership.staleSince ?? this.#now(),
      (since) => !this.closed && this.membership.stale && this.membership.staleSince === since,
      (staleFor) => this.emit('staleTooLong', this.membership, staleFor),
    );
  }

  #becameFresh(): void {
    this.#staleWatch.disarm();
    this.emit('fresh', this.membership);
  }

  async #shutdown(): Promise<void> {
    this.#config.signal?.removeEventListener('abort', this.#onExternalAbort);
    this.#staleWatch.disarm();
    const closed = new ClosedError();
    this.#controller.abort(closed);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    await Promise.allSettled([this.#scheduler.stop(closed), this.#readiness?.close(), this.stopMember()]);
    await Promise.allSettled(this.#sources.map((source) => source.close?.()));
    this.#resolver?.close();
    for (const queue of this.#queues) queue.end();
    this.#queues.clear();
  }
}
