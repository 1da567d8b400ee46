/**
 * Splitting a watch stream into its events: the API server writes one JSON object per line,
 * in chunks that cut lines (and UTF-8 characters) anywhere. A line longer than the limit is not
 * buffered without end: the stream is then unusable.
 *
 * @module
 */
import { StringDecoder } from 'node:string_decoder';

/** Complete lines out of a stream of chunks. */
export class JsonLines {
  readonly #decoder = new StringDecoder('utf8');
  readonly #maxLineLength: number;
  #pending = '';

  constructor(maxLineLength: number) {
    this.#maxLineLength = maxLineLength;
  }

  /** The lines `chunk` completes, without their line breaks, blank ones dropped; `'too long'` when a line passes the limit. */
  push(chunk: Buffer): string[] | 'too long' {
    const text = this.#pending + this.#decoder.write(chunk);
    const parts = text.split('\n');
    this.#pending = parts.pop() ?? '';
    if (this.#pending.length > this.#maxLineLength || parts.some((line) => line.length > this.#maxLineLength)) return 'too long';
    return parts.map((line) => line.trim()).filter((line) => line.length > 0);
  }
}
