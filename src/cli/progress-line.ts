/**
 * A one-line status on a terminal, redrawn in place while something waits and erased when it is
 * done or when other output has to go above it. Cut to the terminal's width, since a wrapped
 * line could not be erased with a carriage return.
 *
 * @module
 */

/** A stream that may be a terminal, as `process.stderr` is. */
export interface TerminalStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Erases the line the cursor is on and returns to its start. */
export const ERASE_LINE = '\r\x1b[2K';

const DEFAULT_COLUMNS = 80;

/** A line of text, at most `columns - 1` characters (ending with `…` when cut). */
export function fitToWidth(text: string, columns: number): string {
  const room = Math.max(columns - 1, 10);
  return text.length <= room ? text : `${text.slice(0, room - 1)}…`;
}

/** The status line: `render()` says what it shows now (`undefined`: nothing). */
export class ProgressLine {
  readonly #stream: TerminalStream;
  readonly #render: () => string | undefined;
  readonly #timer: NodeJS.Timeout;
  #drawn = false;

  /** Draw `render()` on `stream` every `refreshMs` (the timer never keeps the process alive). */
  constructor(stream: TerminalStream, render: () => string | undefined, refreshMs = 100) {
    this.#stream = stream;
    this.#render = render;
    this.#timer = setInterval(() => this.draw(), refreshMs);
    this.#timer.unref();
  }

  /** Draw what `render()` says now, replacing what was there. */
  draw(): void {
    const text = this.#render();
    if (text === undefined) {
      this.erase();
      return;
    }
    this.#stream.write(`${ERASE_LINE}${fitToWidth(text, this.#stream.columns ?? DEFAULT_COLUMNS)}`);
    this.#drawn = true;
  }

  /** Erase the line, if it is drawn. */
  erase(): void {
    if (!this.#drawn) return;
    this.#stream.write(ERASE_LINE);
    this.#drawn = false;
  }

  /** Run `write` (output meant to stay) with the line out of the way, then draw it again below. */
  above(write: () => void): void {
    this.erase();
    write();
    this.draw();
  }

  /** Stop redrawing and erase the line. */
  stop(): void {
    clearInterval(this.#timer);
    this.erase();
  }
}
