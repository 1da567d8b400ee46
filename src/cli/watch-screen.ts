/**
 * `watch` on a terminal: one screen, redrawn in place on every event and every second (so the
 * poll times stay current): the state line, where polling stands, the peer table, and, when
 * there are no peers, what the last poll asked and what DNS answered, then the library's
 * diagnosis once it reports one; the latest events below.
 *
 * @module
 */
import type { Membership, MisconfigurationError, PollingState } from '../index';
import type { TerminalStream } from './progress-line';
import { lookupText, type SeenLookup } from './poll-lookups';
import { eventLine, peerTable, pollingLine, stateLine } from './render';

/** What the screen shows, read at every redraw. */
export interface WatchedDiscovery {
  readonly membership: Membership;
  readonly polling: PollingState;
}

const EVENT_LINES = 12;
const REDRAW_MS = 1000;
/** Cursor to the top left; erase to the end of the line; erase everything below. */
const HOME = '\x1b[H';
const ERASE_TO_END_OF_LINE = '\x1b[K';
const ERASE_BELOW = '\x1b[J';

/**
 * The lines that explain an empty membership: the last poll's lookups, and the diagnosis.
 * Nothing while there are peers, or before anything was asked.
 */
export function emptyNotes(membership: Membership, lookups: readonly SeenLookup[], diagnosis: MisconfigurationError | undefined): string[] {
  if (membership.peers.length > 0) return [];
  const asked = lookups.map((lookup, index) => `${index === 0 ? 'the last poll asked: ' : '                     '}${lookupText(lookup)}`);
  const diagnosed = diagnosis === undefined ? [] : [`diagnosis: ${diagnosis.code} (${diagnosis.queryType} ${diagnosis.queryName} → ${diagnosis.outcome}): ${diagnosis.message}`];
  return [...asked, ...diagnosed];
}

/** The terminal screen of one watch. */
export class WatchScreen {
  readonly #stdout: TerminalStream;
  readonly #title: string;
  readonly #discovery: WatchedDiscovery;
  readonly #lookups: () => readonly SeenLookup[];
  readonly #now: () => number;
  readonly #recent: string[] = [];
  #diagnosis: MisconfigurationError | undefined;
  #explain: (() => readonly string[]) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(stdout: TerminalStream, service: string, discovery: WatchedDiscovery, lookups: () => readonly SeenLookup[], now: () => number = Date.now) {
    this.#stdout = stdout;
    this.#title = `headless-discovery watch ${service}`;
    this.#discovery = discovery;
    this.#lookups = lookups;
    this.#now = now;
  }

  /** Draw now, then every second until {@link WatchScreen.stop} (the timer never keeps the process alive). */
  start(): void {
    this.draw();
    this.#timer ??= setInterval(() => this.draw(), REDRAW_MS);
    this.#timer.unref();
  }

  /** Add an event line (the latest {@link EVENT_LINES} are shown) and redraw. */
  event(time: Date, event: string, detail: string): void {
    this.#recent.push(eventLine(time, event, detail, this.#discovery.membership));
    if (this.#recent.length > EVENT_LINES) this.#recent.shift();
    this.draw();
  }

  /**
   * The library explained an empty membership: show it under the table while it stays empty,
   * from the next draw on (the `error` event line that comes with it).
   */
  diagnosed(error: MisconfigurationError): void {
    this.#diagnosis = error;
  }

  /** `--explain`: show these lines (asked again at every draw) under the table. */
  explaining(lines: () => readonly string[]): void {
    this.#explain = lines;
  }

  /** Redraw the whole screen in place. */
  draw(): void {
    const { membership, polling } = this.#discovery;
    const notes = emptyNotes(membership, this.#lookups(), this.#diagnosis);
    const lines = [
      `${this.#title}: ${stateLine(membership)}`,
      pollingLine(polling, this.#now()),
      '',
      ...peerTable(membership),
      ...notes,
      ...(this.#explain ? ['', ...this.#explain()] : []),
      '',
      ...this.#recent,
    ];
    this.#stdout.write(`${HOME}${lines.map((line) => `${line}${ERASE_TO_END_OF_LINE}`).join('\n')}\n${ERASE_BELOW}`);
  }

  /** Stop redrawing; the last screen stays. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
