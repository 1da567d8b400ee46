/**
 * The part of a discovery that is about this pod's own membership of its cluster: bootstrap
 * (with the formed latch), split checks after it, and draining on the way out. `Discovery`
 * extends it, so that `discovery.ts` stays about polling and events; everything here works on
 * the membership the discovery keeps.
 *
 * @module
 */
import type { Split } from '../bootstrap/split';
import { ClosedError, DrainingError, type DiscoveryError } from '../errors';
import type { Membership } from '../membership/types';
import { runBootstrap, type BootstrapOptions, type BootstrapResult, type MemberObserver } from './bootstrap-loop';
import type { DiscoveryEvents } from './events';
import { SafeEmitter } from './safe-emitter';
import { SplitMonitor, type SplitWatchOptions } from './split-monitor';

/** What the member part needs of the discovery it belongs to. */
export interface MemberSettings {
  /** This pod's name. */
  readonly podName: string;
  /** Paces bootstrap retries when nothing changes. */
  readonly intervalMs: number;
  /** Source of uniform numbers in [0, 1): the jitter of split checks. */
  readonly random: () => number;
  /** Told of every peer asked and every bootstrap decision, for diagnostics. */
  readonly observer?: MemberObserver;
}


/** Bootstrap, split checks and draining of one pod; see the module description. */
export abstract class ClusterMember extends SafeEmitter<DiscoveryEvents> {
  readonly #settings: MemberSettings;
  readonly #drain = new AbortController();
  #drained: Promise<void> | undefined;
  #monitor: SplitMonitor | undefined;
  #awaiting: object | null = null;

  /** @internal */
  constructor(settings: MemberSettings) {
    super();
    this.#settings = settings;
  }

  /** The current membership. */
  abstract get membership(): Membership;
  /** Aborts when the discovery closes. */
  abstract get signal(): AbortSignal;
  /** True once the discovery is closed. */
  abstract get closed(): boolean;
  /** Start polling; resolves after the first poll. */
  abstract start(): Promise<Membership>;
  /** Report an error on the `error` event. */
  protected abstract reportError(error: DiscoveryError): void;

  /**
   * Decide how this pod takes part in the cluster ({@link decideBootstrap}): read the `latch`,
   * wait for a stable, fresh membership, ask every ready peer with `probe`, decide, and while the
   * answer is `wait`, try again as things change. Resolves with an `initialize` or `join`
   * decision; call its `confirm()` once your app has joined or initialized. Then split checks
   * start (`splitCheck`). Rejects with `ERR_DRAINING` once `drain()` was called.
   */
  bootstrap(options: BootstrapOptions = {}): Promise<BootstrapResult> {
    return runBootstrap(
      this,
      {
        podName: this.#settings.podName,
        intervalMs: this.#settings.intervalMs,
        draining: this.#drain.signal,
        watch: (watch) => this.watchSplits(watch),
        expectConfirmation: () => this.#expectConfirmation(),
        ...(this.#settings.observer ? { observer: this.#settings.observer } : {}),
      },
      options,
    );
  }

  /**
   * Keep asking the ready peers which cluster they are in, every `intervalMs` (± `jitter`), one
   * round at a time and a few peers at a time: emit `split` after every check that finds them in
   * more than one cluster, and `healed` once a check that reached every ready peer finds one.
   * `bootstrap()` starts this itself; call it when you do not bootstrap (or to change the
   * timing: it replaces the running checks). Throws `ERR_DRAINING` once draining; stops on
   * `drain()` and `close()`.
   */
  watchSplits(options: SplitWatchOptions): void {
    if (this.closed) throw new ClosedError();
    if (this.draining) throw new DrainingError('This pod is draining (drain() was called): split checks are not started.');
    const monitor = new SplitMonitor(
      {
        membership: () => this.membership,
        podName: this.#settings.podName,
        random: this.#settings.random,
        onSplit: (split, previous) => this.emit('split', split, previous),
        onHealed: (previous) => this.emit('healed', previous),
        onError: (error) => this.reportError(error),
        onAnswer: (peer, answered, report) => this.#settings.observer?.asked(peer.name, 'split', answered, report),
      },
      options,
    );
    void this.#monitor?.stop();
    this.#monitor = monitor;
    monitor.start();
    this.start().catch(() => undefined);
  }

  /** The split the last split check found (`winner`, `losers`), or `null`: none found, or no checks running. */
  get split(): Split | null {
    return this.#monitor?.split ?? null;
  }

  /**
   * Call on SIGTERM: this pod is leaving. From now on `bootstrap()` rejects with `ERR_DRAINING`
   * (one in flight too), split checks stop (a leaving pod asks its peers nothing more), and no
   * `join` is emitted. Polling, `membership` and every other event go on until `close()`, so the
   * app can still hand over to a peer. Serve `draining: discovery.draining` in your report, so
   * that peers never choose this pod. Resolves once split checks stopped. Idempotent; rejects
   * with `ERR_DISCOVERY_CLOSED` after `close()`.
   */
  drain(): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError());
    this.#drained ??= (async () => {
      this.#drain.abort(new DrainingError());
      await this.#monitor?.stop();
    })();
    return this.#drained;
  }

  /** True once `drain()` was called: put it in your report (`ClusterReport.draining`). */
  get draining(): boolean {
    return this.#drained !== undefined;
  }

  /** True between a `bootstrap({ latch })` that resolved and its `confirm()`: the formed latch is not written yet. */
  get latchPending(): boolean {
    return this.#awaiting !== null;
  }

  /** Stop the split checks: the discovery is closing. */
  protected async stopMember(): Promise<void> {
    await this.#monitor?.stop();
  }

  /** A bootstrap with a latch resolved: `latchPending` until the returned function is called. */
  #expectConfirmation(): () => void {
    const token = {};
    this.#awaiting = token;
    return () => {
      if (this.#awaiting === token) this.#awaiting = null;
    };
  }
}
