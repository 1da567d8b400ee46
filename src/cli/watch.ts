/**
 * `headless-discovery watch <service>`: the membership, live. On a terminal, a screen redrawn on
 * every change and every second (see `watch-screen.ts`); with `--json` or when stdout is not a
 * terminal, one JSON object per event (NDJSON), each with the membership and the polling state.
 * Ends cleanly on SIGINT/SIGTERM.
 *
 * @module
 */
import { createDiscovery, MisconfigurationError, type DiscoveryOptions, type Membership, type Peer } from '../index';
import { lookupRecord, PollLookups } from './poll-lookups';
import type { TerminalStream } from './progress-line';
import { errorFields, ndjson, peerRecord } from './render';
import { WatchScreen } from './watch-screen';

/** Where `watch` writes and what ends it. */
export interface WatchIo {
  readonly stdout: TerminalStream;
  /** Resolves when the watch should end (Ctrl-C). */
  readonly stopped: Promise<void>;
}

/** Run until `io.stopped`; resolves with the exit code. Throws `InvalidOptionError` for bad options. */
export async function runWatch(options: DiscoveryOptions, json: boolean, io: WatchIo): Promise<number> {
  const discovery = createDiscovery(options);
  const lookups = new PollLookups(() => discovery.polling);
  const screen = !json && io.stdout.isTTY === true ? new WatchScreen(io.stdout, options.service, discovery, () => lookups.last) : undefined;

  const report = (event: string, detail: string, fields: Record<string, unknown>): void => {
    const now = new Date();
    if (screen) screen.event(now, event, detail);
    else io.stdout.write(`${ndjson(now, event, fields, discovery.membership, discovery.polling)}\n`);
  };
  const describe = (peer: Peer): string => `${peer.name} ${peer.addresses.join(',')}${peer.port === null ? '' : `:${peer.port}`}`;

  for (const event of ['join', 'leave', 'ready', 'unready'] as const) {
    discovery.on(event, (peer) => report(event, describe(peer), { peer: peerRecord(peer) }));
  }
  discovery.on('update', (peer, previous) =>
    report('update', `${describe(peer)} (was ${previous.addresses.join(',')}${previous.ready === peer.ready ? '' : `, ready ${String(previous.ready)}`})`, {
      peer: peerRecord(peer),
      previous: peerRecord(previous),
    }),
  );
  discovery.on('seed', (seed, previous) => report('seed', `${seed?.name ?? 'none'} (was ${previous?.name ?? 'none'})`, { seed: seed?.name ?? null, previous: previous?.name ?? null }));
  discovery.on('stale', () => report('stale', 'DNS lookups are failing; keeping the last known peers', {}));
  discovery.on('fresh', () => report('fresh', 'DNS answers again', {}));
  discovery.on('staleTooLong', (_, staleForMs) => report('stale', `stale for ${Math.round(staleForMs / 1000)} s`, { staleForMs }));
  discovery.on('error', (error) => {
    if (error instanceof MisconfigurationError) screen?.diagnosed(error);
    report('error', `${error.code}: ${error.message}`, errorFields(error));
  });

  // The discovery's timers never keep a process alive; a watch must, until it is stopped.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    const started = discovery.start();
    screen?.start();
    const first: Membership = await Promise.race([started, io.stopped.then(() => discovery.membership)]);
    const asked = first.peers.length === 0 ? { lookups: lookups.last.map(lookupRecord) } : {};
    report('snapshot', `${first.peers.length} peers`, { peers: first.peers.map(peerRecord), ...asked });
    await io.stopped;
    return 0;
  } finally {
    clearInterval(keepAlive);
    screen?.stop();
    lookups.close();
    await discovery.close();
  }
}
