/**
 * The bootstrap loop: read the formed latch, wait for a stable, fresh membership, ask the ready
 * peers about the cluster, decide; while the decision is "wait", try again on the next change (or
 * after an interval, since a peer's answer can change without DNS changing). Once decided, start
 * the split checks, and hand the app a `confirm()` that writes the latch.
 *
 * @module
 */
import { decideBootstrap, type BootstrapDecision, type BootstrapInput, type ClusterReport } from '../bootstrap/decide';
import { clusterIdProblem, type LatchRecord } from '../bootstrap/latch';
import { booleanOr, integerIn } from '../config/checks';
import { BOOTSTRAP_DEFAULTS } from '../config/defaults';
import { DrainingError, InvalidOptionError, LatchError, WaitTimeoutError } from '../errors';
import type { Membership } from '../membership/types';
import { askPeers, type ClusterProbe } from './ask-peers';
import { FormedLatch } from './formed-latch';
import { resolveSplitTiming, type SplitCheckTiming, type SplitWatchOptions } from './split-monitor';
import { resolveLimits, summarize, waitUntil, type Observable } from './wait';

export type { ClusterProbe } from './ask-peers';

/** Options of `discovery.bootstrap()`. */
export interface BootstrapOptions extends Pick<BootstrapInput, 'joinPolicy' | 'local' | 'assumeNoCluster'> {
  /**
   * Asked of every ready peer (but this pod) before deciding, so a seed that lost its data finds
   * the cluster its peers already form. Without it, nobody is asked: the seed initializes only as
   * the only pod listed with `local` saying it has no data (or with `assumeNoCluster`), and waits
   * otherwise. After the decision, split checks ask the peers with it too (see `splitCheck`).
   */
  readonly probe?: ClusterProbe;
  /** How long one probe may take. Default: 2000. */
  readonly probeTimeoutMs?: number;
  /**
   * This pod's formed latch: a {@link FormedLatch}, or its path. Read before deciding (a latch
   * that cannot be read rejects the bootstrap with its `ERR_LATCH_*` error: it is never taken for
   * "no latch"); a pod with a latch never initializes. Call `confirm()` on the decision once your
   * app has joined or initialized: that writes it. Default: none.
   */
  readonly latch?: FormedLatch | string;
  /**
   * This pod's own report, as its probe endpoint serves it: the split checks count it with the
   * peers' answers, so that every pod decides on the same reports.
   */
  readonly report?: () => ClusterReport | null | undefined;
  /**
   * After the decision, keep asking the ready peers with `probe` and emit `split` when they report
   * different clusters (see `watchSplits()`). Its timing, or `false` for no checks. Default: on,
   * every 30000 ms ± 20 %, when there is a `probe`.
   */
  readonly splitCheck?: SplitCheckTiming | false;
  /** The membership must have been unchanged and fresh this long before each decision. Default: 2 × `intervalMs`. */
  readonly stableForMs?: number;
  /** Reject with `ERR_WAIT_TIMEOUT` when no `initialize` or `join` came within this long. Default: wait forever. */
  readonly timeoutMs?: number;
  /** Aborting rejects with the signal's reason. `drain()` rejects it with `ERR_DRAINING`. */
  readonly signal?: AbortSignal;
  /** Called with every `wait` decision, so the app can log why it is not going on yet. */
  readonly onWait?: (decision: BootstrapDecision) => void;
}

/** What `bootstrap()` resolves with: an `initialize` or `join` decision, and how to confirm it. */
export interface BootstrapResult extends BootstrapDecision {
  /** `initialize` or `join`: `bootstrap()` never resolves with `wait`. */
  readonly action: 'initialize' | 'join';
  /** The formed latch as read before deciding: its record, `null` when the volume held none, `undefined` without the `latch` option. */
  readonly latched: LatchRecord | null | undefined;
  /**
   * Call once your app has actually initialized or joined the cluster: writes the formed latch
   * (with the `latch` option; atomically), so this pod never initializes again. `clusterId` is
   * required after `initialize` (the id your app gave the new cluster) and defaults to the
   * decision's `clusterId` after `join`; another id than the decision's rejects with
   * `ERR_LATCH_CONFLICT`, and so does a latch that names another cluster. Idempotent.
   */
  confirm(clusterId?: string): Promise<LatchRecord | null>;
}

