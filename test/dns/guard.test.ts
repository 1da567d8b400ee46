import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import DNS from 'dns2';
import { scanMessage } from '../../src/dns/guard';
import { decodeResponse } from '../../src/dns/message';
import { encodeResponse } from '../../src/testing/wire';
import type { ZoneRecord } from '../../src/testing/zone';
import { pointerChain } from '../helpers/crafted';
import type { ReceivedQuery } from '../helpers/raw-dns-server';

const { Packet } = DNS;
const QUERY: ReceivedQuery = { id: 7, name: 'a.test', type: 1, transport: 'tcp', bytes: Buffer.alloc(0), ednsUdpSize: undefined, source: 1 };

/** Header with the given counts, then `body`. */
function message(counts: [number, number, number, number], body: number[]): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(7, 0);
  header[2] = 0x80;
  counts.forEach((count, index) => header.writeUInt16BE(count, 4 + 2 * index));
  return Buffer.concat([header, Buffer.from(body)]);
}

describe('scanMessage rejects what would make decoding expensive or undefined', () => {
  it.each([
    ['a self-pointer', message([1, 0, 0, 0], [0xc0, 12, 0, 1, 0, 1])],
    ['a two-step loop', message([2, 0, 0, 0], [0xc0, 18, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1])],
    ['a forward pointer', message([2, 0, 0, 0], [0xc0, 18, 0, 1, 0, 1, 1, 0x61, 0, 0, 1, 0, 1])],
    ['a pointer past the end', message([1, 0, 0, 0], [0xff, 0xff, 0, 1, 0, 1])],
    ['a pointer into the middle of a label', message([2, 0, 0, 0], [3, 0x61, 0x62, 0x63, 0, 0, 1, 0, 1, 0xc0, 13, 0, 1, 0, 1])],
    ['a reserved label type', message([1, 0, 0, 0], [0x41, 0x61, 0, 0, 1, 0, 1])],
    ['a label running past the end', message([1, 0, 0, 0], [20, 0x61])],
    ['counts the message cannot hold', message([0xffff, 0xffff, 0xffff, 0xffff], [])],
    ['a name longer than 255 octets', message([1, 0, 0, 0], [...Array.from({ length: 5 }, () => [63, ...Array(63).fill(0x61)]).flat(), 0, 0, 1, 0, 1])],
    ['an RDLENGTH past the end', message([1, 1, 0, 0], [0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 5, 0xff, 0xff])],
    ['a header cut short', Buffer.from([0, 7, 0x80])],
    ['a 64 KiB compression-pointer chain', pointerChain(QUERY)],
  ])('%s', (_, bytes) => {
    const verdict = scanMessage(bytes);
    expect(verdict.ok).toBe(false);
  });
});

describe('scanMessage accepts real answers', () => {
  const srvRecords = (count: number): ZoneRecord[] =>
    Array.from({ length: count }, (_, i) => ({
      type: 'SRV' as const,
      name: '_mysql._tcp.mysql.default.svc.cluster.local.',
      ttl: 5,
      priority: 0,
      weight: 1,
      port: 3306,
      target: `mysql-${i}.mysql.default.svc.cluster.local.`,
    }));
  const glue = (count: number): ZoneRecord[] =>
    Array.from({ length: count }, (_, i) => ({
      type: 'A' as const,
      name: `mysql-${i}.mysql.default.svc.cluster.local.`,
      ttl: 5,
      address: `10.244.${i >> 8}.${i & 0xff}`,
    }));

  it.each([3, 300, 1000])('a %i-pod SRV answer with glue, as the fake cluster encodes it (compressed when large)', (count) => {
    const { buffer } = encodeResponse(
      {
        id: 1,
        recursionDesired: true,
        question: { name: '_mysql._tcp.mysql.default.svc.cluster.local.', type: 33, class: 1 },
        ednsUdpSize: undefined,
        rcode: 0,
        answers: srvRecords(count),
        authorities: [],
        additionals: glue(count),
      },
      65_535,
    );
    expect(scanMessage(buffer)).toEqual({ ok: true });
    const decoded = decodeResponse(buffer, { id: 1, name: '_mysql._tcp.mysql.default.svc.cluster.local.', type: 'SRV' });
    expect('rejected' in decoded ? decoded.rejected : decoded.answers.length).toBe(count);
  });

  it('an answer compressed by another encoder (dns2, which also compresses SRV targets)', () => {
    const packet = new Packet();
    packet.header.id = 9;
    packet.header.qr = 1;
    packet.questions.push(new Packet.Question('_p._tcp.web.default.svc.cluster.local', 33, 1));
    for (let i = 0; i < 20; i++) {
      packet.answers.push({ name: '_p._tcp.web.default.svc.cluster.local', type: 33, class: 1, ttl: 5, priority: 0, weight: 5, port: 7000, target: `web-${i}.web.default.svc.cluster.local` } as never);
      packet.additionals.push({ name: `web-${i}.web.default.svc.cluster.local`, type: 1, class: 1, ttl: 5, address: `10.0.0.${i + 1}` } as never);
    }
    const bytes = packet.toBuffer();
    expect(scanMessage(bytes)).toEqual({ ok: true });
    const decoded = decodeResponse(bytes, { id: 9, name: '_p._tcp.web.default.svc.cluster.local.', type: 'SRV' });
    expect('rejected' in decoded ? decoded.rejected : decoded.additionals.length).toBe(20);
  });
});

describe('decodeResponse never throws', () => {
  const question = { id: 7, name: 'a.test.', type: 'A' as const };
  const valid = (() => {
    const packet = new Packet();
    packet.header.id = 7;
    packet.header.qr = 1;
    packet.questions.push(new Packet.Question('a.test', 1, 1));
    packet.answers.push({ name: 'a.test', type: 1, class: 1, ttl: 5, address: '10.0.0.1' } as never);
    packet.authorities.push({ name: 'test', type: 6, class: 1, ttl: 5, primary: 'ns.test', admin: 'h.test', serial: 1, refresh: 1, retry: 1, expiration: 1, minimum: 1 } as never);
    return packet.toBuffer();
  })();

  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(() => decodeResponse(buffer, question)).not.toThrow();
        expect(() => scanMessage(buffer)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('on mutations of a valid answer, and never yields an address the message did not contain', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat({ max: valid.length }),
        (edits, cut) => {
          const buffer = Buffer.from(valid);
          for (const [offset, value] of edits) buffer[offset] = value;
          const mutated = buffer.subarray(0, Math.max(cut, 12));
          const decoded = decodeResponse(mutated, question);
          if ('rejected' in decoded) return;
          for (const record of decoded.answers) {
            if (record.type === 'A') expect(mutated.includes(Buffer.from(record.address.split('.').map(Number)))).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
