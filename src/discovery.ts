/**
 * The discovery runtime: schedules polls, feeds each observation to the pure reconcile step,
 * and emits what changed. It decides nothing about membership itself.
 *
 * @module
 */
import { createDnsResolver } from './dns/resolver';
import { ClosedError, DiscoveryError, ListenerError } from './errors';
import { jitteredDelay } from './interval';
import { emptyMembership, reconcile } from './membership/reconcile';
import type { MembershipContext } from './membership/identity';
import type { Membership, MembershipDiff, Peer } from './membership/types';
import { resolveOptions, type DiscoveryConfig, type DiscoveryOptions } from './options';
import { SafeEmitter } from './safe-emitter';
import { createAddressSource } from './sources/address';
import type { Source } from './sources/source';
import { createSrvSource } from './sources/srv';
import { ChangeQueue } from './change-queue';

/** Events of a {@link Discovery}, with their listener arguments. */
export interface DiscoveryEvents {
  /** A peer appeared. */
  join: [peer: Peer];
  /** A peer disappeared from a successful observation. Never emitted because a lookup failed. */
  leave: [peer: Peer];
  /** The same pod (same name) changed address, port, host or readiness. */
  update: [peer: Peer, previous: Peer];
  /** Anything above happened; emitted once per poll, after the individual events. */
  change: [membership: Membership, diff: MembershipDiff];
  /** The seed (the peer with ordinal `ordinalStart`) appeared, disappeared or was replaced. */
  seed: [seed: Peer | null, previous: Peer | null];
  /**
   * A poll failed (a `LookupError`: timeout, SERVFAIL, …; membership is kept and marked
   * stale), or a listener threw (`ListenerError`). Never fatal: polling continues.
   */
  error: [error: DiscoveryError];
}

/** One item of `for await (const change of discovery)`. */
export interface MembershipChange {
  readonly membership: Membership;
  readonly diff: MembershipDiff;
}