/** What the member part tells of its questions and decisions (the discovery publishes and counts them). */
export interface MemberObserver {
  /** A peer was asked for its cluster report, by `bootstrap()` or a split check. */
  asked(name: string, purpose: 'bootstrap' | 'split', answered: boolean, report: unknown): void;
  /** `bootstrap()` decided on the membership of `epoch`, having asked `asked` peers of which `answered` answered. */
  decided(podName: string, decision: BootstrapDecision, epoch: number, asked: number, answered: number): void;
}

/** What the loop needs from the discovery besides the membership. */
export interface BootstrapContext {
  readonly podName: string;
  /** Paces retries when nothing changes. */
  readonly intervalMs: number;
  /** Aborts, with a `DrainingError`, when the pod drains. */
  readonly draining: AbortSignal;
  /** Start split checks. */
  watch(options: SplitWatchOptions): void;
  /** A decision with a latch was made: returns what its `confirm()` calls once the latch is written. */
  expectConfirmation(): () => void;
  /** Told of every peer asked and every decision, for diagnostics. */
  readonly observer?: MemberObserver;
}

/** Run the loop for `context.podName` on `source`. */
export async function runBootstrap(source: Observable, context: BootstrapContext, options: BootstrapOptions): Promise<BootstrapResult> {
  if (context.draining.aborted) throw new DrainingError();
  const settings = resolveSettings(options, context.intervalMs);
  // One signal for the caller's abort and for drain(); linked by hand (see ask-peers.ts).
  const controller = new AbortController();
  const onAbort = (signal: AbortSignal) => () => controller.abort(signal.reason);
  const outer = [options.signal, context.draining].filter((signal): signal is AbortSignal => signal !== undefined);
  const listeners = outer.map((signal) => [signal, onAbort(signal)] as const);
  for (const [signal, listener] of listeners) {
    if (signal.aborted) listener();
    else signal.addEventListener('abort', listener, { once: true });
  }
  try {
    const latched = settings.latch ? await settings.latch.read() : undefined;
    controller.signal.throwIfAborted();
    const decision = await decide(source, context, options, settings, latched, controller.signal);
    if (options.probe && settings.splitCheck) context.watch({ probe: options.probe, ...(options.report ? { report: options.report } : {}), ...settings.splitCheck });
    return withConfirm(decision, latched, settings.latch, context);
  } finally {
    for (const [signal, listener] of listeners) signal.removeEventListener('abort', listener);
  }
}

interface Settings {
  readonly limits: ReturnType<typeof resolveLimits>;
  readonly probeTimeoutMs: number;
  readonly assumeNoCluster: boolean;
  readonly latch: FormedLatch | undefined;
  readonly splitCheck: Required<SplitCheckTiming> | false;
}

function resolveSettings(options: BootstrapOptions, intervalMs: number): Settings {
  const { latch, splitCheck, report } = options;
  if (latch !== undefined && typeof latch !== 'string' && !(latch instanceof FormedLatch)) {
    throw new InvalidOptionError('latch', 'expected a FormedLatch or the path of the latch file.');
  }
  if (report !== undefined && typeof report !== 'function') throw new InvalidOptionError('report', "expected a function returning this pod's own ClusterReport.");
  if (splitCheck !== undefined && splitCheck !== false && (typeof splitCheck !== 'object' || splitCheck === null)) {
    throw new InvalidOptionError('splitCheck', 'expected false, or { intervalMs, jitter, probeTimeoutMs }.');
  }
  return {
    limits: resolveLimits(options, BOOTSTRAP_DEFAULTS.stableForIntervals * intervalMs),
    probeTimeoutMs: integerIn('probeTimeoutMs', options.probeTimeoutMs, BOOTSTRAP_DEFAULTS.probeTimeoutMs, 1, 600_000),
    assumeNoCluster: booleanOr('assumeNoCluster', options.assumeNoCluster, false),
    latch: typeof latch === 'string' ? new FormedLatch(latch) : latch,
    splitCheck: splitCheck === false ? false : resolveSplitTiming(splitCheck ?? {}, 'splitCheck.'),
  };
}

