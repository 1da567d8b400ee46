/**
 * `headless-discovery watch <service>`: the membership, live. On a terminal, a screen redrawn on
 * every change and every second (see `watch-screen.ts`); with `--json` or when stdout is not a
 * terminal, one JSON object per event (NDJSON), each with the membership and the polling state.
 * Besides the library's events, `snapshot` (the first poll done) and `source` (the peers now
 * come from another source: `--source kubernetes,srv` falling back to DNS, and back).
 * Ends cleanly on SIGINT/SIGTERM.
 *
 * @module
 */
import { createDiscovery, MisconfigurationError, type DiscoveryOptions, type Membership, type Peer, type SourceName } from '../index';
import { explainAfterPolls, explainFields, explainScreenLines } from './explain';
import { lookupRecord, PollLookups } from './poll-lookups';
import type { TerminalStream } from './progress-line';
import { errorFields, freshDetail, ndjson, peerRecord, staleDetail } from './render';
import { WatchScreen } from './watch-screen';

/** Where `watch` writes and what ends it. */
export interface WatchIo {
  readonly stdout: TerminalStream;
  /** Resolves when the watch should end (Ctrl-C). */
  readonly stopped: Promise<void>;
  /** `--explain`: the pod whose explanation is told after every poll and change. */
  readonly explain?: string | undefined;
}

/** How often the membership's `source` is compared with the one last reported (a fallback changes no peer, so no event tells it). */
const SOURCE_CHECK_MS = 250;

/** Run until `io.stopped`; resolves with the exit code. Throws `InvalidOptionError` for bad options. */
export async function runWatch(options: DiscoveryOptions, json: boolean, io: WatchIo): Promise<number> {
  const discovery = createDiscovery(options);
  const lookups = new PollLookups(() => discovery.polling);
  const screen = !json && io.stdout.isTTY === true ? new WatchScreen(io.stdout, options.service, discovery, () => lookups.last) : undefined;
  /** The source last reported; `undefined` until the snapshot (which reports the first). */
  let shownSource: SourceName | null | undefined;

  const write = (event: string, detail: string, fields: Record<string, unknown>): void => {
    const now = new Date();
    if (screen) screen.event(now, event, detail);
    else io.stdout.write(`${ndjson(now, event, fields, discovery.membership, discovery.polling)}\n`);
  };
  /** A `source` record when the peers now come from another source (`kubernetes,srv` falling back to DNS, or back). */
  const noticeSource = (): void => {
    const source = discovery.membership.source;
    if (shownSource === undefined || source === shownSource) return;
    const previous = shownSource;
    shownSource = source;
    write('source', `${source ?? 'none'} (was ${previous ?? 'none'})`, { source, previous });
  };
  const report = (event: string, detail: string, fields: Record<string, unknown>): void => {
    noticeSource();
    write(event, detail, fields);
  };
  const describe = (peer: Peer): string => `${peer.name} ${peer.addresses.join(',')}${peer.port === null ? '' : `:${peer.port}`}`;

  for (const event of ['join', 'leave', 'ready', 'unready', 'draining'] as const) {
    discovery.on(event, (peer) => report(event, describe(peer), { peer: peerRecord(peer) }));
  }
  discovery.on('update', (peer, previous) =>
    report('update', `${describe(peer)} (was ${previous.addresses.join(',')}${previous.ready === peer.ready ? '' : `, ready ${String(previous.ready)}`})`, {
      peer: peerRecord(peer),
      previous: peerRecord(previous),
    }),
  );
  discovery.on('replace', (peer, previous) =>
    report('replace', `${describe(peer)} uid ${peer.uid ?? '-'} (was uid ${previous.uid ?? '-'}, ${previous.addresses.join(',') || '-'})`, {
      peer: peerRecord(peer),
      previous: peerRecord(previous),
    }),
  );
  discovery.on('seed', (seed, previous) => report('seed', `${seed?.name ?? 'none'} (was ${previous?.name ?? 'none'})`, { seed: seed?.name ?? null, previous: previous?.name ?? null }));
  discovery.on('stale', () => report('stale', staleDetail(options.sources), {}));
  discovery.on('fresh', (membership) => report('fresh', freshDetail(membership.source), {}));
  discovery.on('staleTooLong', (_, staleForMs) => report('stale', `stale for ${Math.round(staleForMs / 1000)} s`, { staleForMs }));
  discovery.on('error', (error) => {
    if (error instanceof MisconfigurationError) screen?.diagnosed(error);
    report('error', `${error.code}: ${error.message}`, errorFields(error));
  });

  const target = io.explain;
  if (target !== undefined) screen?.explaining(() => explainScreenLines(discovery.explain(target)));
  const explaining = target === undefined || screen ? undefined : explainAfterPolls(discovery, target, (explanation) => write('explain', explanation.summary, explainFields(explanation)));

  // The discovery's timers never keep a process alive; a watch must, until it is stopped.
  const keepAlive = setInterval(noticeSource, SOURCE_CHECK_MS);
  try {
    const started = discovery.start();
    screen?.start();
    const first: Membership = await Promise.race([started, io.stopped.then(() => discovery.membership)]);
    const asked = first.peers.length === 0 ? { lookups: lookups.last.map(lookupRecord) } : {};
    report('snapshot', `${first.peers.length} peers`, { peers: first.peers.map(peerRecord), ...asked });
    shownSource = discovery.membership.source;
    await io.stopped;
    return 0;
  } finally {
    clearInterval(keepAlive);
    explaining?.close();
    screen?.stop();
    lookups.close();
    await discovery.close();
  }
}
