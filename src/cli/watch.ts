/**
 * `headless-discovery watch <service>`: the membership, live. On a terminal, a peer table redrawn
 * on every change with the latest events below it; with `--json` or when stdout is not a
 * terminal, one JSON object per event (NDJSON). Ends cleanly on SIGINT/SIGTERM.
 *
 * @module
 */
import { createDiscovery, type DiscoveryOptions, type Membership, type Peer } from '../index';
import { eventLine, ndjson, peerRecord, peerTable, stateLine } from './render';

/** Where `watch` writes and what ends it. */
export interface WatchIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Resolves when the watch should end (Ctrl-C). */
  readonly stopped: Promise<void>;
}

const EVENT_LINES = 12;

/** Run until `io.stopped`; resolves with the exit code. Throws `InvalidOptionError` for bad options. */
export async function runWatch(options: DiscoveryOptions, json: boolean, io: WatchIo): Promise<number> {
  const discovery = createDiscovery(options);
  const live = !json && io.stdout.isTTY === true;
  const recent: string[] = [];

  const redraw = (): void => {
    const membership = discovery.membership;
    const header = `headless-discovery watch ${options.service}: ${stateLine(membership)}`;
    io.stdout.write(`\x1b[H\x1b[2J${[header, '', ...peerTable(membership), '', ...recent].join('\n')}\n`);
  };
  const report = (event: string, detail: string, fields: Record<string, unknown>): void => {
    const now = new Date();
    if (!live) {
      io.stdout.write(`${ndjson(now, event, fields, discovery.membership)}\n`);
      return;
    }
    recent.push(eventLine(now, event, detail, discovery.membership));
    if (recent.length > EVENT_LINES) recent.shift();
    redraw();
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
  discovery.on('error', (error) => report('error', `${error.code}: ${error.message}`, { code: error.code, message: error.message }));

  // The discovery's timers never keep a process alive; a watch must, until it is stopped.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    const first: Membership = await Promise.race([discovery.start(), io.stopped.then(() => discovery.membership)]);
    report('snapshot', `${first.peers.length} peers`, { peers: first.peers.map(peerRecord) });
    await io.stopped;
    return 0;
  } finally {
    clearInterval(keepAlive);
    await discovery.close();
  }
}
