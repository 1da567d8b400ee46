/**
 * A cheap structural scan of a DNS message that bounds what decoding it can cost, run before
 * the message reaches dns2's parser (which follows compression pointers without any limit: a
 * 64 KiB message of chained pointers costs it seconds of CPU).
 *
 * The rules are stricter than RFC 1035 §4.1.4 requires, but every real encoder satisfies them:
 * a compression pointer must point back to the start of a label of a name already read in
 * full, so no loop or forward reference can exist, a name expands to at most 255 octets, and
 * the total expanded length of all names is bounded by a small multiple of the message size.
 *
 * @module
 */

/** The verdict of {@link scanMessage}. */
export type ScanVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** RFC 1035 §3.1: a name is at most 255 octets on the wire. */
const MAX_NAME_LENGTH = 255;
/** A pointer may lead to a name that itself ends in a pointer; real encoders nest a few levels. */
const MAX_POINTER_DEPTH = 16;
/**
 * Total expanded name octets allowed per message octet. Compressed real answers expand by ~3×
 * (a 2-octet pointer standing for a 40-octet name in a 16-octet A record); pointer bombs by far more.
 */
const EXPANSION_FACTOR = 8;
const HEADER_LENGTH = 12;

/** Offsets (within RDATA) of the names dns2 decodes, per record type. SOA's are handled apart. */
const RDATA_NAME_OFFSET: Readonly<Record<number, number>> = {
  2: 0, // NS
  5: 0, // CNAME
  12: 0, // PTR
  15: 2, // MX
  33: 6, // SRV
  46: 18, // RRSIG signer
};
const SOA = 6;

class Rejection extends Error {}

interface Suffix {
  /** Expanded octets from this label to the end of the name, including the root octet. */
  readonly length: number;
  /** Pointers followed to decode from here. */
  readonly depth: number;
}

/** Scan `message`. Never throws; the verdict says whether it is safe to hand to the parser. */
export function scanMessage(message: Uint8Array): ScanVerdict {
  try {
    new Scanner(message).scan();
    return { ok: true };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.message };
    throw error;
  }
}

class Scanner {
  readonly #message: Uint8Array;
  /** Label start offset → what decoding from there costs, for names read in full. */
  readonly #suffixes = new Map<number, Suffix>();
  readonly #budget: number;
  #expanded = 0;

  constructor(message: Uint8Array) {
    this.#message = message;
    this.#budget = EXPANSION_FACTOR * Math.max(message.length, 512);
  }

  scan(): void {
    const message = this.#message;
    if (message.length < HEADER_LENGTH) throw new Rejection(`message of ${message.length} octets is shorter than a header`);
    const counts = [this.#u16(4), this.#u16(6), this.#u16(8), this.#u16(10)] as const;
    // Every question takes ≥ 5 octets and every record ≥ 11: impossible counts fail fast.
    if (HEADER_LENGTH + counts[0] * 5 + (counts[1] + counts[2] + counts[3]) * 11 > message.length) {
      throw new Rejection('section counts exceed what the message can hold');
    }
    let offset = HEADER_LENGTH;
    for (let i = 0; i < counts[0]; i++) offset = this.#need(this.#name(offset), 4);
    const records = counts[1] + counts[2] + counts[3];
    for (let i = 0; i < records; i++) offset = this.#record(offset);
  }

  #record(offset: number): number {
    const afterName = this.#name(offset);
    const rdataStart = this.#need(afterName, 10);
    const type = this.#u16(afterName);
    const rdataEnd = this.#need(rdataStart, this.#u16(afterName + 8));
    if (type === SOA) {
      const afterAdmin = this.#name(this.#name(rdataStart, rdataEnd), rdataEnd);
      if (afterAdmin + 20 > rdataEnd) throw new Rejection(`SOA at ${offset} is shorter than its fields`);
    } else {
      const nameOffset = RDATA_NAME_OFFSET[type];
      if (nameOffset !== undefined) {
        if (rdataStart + nameOffset >= rdataEnd) throw new Rejection(`record at ${offset} is too short for its name`);
        this.#name(rdataStart + nameOffset, rdataEnd);
      }
    }
    return rdataEnd;
  }

  /** Scan the name at `start`; return the offset after it. Records its labels for later pointers. */
  #name(start: number, limit = this.#message.length): number {
    const labels: Array<{ offset: number; length: number }> = [];
    let position = start;
    let tail: Suffix = { length: 1, depth: 0 };
    for (;;) {
      if (position >= limit) throw new Rejection(`name at ${start} runs past its bounds`);
      const byte = this.#message[position] as number;
      if (byte === 0) {
        position += 1;
        break;
      }
      const kind = byte & 0xc0;
      if (kind === 0xc0) {
        if (position + 1 >= limit) throw new Rejection(`pointer at ${position} is cut off`);
        const target = ((byte & 0x3f) << 8) | (this.#message[position + 1] as number);
        const suffix = this.#suffixes.get(target);
        // Only a label of a name already read in full: rules out loops and forward pointers.
        if (!suffix) throw new Rejection(`pointer at ${position} to ${target} is not the start of an earlier label`);
        if (suffix.depth + 1 > MAX_POINTER_DEPTH) throw new Rejection(`pointer chain at ${position} is too deep`);
        tail = { length: suffix.length, depth: suffix.depth + 1 };
        position += 2;
        break;
      }
      if (kind !== 0) throw new Rejection(`reserved label type at ${position}`);
      labels.push({ offset: position, length: byte });
      position += 1 + byte;
    }

    let length = tail.length;
    for (let i = labels.length - 1; i >= 0; i--) {
      const label = labels[i] as { offset: number; length: number };
      length += 1 + label.length;
      if (length > MAX_NAME_LENGTH) throw new Rejection(`name at ${start} is longer than ${MAX_NAME_LENGTH} octets`);
      this.#suffixes.set(label.offset, { length, depth: tail.depth });
    }
    this.#expanded += length;
    if (this.#expanded > this.#budget) throw new Rejection('names expand to far more than the message size (compression bomb)');
    return position;
  }

  #need(offset: number, count: number): number {
    const end = offset + count;
    if (end > this.#message.length) throw new Rejection(`message ends at ${this.#message.length}, ${end} needed`);
    return end;
  }

  #u16(offset: number): number {
    this.#need(offset, 2);
    return ((this.#message[offset] as number) << 8) | (this.#message[offset + 1] as number);
  }
}
