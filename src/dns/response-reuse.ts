/**
 * The last decoded response to each question, reused when the next one holds the same records:
 * a poll gets the same answer most of the time, and decoding a 64 KiB answer again costs
 * milliseconds where comparing costs microseconds. CoreDNS repeats an answer byte for byte (but
 * the ID); BIND and caching forwarders rotate the order of the records, so the records are also
 * compared as a multiset of their wire bytes. That holds exactly when no name in a record points
 * (by compression) past the question, which every name of a plain SRV, A or AAAA answer does
 * (their owners point at the question, SRV targets are never compressed); a record that points
 * elsewhere (glue owned by an SRV target, say) makes the message compared byte for byte only.
 *
 * @module
 */

/** Questions kept (all dropped when a new one comes past that): at most 64 × 64 KiB. */
const MAX_REMEMBERED = 64;
const HEADER_LENGTH = 12;
/** Offsets (within RDATA) of a name, per record type, for the types that hold one. */
const RDATA_NAME_OFFSET: Readonly<Record<number, number>> = { 2: 0, 5: 0, 12: 0, 15: 2, 33: 6 };
const TYPE_SOA = 6;

interface Remembered<T> {
  readonly bytes: Buffer;
  /** Each record's wire bytes (latin1) and how many times it occurs; `undefined` when order matters. */
  readonly records: ReadonlyMap<string, number> | undefined;
  readonly decoded: T;
}

/** Decoded responses kept by question, to be reused for a response with the same records. */
export class ResponseReuse<T> {
  readonly #remembered = new Map<string, Remembered<T>>();

  /** The decoding of an earlier `message` to `question` with the same header, question and records, if one is kept. */
  find(question: string, message: Buffer): T | undefined {
    const last = this.#remembered.get(question);
    if (!last || last.bytes.length !== message.length) return undefined;
    // Byte 0-1 is the ID; the flags, the counts and the question must match as they are.
    if (message.compare(last.bytes, 2, last.bytes.length, 2) === 0) return last.decoded;
    if (!last.records) return undefined;
    const head = questionEnd(message);
    if (head === undefined || message.compare(last.bytes, 2, head, 2, head) !== 0) return undefined;
    const records = recordMultiset(message, head);
    return records && sameMultiset(records, last.records) ? last.decoded : undefined;
  }

  /** Keep `decoded` as the decoding of `message` (a response already validated in full). */
  remember(question: string, message: Buffer, decoded: T): void {
    if (this.#remembered.size >= MAX_REMEMBERED && !this.#remembered.has(question)) this.#remembered.clear();
    const head = questionEnd(message);
    const records = head === undefined ? undefined : recordMultiset(message, head);
    this.#remembered.set(question, { bytes: Buffer.from(message), records, decoded });
  }
}

function sameMultiset(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, count] of a) if (b.get(key) !== count) return false;
  return true;
}

/** The offset after the question section, or `undefined` for anything but one plain question. */
function questionEnd(message: Buffer): number | undefined {
  if (message.length < HEADER_LENGTH || message.readUInt16BE(4) !== 1) return undefined;
  const end = skipName(message, HEADER_LENGTH, 0);
  return end === undefined || end + 4 > message.length ? undefined : end + 4;
}

/**
 * Every record after the question, as its wire bytes, counted; `undefined` when the message does
 * not parse to its end, or a name points past the question (then the bytes depend on the order).
 */
function recordMultiset(message: Buffer, head: number): Map<string, number> | undefined {
  const total = message.readUInt16BE(6) + message.readUInt16BE(8) + message.readUInt16BE(10);
  const records = new Map<string, number>();
  let offset = head;
  for (let i = 0; i < total; i++) {
    const afterOwner = skipName(message, offset, head);
    if (afterOwner === undefined || afterOwner + 10 > message.length) return undefined;
    const type = message.readUInt16BE(afterOwner);
    const rdata = afterOwner + 10;
    const end = rdata + message.readUInt16BE(afterOwner + 8);
    if (end > message.length || !namesStayInQuestion(message, type, rdata, end, head)) return undefined;
    const key = message.toString('latin1', offset, end);
    records.set(key, (records.get(key) ?? 0) + 1);
    offset = end;
  }
  return offset === message.length ? records : undefined;
}

/** The names inside a record's RDATA point at most into the question. */
function namesStayInQuestion(message: Buffer, type: number, rdata: number, end: number, head: number): boolean {
  if (type === TYPE_SOA) {
    const afterMname = skipName(message, rdata, head, end);
    return afterMname !== undefined && skipName(message, afterMname, head, end) !== undefined;
  }
  const nameOffset = RDATA_NAME_OFFSET[type];
  return nameOffset === undefined || skipName(message, rdata + nameOffset, head, end) !== undefined;
}

/**
 * The offset after the name at `start`; `undefined` when it runs past `limit` or holds a pointer
 * to `head` or beyond (`head` 0: no pointer allowed at all).
 */
function skipName(message: Buffer, start: number, head: number, limit = message.length): number | undefined {
  let position = start;
  while (position < limit) {
    const byte = message[position] as number;
    if (byte === 0) return position + 1;
    if ((byte & 0xc0) === 0xc0) {
      if (position + 1 >= limit) return undefined;
      const target = ((byte & 0x3f) << 8) | (message[position + 1] as number);
      return target < head ? position + 2 : undefined;
    }
    if ((byte & 0xc0) !== 0) return undefined;
    position += 1 + byte;
  }
  return undefined;
}
