/**
 * The last decoded response to each question, reused when the next one holds the same records:
 * a poll gets the same answer most of the time, and decoding a 64 KiB answer again costs
 * milliseconds where comparing costs microseconds. CoreDNS repeats an answer byte for byte (but
 * the ID); BIND and caching forwarders rotate the order of the records, so the records are also
 * compared as a multiset. A record whose names point (by compression) at most into the question
 * counts as its wire bytes, which is every record of a plain SRV, A or AAAA answer (their owners
 * point at the question, SRV targets are never compressed) and is cheap. A record with a name
 * that points past the question (glue owned by an SRV target, whose bytes depend on where that
 * target sits) counts as its content: its names spelled out in full, then its type, class, TTL
 * and data.
 *
 * @module
 */

/** Questions kept (all dropped when a new one comes past that): at most 64 × 64 KiB. */
const MAX_REMEMBERED = 64;
const HEADER_LENGTH = 12;
/** Offsets (within RDATA) of a name, per record type, for the types that hold one. */
const RDATA_NAME_OFFSET: Readonly<Record<number, number>> = { 2: 0, 5: 0, 12: 0, 15: 2, 33: 6 };
const TYPE_SOA = 6;
/** The longest name (RFC 1035 §2.3.4), its root octet included. */
const MAX_NAME_OCTETS = 255;
/** `skipName`'s `head` that allows a pointer anywhere (the name is only skipped, not compared). */
const ANY_POINTER = Number.POSITIVE_INFINITY;

interface Remembered<T> {
  readonly bytes: Buffer;
  /** Its records, counted (see {@link recordMultiset}); `undefined` when the message did not parse. */
  readonly records: RecordMultiset | undefined;
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

function sameMultiset(a: RecordMultiset, b: RecordMultiset): boolean {
  return a.every((bucket, index) => {
    const other = b[index] as ReadonlyMap<string, number>;
    if (bucket.size !== other.size) return false;
    for (const [key, count] of bucket) if (other.get(key) !== count) return false;
    return true;
  });
}

/** The offset after the question section, or `undefined` for anything but one plain question. */
function questionEnd(message: Buffer): number | undefined {
  if (message.length < HEADER_LENGTH || message.readUInt16BE(4) !== 1) return undefined;
  const end = skipName(message, HEADER_LENGTH, 0);
  return end === undefined || end + 4 > message.length ? undefined : end + 4;
}

/**
 * The records of a message, counted, in six buckets: by section (answer, authority, additional:
 * the same record in another section is another record), and by how a record is keyed. A record
 * whose names point at most into the question is keyed by its wire bytes (the question is
 * compared as it is, so those bytes mean the same in both messages): the cheap case, and every
 * record of a plain SRV, A or AAAA answer. Any other is keyed by its content, names spelled out.
 */
type RecordMultiset = readonly Map<string, number>[];

/** The records after the question (see {@link RecordMultiset}); `undefined` when the message does not parse to its end. */
function recordMultiset(message: Buffer, head: number): RecordMultiset | undefined {
  const answers = message.readUInt16BE(6);
  const authorities = message.readUInt16BE(8);
  const total = answers + authorities + message.readUInt16BE(10);
  const buckets = Array.from({ length: 6 }, () => new Map<string, number>());
  let offset = head;
  for (let i = 0; i < total; i++) {
    const ownerInQuestion = skipName(message, offset, head);
    const afterOwner = ownerInQuestion ?? skipName(message, offset, ANY_POINTER);
    if (afterOwner === undefined || afterOwner + 10 > message.length) return undefined;
    const type = message.readUInt16BE(afterOwner);
    const rdata = afterOwner + 10;
    const end = rdata + message.readUInt16BE(afterOwner + 8);
    if (end > message.length) return undefined;
    const byBytes = ownerInQuestion !== undefined && namesStayInQuestion(message, type, rdata, end, head);
    const key = byBytes ? message.toString('latin1', offset, end) : contentKey(message, { start: offset, afterOwner, type, rdata, end });
    if (key === undefined) return undefined;
    const section = i < answers ? 0 : i < answers + authorities ? 1 : 2;
    const bucket = buckets[section * 2 + (byBytes ? 0 : 1)] as Map<string, number>;
    bucket.set(key, (bucket.get(key) ?? 0) + 1);
    offset = end;
  }
  return offset === message.length ? buckets : undefined;
}

/** Where one resource record sits in a message. */
interface RecordSpan {
  readonly start: number;
  readonly afterOwner: number;
  readonly type: number;
  readonly rdata: number;
  readonly end: number;
}

/** A record's content: its owner spelled out, type, class and TTL (not RDLENGTH, which depends on compression), and its RDATA with names spelled out. */
function contentKey(message: Buffer, record: RecordSpan): string | undefined {
  const owner = spelledName(message, record.start);
  const data = spelledData(message, record);
  return owner === undefined || data === undefined ? undefined : `${owner}${message.toString('latin1', record.afterOwner, record.afterOwner + 8)}${data}`;
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

/** A record's RDATA with its names spelled out (SOA's two, or the one of SRV, MX, PTR, …). */
function spelledData(message: Buffer, { type, rdata, end }: RecordSpan): string | undefined {
  const raw = (from: number, to: number): string => message.toString('latin1', from, to);
  if (type === TYPE_SOA) {
    // MNAME, RNAME, then five 32-bit numbers.
    const mname = spelledAt(message, rdata, end);
    const rname = mname && spelledAt(message, mname.after, end);
    return mname && rname ? `${mname.spelled}${rname.spelled}${raw(rname.after, end)}` : undefined;
  }
  const nameOffset = RDATA_NAME_OFFSET[type];
  if (nameOffset === undefined) return raw(rdata, end);
  const name = spelledAt(message, rdata + nameOffset, end);
  return name ? `${raw(rdata, rdata + nameOffset)}${name.spelled}${raw(name.after, end)}` : undefined;
}

/** The name at `at` (within a record ending at `limit`), spelled out, and the offset after it. */
function spelledAt(message: Buffer, at: number, limit: number): { readonly spelled: string; readonly after: number } | undefined {
  const after = skipName(message, at, ANY_POINTER, limit);
  const spelled = spelledName(message, at);
  return after === undefined || spelled === undefined ? undefined : { spelled, after };
}

/**
 * The name at `start` with every pointer followed, as the wire bytes of its labels (latin1) and
 * the root; `undefined` when it does not parse, is longer than 255 octets or points forward
 * (compression only ever points back, which also rules out loops).
 */
function spelledName(message: Buffer, start: number): string | undefined {
  let position = start;
  let spelled = '';
  while (position < message.length) {
    const byte = message[position] as number;
    if (byte === 0) return `${spelled}\0`;
    if ((byte & 0xc0) === 0xc0) {
      if (position + 1 >= message.length) return undefined;
      const target = ((byte & 0x3f) << 8) | (message[position + 1] as number);
      if (target >= position) return undefined;
      position = target;
      continue;
    }
    if ((byte & 0xc0) !== 0 || spelled.length + byte + 1 > MAX_NAME_OCTETS - 1) return undefined;
    spelled += message.toString('latin1', position, position + 1 + byte);
    position += 1 + byte;
  }
  return undefined;
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