/** Decide until the decision is not `wait`. */
async function decide(
  source: Observable,
  context: BootstrapContext,
  options: BootstrapOptions,
  settings: Settings,
  latched: LatchRecord | null | undefined,
  signal: AbortSignal,
): Promise<BootstrapDecision> {
  const { podName, intervalMs } = context;
  const limits = { ...settings.limits, signal };
  const started = performance.now();
  const remaining = (): number | undefined => (limits.timeoutMs === undefined ? undefined : Math.max(1, limits.timeoutMs - (performance.now() - started)));
  let last: BootstrapDecision | undefined;
  const timeout = (): WaitTimeoutError =>
    new WaitTimeoutError(
      `No bootstrap decision within ${String(limits.timeoutMs)} ms${last ? `: ${last.reason}` : ''}; the membership is ${summarize(source.membership)}.`,
      last?.reason,
    );
  const timedOut = (error: unknown): never => {
    throw error instanceof WaitTimeoutError ? timeout() : error;
  };

  for (;;) {
    if (limits.timeoutMs !== undefined && performance.now() - started >= limits.timeoutMs) throw timeout();
    const fresh = (membership: Membership): boolean => membership.updatedAt > 0 && !membership.stale;
    const membership = await waitUntil(source, fresh, 'a fresh, stable membership', { ...limits, timeoutMs: remaining() }).catch(timedOut);
    const peers = membership.ready.filter((peer) => peer.name !== podName);
    const { observer } = context;
    const onAnswer = observer ? (peer: { readonly name: string }, answered: boolean, report: unknown) => observer.asked(peer.name, 'bootstrap', answered, report) : undefined;
    const reports = options.probe
      ? (await askPeers(peers, options.probe, { timeoutMs: settings.probeTimeoutMs, concurrency: BOOTSTRAP_DEFAULTS.probeConcurrency, signal, onAnswer })).reports
      : undefined;
    const decidedOn = source.membership.epoch === membership.epoch ? source.membership : membership;
    const decision = decideBootstrap(decidedOn, {
      podName,
      ...(options.joinPolicy === undefined ? {} : { joinPolicy: options.joinPolicy }),
      ...(options.local === undefined ? {} : { local: options.local }),
      ...(settings.assumeNoCluster ? { assumeNoCluster: true } : {}),
      ...(reports === undefined ? {} : { reports }),
      ...(latched === undefined ? {} : { latch: latched }),
    });
    observer?.decided(podName, decision, decidedOn.epoch, options.probe ? peers.length : 0, reports?.size ?? 0);
    if (decision.action !== 'wait') return decision;
    last = decision;
    options.onWait?.(decision);
    const epoch = source.membership.epoch;
    const changed = (now: Membership): boolean => now.epoch !== epoch;
    const pause = Math.min(intervalMs, remaining() ?? intervalMs);
    await waitUntil(source, changed, 'a membership change', { stableForMs: 0, timeoutMs: pause, signal }).catch((error: unknown) => {
      if (!(error instanceof WaitTimeoutError)) throw error;
    });
  }
}

/** The decision as `bootstrap()` returns it: with the latch it read, and `confirm()` (not enumerable: the decision stays plain data). */
function withConfirm(decision: BootstrapDecision, latched: LatchRecord | null | undefined, latch: FormedLatch | undefined, context: BootstrapContext): BootstrapResult {
  const confirmed = latch ? context.expectConfirmation() : () => undefined;
  const confirm = async (clusterId?: string): Promise<LatchRecord | null> => {
    if (clusterId !== undefined && typeof clusterId !== 'string') throw new InvalidOptionError('clusterId', 'expected the id of the cluster this pod joined or initialized.');
    const id = clusterId ?? decision.clusterId;
    if (id === null) {
      const why = decision.action === 'initialize' ? 'an initialize decision names no cluster' : 'this join decision names no cluster (no probe told it)';
      throw new InvalidOptionError('clusterId', `${why}: pass the id of the cluster this pod ${decision.action === 'initialize' ? 'created' : 'joined'}.`);
    }
    if (decision.clusterId !== null && id !== decision.clusterId) {
      throw new LatchError(
        'ERR_LATCH_CONFLICT',
        latch?.path ?? '',
        `The bootstrap decided to join cluster ${decision.clusterId}, not ${id}: not recording ${id}. Confirm the cluster this pod actually joined.`,
      );
    }
    const problem = clusterIdProblem(id);
    if (problem !== undefined) throw new InvalidOptionError('clusterId', `${problem}.`);
    const record = latch ? await latch.write(id, { podName: context.podName }) : null;
    confirmed();
    return record;
  };
  const result = { ...decision, latched } as BootstrapResult;
  Object.defineProperty(result, 'confirm', { value: confirm, enumerable: false });
  return Object.freeze(result);
}
