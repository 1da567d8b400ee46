/**
 * Encoding the fake cluster's responses. Like CoreDNS (miekg/dns `Msg.Truncate`), a response
 * is sent uncompressed when it fits; otherwise owner names are compressed and records are added
 * in order (answer, authority, additional) until the next one would not fit, and TC is set if
 * any was left out. SRV and PTR targets are never compressed (RFC 2782; Node 24's resolver
 * rejects compressed SRV targets).
 *
 * @module
 */
import { expandIPv6 } from '../dns/ip';
import type { ZoneAnswer, ZoneRecord } from './zone';

/** What to encode. */
export interface ResponseMessage extends ZoneAnswer {
  readonly id: number;
  readonly recursionDesired: boolean;
  readonly question: { readonly name: string; readonly type: number; readonly class: number };
  /** Present when the query carried EDNS0: the reply echoes an OPT with the client's UDP size. */
  readonly ednsUdpSize: number | undefined;
}

const TYPE_CODES = { A: 1, AAAA: 28, SRV: 33, PTR: 12, SOA: 6 } as const;
const OPT_LENGTH = 11;

/** Encode `message` to at most `limit` octets. */
export function encodeResponse(message: ResponseMessage, limit: number): { buffer: Buffer; truncated: boolean } {
  const sections = [message.answers, message.authorities, message.additionals];
  const plain = new Writer(false);
  writeHeaderAndQuestion(plain, message);
  for (const record of sections.flat()) writeRecord(plain, record);
  if (plain.length + (message.ednsUdpSize === undefined ? 0 : OPT_LENGTH) <= limit) {
    return { buffer: finish(plain, message, sections.map((section) => section.length) as Counts, false), truncated: false };
  }

  const budget = limit - (message.ednsUdpSize === undefined ? 0 : OPT_LENGTH);
  const writer = new Writer(true);
  writeHeaderAndQuestion(writer, message);
  const counts: Counts = [0, 0, 0];
  let truncated = false;
  fill: for (const [index, section] of sections.entries()) {
    for (const record of section) {
      const mark = writer.mark();
      writeRecord(writer, record);
      if (writer.length > budget) {
        writer.rollback(mark);
        truncated = true;
        break fill;
      }
      counts[index as 0 | 1 | 2]++;
    }
  }
  return { buffer: finish(writer, message, counts, truncated), truncated };
}

type Counts = [number, number, number];

function writeHeaderAndQuestion(writer: Writer, message: ResponseMessage): void {
  writer.bytes(Buffer.alloc(12));
  writer.name(message.question.name, true);
  writer.u16(message.question.type);
  writer.u16(message.question.class);
}

function finish(writer: Writer, message: ResponseMessage, counts: Counts, truncated: boolean): Buffer {
  if (message.ednsUdpSize !== undefined) {
    writer.bytes(Buffer.from([0, 0, 41]));
    writer.u16(message.ednsUdpSize);
    writer.bytes(Buffer.alloc(6));
  }
  const buffer = writer.toBuffer();
  buffer.writeUInt16BE(message.id, 0);
  // QR, opcode 0, AA, TC, RD copied from the query; RA unset (CoreDNS answers `qr,aa,rd`).
  buffer[2] = 0x80 | 0x04 | (truncated ? 0x02 : 0) | (message.recursionDesired ? 0x01 : 0);
  buffer[3] = message.rcode & 0x0f;
  buffer.writeUInt16BE(1, 4);
  buffer.writeUInt16BE(counts[0], 6);
  buffer.writeUInt16BE(counts[1], 8);
  buffer.writeUInt16BE(counts[2] + (message.ednsUdpSize === undefined ? 0 : 1), 10);
  return buffer;
}

function writeRecord(writer: Writer, record: ZoneRecord): void {
  writer.name(record.name, true);
  writer.u16(TYPE_CODES[record.type]);
  writer.u16(1);
  writer.u32(record.ttl);
  const rdlength = writer.placeholder16();
  const rdataStart = writer.length;
  switch (record.type) {
    case 'A':
      writer.bytes(Buffer.from(record.address.split('.').map(Number)));
      break;
    case 'AAAA':
      writer.bytes(Buffer.from(expandIPv6(record.address), 'hex'));
      break;
    case 'SRV':
      writer.u16(record.priority);
      writer.u16(record.weight);
      writer.u16(record.port);
      writer.name(record.target, false);
      break;
    case 'PTR':
      writer.name(record.target, false);
      break;
    case 'SOA':
      writer.name(record.mname, false);
      writer.name(record.rname, false);
      for (const value of [record.serial, record.refresh, record.retry, record.expire, record.minimum]) writer.u32(value);
      break;
  }
  rdlength.writeUInt16BE(writer.length - rdataStart);
}

/** Where a writer was, so an over-long record can be taken back. */
interface Mark {
  readonly length: number;
  readonly chunks: number;
  readonly names: number;
}

/** An append-only byte writer with RFC 1035 §4.1.4 name compression for the names that allow it. */
class Writer {
  readonly #chunks: Buffer[] = [];
  readonly #compress: boolean;
  readonly #names = new Map<string, number>();
  /** Names in the order they were remembered, so a rollback can forget them again. */
  readonly #journal: string[] = [];
  length = 0;

  constructor(compress: boolean) {
    this.#compress = compress;
  }

  bytes(bytes: Buffer): void {
    this.#chunks.push(bytes);
    this.length += bytes.length;
  }

  u16(value: number): void {
    this.placeholder16().writeUInt16BE(value);
  }

  u32(value: number): void {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value >>> 0);
    this.bytes(bytes);
  }

  /** Two octets to fill in later (a record's RDLENGTH, known once its RDATA is written). */
  placeholder16(): Buffer {
    const bytes = Buffer.alloc(2);
    this.bytes(bytes);
    return bytes;
  }

  /** Write `name`; with `compressible`, reuse an earlier occurrence of it or of a suffix. */
  name(name: string, compressible: boolean): void {
    const labels = name.replace(/\.$/, '').split('.').filter((label) => label !== '');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const known = this.#names.get(suffix);
      if (compressible && this.#compress && known !== undefined) {
        this.u16(0xc000 | known);
        return;
      }
      if (this.length < 0x4000 && known === undefined) {
        this.#names.set(suffix, this.length);
        this.#journal.push(suffix);
      }
      const label = Buffer.from(labels[i] as string, 'ascii');
      this.bytes(Buffer.concat([Buffer.from([label.length]), label]));
    }
    this.bytes(Buffer.from([0]));
  }

  mark(): Mark {
    return { length: this.length, chunks: this.#chunks.length, names: this.#journal.length };
  }

  rollback(mark: Mark): void {
    this.#chunks.length = mark.chunks;
    this.length = mark.length;
    for (const suffix of this.#journal.splice(mark.names)) this.#names.delete(suffix);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}
