/**
 * The split monitor: after formation, ask the ready peers which cluster they are in (with the
 * same probe as bootstrap), at a modest, jittered rate, a few at a time, one round at a time,
 * and tell the discovery what `detectSplit` makes of the answers. The decision is pure
 * (`bootstrap/split.ts`); this file only schedules, asks and hands over.
 *
 * @module
 */
import { detectSplit, type Split } from '../bootstrap/split';
import type { ClusterReport } from '../bootstrap/types';
import { integerIn, numberIn, ownRecord, rejectUnknownKeys } from '../config/checks';
import { InvalidOptionError, ListenerError, type DiscoveryError } from '../errors';
import type { Membership } from '../membership/types';
import { askPeers, usableReport, type AnswerListener, type ClusterProbe } from './ask-peers';
import { jitteredDelay } from './poll-delay';

/** Defaults of the split checks. */
export const SPLIT_CHECK_DEFAULTS = Object.freeze({ intervalMs: 30_000, jitter: 0.2, probeTimeoutMs: 2000, concurrency: 4 });

/** How often, and how, split checks ask the peers. */
export interface SplitCheckTiming {
  /** Between the end of one check and the start of the next. Default: 30000. */
  readonly intervalMs?: number;
  /** Each interval is spread by ±`jitter` (0 to 1), so pods do not ask in step. Default: 0.2. */
  readonly jitter?: number;
  /** How long one probe may take. Default: 2000. */
  readonly probeTimeoutMs?: number;
}

/** Options of `discovery.watchSplits()`. */
export interface SplitWatchOptions extends SplitCheckTiming {
  /** Asks one peer which cluster it is in: the probe `bootstrap()` uses. */
  readonly probe: ClusterProbe;
  /**
   * This pod's own report, as its probe endpoint serves it. Counted with the peers' answers, so
   * that every pod decides on the same reports (a pod cannot probe itself). Without it, this pod
   * is in no group, and two pods' views of the same split may differ.
   */
  readonly report?: () => ClusterReport | null | undefined;
}

/** What the monitor needs from the discovery. */
export interface SplitHost {
  /** The current membership. */
  membership(): Membership;
  /** This pod's name: never asked, and the name its own report is counted under. */
  readonly podName: string;
  readonly random: () => number;
  /** A check found a split (`previous`: the split of the check before, `null` when new). */
  onSplit(split: Split, previous: Split | null): void;
  /** A conclusive check found one cluster again after `previous`. */
  onHealed(previous: Split): void;
  onError(error: DiscoveryError): void;
  /** Told of each peer's answer, for diagnostics. */
  readonly onAnswer?: AnswerListener;
}

const OPTION_KEYS = new Set(['probe', 'report', 'intervalMs', 'jitter', 'probeTimeoutMs']);

/** Validate split-check options; `prefix` names them in errors (`'splitCheck.'` inside `bootstrap()`). */
export function resolveSplitTiming(options: SplitCheckTiming, prefix = ''): Required<SplitCheckTiming> {
  return {
    intervalMs: integerIn(`${prefix}intervalMs`, options.intervalMs, SPLIT_CHECK_DEFAULTS.intervalMs, 10, 86_400_000),
    jitter: numberIn(`${prefix}jitter`, options.jitter, SPLIT_CHECK_DEFAULTS.jitter, 0, 1),
    probeTimeoutMs: integerIn(`${prefix}probeTimeoutMs`, options.probeTimeoutMs, SPLIT_CHECK_DEFAULTS.probeTimeoutMs, 1, 600_000),
  };
}

/** Asks the peers round after round, never two rounds at once, until stopped. */
export class SplitMonitor {
  readonly #host: SplitHost;
  readonly #probe: ClusterProbe;
  readonly #report: (() => ClusterReport | null | undefined) | undefined;
  readonly #timing: Required<SplitCheckTiming>;
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #split: Split | null = null;
  #stopped = false;

  constructor(host: SplitHost, options: SplitWatchOptions) {
    const record = ownRecord('watchSplits', options, '{ probe, report, intervalMs }');
    rejectUnknownKeys('', record, OPTION_KEYS);
    const { probe, report } = record;
    if (typeof probe !== 'function') throw new InvalidOptionError('probe', 'expected a function (peer, signal) => Promise<ClusterReport | null>.');
    if (report !== undefined && typeof report !== 'function') throw new InvalidOptionError('report', "expected a function returning this pod's own ClusterReport.");
    this.#host = host;
    this.#probe = probe as ClusterProbe;
    this.#report = report as (() => ClusterReport | null | undefined) | undefined;
    this.#timing = resolveSplitTiming(record);
  }

  /** The split the last check found, or `null`. */
  get split(): Split | null {
    return this.#split;
  }

  /** Run the first check soon (within `jitter × intervalMs`, spread like the rest), then keep going. */
  start(): void {
    if (this.#stopped || this.#timer || this.#round) return;
    this.#schedule(Math.round(this.#timing.jitter * this.#timing.intervalMs * this.#host.random()));
  }

  /** Stop: no new round, the one in flight aborted. Resolves once it has unwound. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#controller.abort();
    await this.#round;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#round = this.#check()
        .catch((error: unknown) => {
          if (!this.#stopped) this.#host.onError(new ListenerError('split check', error));
        })
        .finally(() => {
          this.#round = undefined;
          this.#schedule(jitteredDelay(this.#timing.intervalMs, this.#timing.jitter, this.#host.random));
        });
    }, delayMs);
    this.#timer.unref();
  }

  /** One round: ask, decide, hand over. A stale or unobserved membership decides nothing. */
  async #check(): Promise<void> {
    const membership = this.#host.membership();
    if (membership.updatedAt === 0 || membership.stale) return;
    const { podName } = this.#host;
    const peers = membership.ready.filter((peer) => peer.name !== podName);
    const signal = this.#controller.signal;
    const { reports, unanswered } = await askPeers(peers, this.#probe, { timeoutMs: this.#timing.probeTimeoutMs, concurrency: SPLIT_CHECK_DEFAULTS.concurrency, signal, onAnswer: this.#host.onAnswer });
    const ownKnown = this.#addOwnReport(reports, podName);
    if (this.#stopped) return;
    const split = detectSplit(reports, membership);
    const previous = this.#split;
    if (split) {
      this.#split = split;
      this.#host.onSplit(split, previous);
    } else if (previous && unanswered.length === 0 && ownKnown) {
      // Healed only when everyone answered: a losing side that could not be asked this time has not rejoined.
      this.#split = null;
      this.#host.onHealed(previous);
    }
  }

  /** Count this pod's own report under its name; false when the app's `report` threw or returned something unusable. */
  #addOwnReport(reports: Map<string, ClusterReport | null>, podName: string): boolean {
    if (!this.#report) return true;
    let own: unknown;
    try {
      own = this.#report();
    } catch (error) {
      this.#host.onError(new ListenerError('report', error));
      return false;
    }
    const usable = usableReport(own);
    if (usable === undefined) return false;
    reports.set(podName, usable);
    return true;
  }
}