/** Test seams of the runtime. */
export interface DiscoveryDependencies {
  readonly source?: Source;
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * A running discovery of the peers behind one headless Service. Create it with
 * {@link createDiscovery}; listen for events, then `start()`.
 */
export class Discovery
  extends SafeEmitter<DiscoveryEvents>
  implements AsyncIterable<MembershipChange>, AsyncDisposable
{
  readonly #config: DiscoveryConfig;
  readonly #context: MembershipContext;
  readonly #source: Source;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #controller = new AbortController();
  readonly #queues = new Set<ChangeQueue<MembershipChange>>();
  #membership: Membership;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<Membership> | undefined;
  #followUp: Promise<Membership> | undefined;
  #started: Promise<Membership> | undefined;
  #closing: Promise<void> | undefined;
  #warned = false;
  readonly #onExternalAbort = (): void => void this.close();

  /** @internal Use {@link createDiscovery}. */
  constructor(config: DiscoveryConfig, dependencies: DiscoveryDependencies = {}) {
    super();
    this.#config = config;
    this.#context = {
      statefulSet: config.statefulSet,
      ordinalStart: config.ordinalStart,
      podName: config.podName,
      serviceDomain: config.serviceDomain,
    };
    this.#source = dependencies.source ?? createSource(config);
    this.#now = dependencies.now ?? Date.now;
    this.#random = dependencies.random ?? Math.random;
    this.#membership = emptyMembership(this.#context);
    if (config.signal?.aborted) {
      void this.close();
    } else {
      config.signal?.addEventListener('abort', this.#onExternalAbort, { once: true });
    }
  }

  /** The current membership: an immutable snapshot, replaced (never mutated) on every poll. */
  get membership(): Membership {
    return this.#membership;
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
   * Start polling. Resolves after the first poll with the first membership. If that poll
   * failed, the membership is empty and `stale`, an `error` event says why, and polling goes on.
   * Calling it again returns the same promise. Rejects with `ERR_DISCOVERY_CLOSED` when closed.
   */
  start(): Promise<Membership> {
    if (this.closed) return Promise.reject(new ClosedError());
    this.#started ??= this.#pollNow();
    return this.#started;
  }

  /**
   * Poll now (for example after a connection to a peer failed) and resolve with the resulting
   * membership. While a poll is in flight, callers share one follow-up poll that starts when it
   * ends, so the result always reflects DNS as it was after the call. Starts the discovery.
   */
  refresh(): Promise<Membership> {
    if (this.closed) return Promise.reject(new ClosedError());
    if (!this.#started) {
      this.#started = this.#pollNow();
      return this.#started;
    }
    if (!this.#inFlight) return this.#pollNow();
    this.#followUp ??= this.#inFlight.then(
      () => this.#afterFollowUp(),
      () => this.#afterFollowUp(),
    );
    return this.#followUp;
  }

  /** Stop polling, abort lookups in flight and end async iterators. Idempotent. */
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

  protected override onListenerError(event: keyof DiscoveryEvents, error: unknown): void {
    if (event === 'error') {
      // Reporting a failing error listener to itself would loop; make it visible instead.
      process.emitWarning(`A listener for "error" threw: ${String(error)}`, 'HeadlessDiscoveryWarning');
      return;
    }
    this.#reportError(new ListenerError(event, error));
  }

  /** Emit `error`; with nobody listening, say so once as a process warning instead of staying silent. */
  #reportError(error: DiscoveryError): void {
    if (this.listenerCount('error') > 0) {
      this.emit('error', error);
      return;
    }
    if (this.#warned) return;
    this.#warned = true;
    process.emitWarning(
      `${error.message} (further errors of this discovery are not reported: add an "error" listener to see them)`,
      { type: 'HeadlessDiscoveryWarning', code: error.code },
    );
  }

  #afterFollowUp(): Promise<Membership> {
    this.#followUp = undefined;
    if (this.closed) return Promise.reject(new ClosedError());
    return this.#inFlight ?? this.#pollNow();
  }

  #pollNow(): Promise<Membership> {
    clearTimeout(this.#timer);
    const poll = this.#poll().finally(() => {
      this.#inFlight = undefined;
      if (!this.closed) this.#scheduleNext();
    });
    this.#inFlight = poll;
    return poll;
  }

  #scheduleNext(): void {
    clearTimeout(this.#timer);
    const delay = jitteredDelay(this.#config.intervalMs, this.#config.jitter, this.#random);
    this.#timer = setTimeout(() => {
      this.#pollNow().catch(() => undefined);
    }, delay);
    this.#timer.unref();
  }

  async #poll(): Promise<Membership> {
    let observation;
    try {
      observation = await this.#source.observe(this.#controller.signal);
    } catch (error) {
      if (this.closed) throw new ClosedError('The discovery was closed during a poll.');
      // Not a DNS failure (those are observations): a bug. Report it; keep the membership.
      this.#reportError(new DiscoveryError('ERR_INTERNAL', `A poll failed unexpectedly (please report this): ${String(error)}`, { cause: error }));
      return this.#membership;
    }
    if (this.closed) throw new ClosedError('The discovery was closed during a poll.');

    const previous = this.#membership;
    const step = reconcile(previous, observation, this.#context, this.#now());
    this.#membership = step.membership;
    if (!observation.ok) this.#reportError(observation.error);
    this.#announce(step.diff, step.seedChanged ? step.previousSeed : undefined);
    return this.#membership;
  }

  #announce(diff: MembershipDiff, previousSeed: Peer | null | undefined): void {
    for (const peer of diff.left) this.emit('leave', peer);
    for (const peer of diff.joined) this.emit('join', peer);
    for (const { peer, previous } of diff.updated) this.emit('update', peer, previous);
    const seedChanged = previousSeed !== undefined;
    if (seedChanged) this.emit('seed', this.#membership.seed, previousSeed);
    if (seedChanged || diff.joined.length > 0 || diff.left.length > 0 || diff.updated.length > 0) {
      const change: MembershipChange = { membership: this.#membership, diff };
      this.emit('change', change.membership, change.diff);
      for (const queue of this.#queues) queue.push(change);
    }
  }

  async #shutdown(): Promise<void> {
    this.#config.signal?.removeEventListener('abort', this.#onExternalAbort);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#controller.abort(new ClosedError());
    await Promise.allSettled([this.#inFlight, this.#followUp]);
    clearTimeout(this.#timer);
    for (const queue of this.#queues) queue.end();
    this.#queues.clear();
  }
}

function createSource(config: DiscoveryConfig): Source {
  const resolver = createDnsResolver({
    nameservers: config.nameservers,
    timeoutMs: config.dnsTimeoutMs,
    attempts: config.dnsAttempts,
  });
  if (config.port.kind === 'named') {
    return createSrvSource(resolver, {
      serviceDomain: config.serviceDomain,
      portName: config.port.name,
      protocol: config.port.protocol,
    });
  }
  return createAddressSource(resolver, {
    serviceDomain: config.serviceDomain,
    port: config.port.kind === 'number' ? config.port.number : null,
  });
}

/**
 * Create a discovery of the peers behind a headless Service. Options are validated now
 * (`ERR_INVALID_OPTION`); nothing is queried until `start()`, `refresh()` or iteration.
 *
 * @example
 * ```ts
 * const discovery = createDiscovery({ service: 'mysql', port: 'mysql' });
 * discovery.on('join', (peer) => console.log('joined', peer.name, peer.addresses));
 * discovery.on('leave', (peer) => console.log('left', peer.name));
 * await discovery.start();
 * ```
 */
export function createDiscovery(options: DiscoveryOptions): Discovery {
  return new Discovery(resolveOptions(options));
}

/**
 * Resolve the Service once and return the membership, without a polling loop. Unlike
 * `start()`, a failed lookup rejects (with a `LookupError`), since there is no earlier
 * membership to fall back to.
 */
export async function discover(options: DiscoveryOptions): Promise<Membership> {
  const discovery = createDiscovery(options);
  let failure: DiscoveryError | undefined;
  discovery.on('error', (error) => {
    failure ??= error;
  });
  try {
    const membership = await discovery.start();
    if (membership.stale && failure) throw failure;
    return membership;
  } finally {
    await discovery.close();
  }
}
