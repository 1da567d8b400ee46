/**
 * Crafted hostile DNS messages.
 */
import { response, type ReceivedQuery } from './raw-dns-server';

/**
 * A 64 KiB message whose answers' owner names point at the end of a long backward chain of
 * compression pointers (hidden in the RDATA of a record of an unknown type): cheap to send,
 * seconds of CPU for a decoder that follows pointers without a bound.
 */
export function pointerChain(query: ReceivedQuery): Buffer {
  const head = response(query);
  const header = Buffer.from(head.subarray(0, 12));
  const question = head.subarray(12);
  const hops = 8000;
  const rdataStart = 12 + question.length + 1 + 10; // root owner name + type, class, TTL, RDLENGTH
  const chain: number[] = [0x01, 0x61, 0x00]; // the label "a", where the chain ends
  for (let i = 0; i < hops; i++) {
    const target = i === 0 ? rdataStart : rdataStart + 3 + (i - 1) * 2;
    chain.push(0xc0 | (target >> 8), target & 0xff);
  }
  const last = rdataStart + 3 + (hops - 1) * 2;
  const carrier = [0x00, 0xff, 0x00, 0x00, 0x01, 0, 0, 0, 0, chain.length >> 8, chain.length & 0xff, ...chain];
  const records: number[] = [];
  while (12 + question.length + carrier.length + records.length + 16 <= 65_000) {
    records.push(0xc0 | (last >> 8), last & 0xff, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 0, 0, 1);
  }
  header.writeUInt16BE(1 + records.length / 16, 6);
  header.writeUInt16BE(0, 10);
  return Buffer.concat([header, question, Buffer.from(carrier), Buffer.from(records)]);
}
