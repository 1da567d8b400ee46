/**
 * The readiness scheduler: probes every tracked peer once at once and then every `periodMs`,
 * with at most `concurrency` probes in flight and never two of the same peer, and reports each
 * change of a peer's verdict.
 *
 * @module
 */
import type { Peer } from '../membership/types';
import type { ReadinessConfig } from './probe-spec';
import { runProbe } from './probes';
import { INITIAL_PROBE_STATE, nextProbeState, type ProbeState } from './thresholds';

/** What a {@link ReadinessMonitor} probes, how, and whom it tells. */
export interface ReadinessMonitorOptions {
  /** The validated `readiness` option. */
  readonly config: ReadinessConfig;
  /**
   * Called only when a tracked peer's readiness changes (first verdict 'ready' counts as a
   * change from not-ready; a first failure does not call it because peers start not ready).
   */
  readonly onChange: (name: string, ready: boolean) => void;
  /** Overridable for tests; defaults to runProbe with the config's probe and timeout. */
  readonly probe?: (peer: Peer, signal: AbortSignal) => Promise<boolean>;
  /** Told after every probe of a tracked peer: its result, the verdict after it, whether that changed, and how long it took. */
  readonly onProbe?: (name: string, passed: boolean, ready: boolean, changed: boolean, durationMs: number) => void;
}

/** One tracked peer. A peer that leaves and comes back gets a new entry. */
interface Entry {
  peer: Peer;
  state: ProbeState;
  /** When the next probe is (or was) due, in `performance.now()` milliseconds. */
  due: number;
  timer: NodeJS.Timeout | null;
  /** Aborts the probe in flight; `null` when none is. */
  running: AbortController | null;
  probed: boolean;
}

/** Resolves a `settled()` call once every entry it waits for has been probed or untracked. */
interface Waiter {
  readonly pending: Set<Entry>;
  readonly resolve: () => void;
}

/** Probes peers on a schedule and keeps a readiness verdict per peer name. */
export class ReadinessMonitor {
  readonly #config: ReadinessConfig;
  readonly #onChange: (name: string, ready: boolean) => void;
  readonly #probe: (peer: Peer, signal: AbortSignal) => Promise<boolean>;
  readonly #onProbe: ReadinessMonitorOptions['onProbe'];
  readonly #entries = new Map<string, Entry>();
  /** Entries due for a probe, waiting for a free slot, oldest first. */
  readonly #queue = new Set<Entry>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #waiters = new Set<Waiter>();
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(options: ReadinessMonitorOptions) {
    const { config, probe } = options;
    this.#config = config;
    this.#onChange = options.onChange;
    this.#onProbe = options.onProbe;
    this.#probe = probe ?? ((peer, signal) => runProbe(peer, config.probe, config.timeoutMs, signal));
  }

  /**
   * Make `peers` the set being probed (identity = peer.name). New names are probed immediately,
   * then every periodMs; names no longer present stop being probed (their in-flight probe is
   * aborted, their state forgotten); a peer whose addresses or port changed keeps its state but
   * the next probe uses the new target.
   */
  track(peers: readonly Peer[]): void {
    if (this.#closed) return;
    const wanted = new Map(peers.map((peer) => [peer.name, peer]));
    for (const [name, entry] of this.#entries) {
      if (!wanted.has(name)) this.#forget(name, entry);
    }
    for (const [name, peer] of wanted) {
      const entry = this.#entries.get(name);
      if (entry) {
        entry.peer = peer;
        continue;
      }
      const added: Entry = { peer, state: INITIAL_PROBE_STATE, due: performance.now(), timer: null, running: null, probed: false };
      this.#entries.set(name, added);
      this.#queue.add(added);
    }
    this.#pump();
  }

  /** Current verdict: true/false, or false for untracked names. */
  isReady(name: string): boolean {
    return this.#entries.get(name)?.state.ready ?? false;
  }

  /**
   * Resolves once every currently tracked peer has completed at least one probe (or immediately
   * if none) — used so start() can report readiness of the first peers; never rejects; resolves
   * early on close().
   */
  settled(): Promise<void> {
    const pending = new Set([...this.#entries.values()].filter((entry) => !entry.probed));
    if (this.#closed || pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add({ pending, resolve }));
  }

  /** Abort in-flight probes, clear every timer, and resolve once all probes have finished. Idempotent. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#closing = Promise.all(this.#inFlight).then(() => undefined);
    for (const [name, entry] of this.#entries) this.#forget(name, entry);
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters.clear();
    return this.#closing;
  }

  #forget(name: string, entry: Entry): void {
    this.#entries.delete(name);
    this.#queue.delete(entry);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.running?.abort();
    this.#settle(entry);
  }

  #pump(): void {
    if (this.#closed) return;
    for (const entry of this.#queue) {
      if (this.#inFlight.size >= this.#config.concurrency) return;
      this.#queue.delete(entry);
      this.#start(entry);
    }
  }

  #start(entry: Entry): void {
    const controller = new AbortController();
    entry.running = controller;
    const started = performance.now();
    const probe = this.#attempt(entry.peer, controller.signal).then((ready) => {
      this.#inFlight.delete(probe);
      entry.running = null;
      if (this.#isTracked(entry)) this.#record(entry, ready, performance.now() - started);
      if (this.#isTracked(entry)) this.#schedule(entry);
      this.#pump();
    });
    this.#inFlight.add(probe);
  }

  /** False once the entry was untracked or the monitor closed, including from inside `onChange`. */
  #isTracked(entry: Entry): boolean {
    return !this.#closed && this.#entries.get(entry.peer.name) === entry;
  }

  /** The probe's verdict; it starts a microtask later, once its promise is in `#inFlight` for `close()`. */
  async #attempt(peer: Peer, signal: AbortSignal): Promise<boolean> {
    await undefined;
    if (signal.aborted) return false;
    try {
      return (await this.#probe(peer, signal)) === true;
    } catch {
      return false;
    }
  }

  #record(entry: Entry, succeeded: boolean, durationMs: number): void {
    const wasReady = entry.state.ready;
    entry.state = nextProbeState(entry.state, succeeded, this.#config);
    entry.probed = true;
    this.#onProbe?.(entry.peer.name, succeeded, entry.state.ready, entry.state.ready !== wasReady, durationMs);
    if (entry.state.ready !== wasReady) {
      try {
        this.#onChange(entry.peer.name, entry.state.ready);
      } catch {
        // The caller reports its own listener failures; the schedule must go on.
      }
    }
    this.#settle(entry);
  }

  #schedule(entry: Entry): void {
    const now = performance.now();
    entry.due = Math.max(now, entry.due + this.#config.periodMs);
    entry.timer = setTimeout(() => {
      entry.timer = null;
      this.#queue.add(entry);
      this.#pump();
    }, entry.due - now);
    entry.timer.unref();
  }

  #settle(entry: Entry): void {
    for (const waiter of this.#waiters) {
      waiter.pending.delete(entry);
      if (waiter.pending.size === 0) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
