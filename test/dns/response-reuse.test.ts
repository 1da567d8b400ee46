import fc from 'fast-check';
import DNS from 'dns2';
import { describe, expect, it } from 'vitest';
import { decodeResponse } from '../../src/dns/message';
import { ResponseReuse } from '../../src/dns/response-reuse';

const { Packet } = DNS;
const SRV_NAME = '_p._tcp.web.default.svc.cluster.local';

interface Srv {
  readonly target: string;
  readonly port: number;
}

/** An SRV response of `records` in this order (dns2 compresses every name it can), optionally with glue. */
function srvMessage(id: number, records: readonly Srv[], glue = false): Buffer {
  const packet = new Packet();
  packet.header.id = id;
  packet.header.qr = 1;
  packet.header.aa = 1;
  packet.questions.push(new Packet.Question(SRV_NAME, 33, 1));
  for (const record of records) {
    packet.answers.push({ name: SRV_NAME, type: 33, class: 1, ttl: 5, priority: 0, weight: 1, port: record.port, target: record.target } as never);
    if (glue) packet.additionals.push({ name: record.target, type: 1, class: 1, ttl: 5, address: `10.0.${record.port % 250}.${record.target.length}` } as never);
  }
  return packet.toBuffer();
}

const pods = (count: number): Srv[] => Array.from({ length: count }, (_, i) => ({ target: `web-${i}.web.default.svc.cluster.local`, port: 7000 }));
const rotate = <T>(items: readonly T[], by: number): T[] => [...items.slice(by), ...items.slice(0, by)];
const question = (id: number) => ({ id, name: `${SRV_NAME}.`, type: 'SRV' as const });

/** What a decoded answer says, order aside. */
function content(decoded: ReturnType<typeof decodeResponse>): string[] {
  if ('rejected' in decoded) return [`rejected: ${decoded.rejected}`];
  return [...decoded.answers, ...decoded.additionals].map((record) => JSON.stringify(record)).sort();
}

describe('a response with the same records is not decoded again', () => {
  it('byte for byte but the ID, and in another order (a server that rotates its records)', () => {
    const records = pods(60).map((pod, i) => ({ ...pod, target: pod.target.replace('web-', `web-reuse-a-${i}-`) }));
    const first = decodeResponse(srvMessage(1, records), question(1));
    expect(content(first)).toHaveLength(60);
    expect(decodeResponse(srvMessage(2, records), question(2))).toBe(first);
    expect(decodeResponse(srvMessage(3, rotate(records, 17)), question(3))).toBe(first);
  });

  it('but any changed record is decoded: a port, a target, one record more or fewer', () => {
    const records = pods(60).map((pod, i) => ({ ...pod, target: pod.target.replace('web-', `web-reuse-b-${i}-`) }));
    const first = decodeResponse(srvMessage(1, records), question(1));
    const changes = [
      records.map((record, i) => (i === 30 ? { ...record, port: 7001 } : record)),
      records.map((record, i) => (i === 30 ? { ...record, target: record.target.replace('reuse-b', 'reuse-c') } : record)),
      [...records, { target: 'web-extra.web.default.svc.cluster.local', port: 7000 }],
      records.slice(1),
    ];
    for (const [index, changed] of changes.entries()) {
      const decoded = decodeResponse(srvMessage(10 + index, rotate(changed, 5)), question(10 + index));
      expect(decoded).not.toBe(first);
      expect(content(decoded)).toEqual(content(decodeResponse(srvMessage(10 + index, changed), question(10 + index))));
    }
  });

  it('a message whose names point into its answers (glue owned by the targets) is reused in another order too', () => {
    const records = pods(12).map((pod, i) => ({ ...pod, target: pod.target.replace('web-', `web-reuse-d-${i}-`) }));
    const first = decodeResponse(srvMessage(1, records, true), question(1));
    expect(content(first)).toHaveLength(24);
    expect(decodeResponse(srvMessage(2, records, true), question(2))).toBe(first);
    // Rotated, each glue record's owner points at another offset: its name is compared spelled out.
    const rotatedMessage = srvMessage(3, rotate(records, 7), true);
    expect(rotatedMessage.equals(srvMessage(3, records, true))).toBe(false);
    expect(decodeResponse(rotatedMessage, question(3))).toBe(first);
    // A changed glue address is decoded.
    const moved = srvMessage(4, rotate(records, 7), true);
    const at = moved.lastIndexOf(Buffer.from([10, 0]));
    moved[at + 3] = (moved[at + 3] as number) ^ 1;
    const decoded = decodeResponse(moved, question(4));
    expect(decoded).not.toBe(first);
    expect(content(decoded)).not.toEqual(content(first));
  });

  it('a record moved to another section is another record, whatever the counts', () => {
    const [x, y] = pods(2) as [Srv, Srv];
    const srv = (record: Srv) => ({ name: SRV_NAME, type: 33, class: 1, ttl: 5, priority: 0, weight: 1, port: record.port, target: record.target });
    const glue = (record: Srv, last: number) => ({ name: record.target, type: 1, class: 1, ttl: 5, address: `10.0.0.${last}` });
    const message = (answers: object[], additionals: object[]): Buffer => {
      const packet = new Packet();
      packet.header.id = 1;
      packet.header.qr = 1;
      packet.questions.push(new Packet.Question(SRV_NAME, 33, 1));
      packet.answers.push(...(answers as never[]));
      packet.additionals.push(...(additionals as never[]));
      return packet.toBuffer();
    };
    const reuse = new ResponseReuse<string>();
    reuse.remember('q', message([srv(x), srv(y)], [glue(x, 1), glue(y, 2)]), 'decoded');
    expect(reuse.find('q', message([srv(y), srv(x)], [glue(y, 2), glue(x, 1)]))).toBe('decoded');
    expect(reuse.find('q', message([srv(x), glue(x, 1)], [srv(y), glue(y, 2)]))).toBeUndefined();
  });

  it('never hands back a decoding that differs from decoding the message anew', () => {
    const decode = (message: Buffer): string[] => {
      const packet = Packet.parse(message);
      return [
        ...packet.answers.map((record) => `${String(record.target)}:${String(record.port)}`),
        ...packet.additionals.map((record) => `${record.name} ${String(record.address)}`),
      ].sort();
    };
    const base = pods(40);
    fc.assert(
      fc.property(
        fc.array(fc.record({ index: fc.nat({ max: 39 }), port: fc.integer({ min: 7000, max: 7002 }) }), { maxLength: 3 }),
        fc.nat({ max: 39 }),
        fc.boolean(),
        (edits, by, glue) => {
          const reuse = new ResponseReuse<string[]>();
          const before = srvMessage(1, base, glue);
          reuse.remember('q', before, decode(before));
          const after = base.map((record, i) => {
            const edit = edits.find((candidate) => candidate.index === i);
            return edit ? { ...record, port: edit.port } : record;
          });
          const message = srvMessage(2, rotate(after, by), glue);
          expect(reuse.find('q', message) ?? decode(message)).toEqual(decode(message));
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['without glue', false],
    ['with glue', true],
  ])('never throws on a mangled copy of a remembered message (%s), and reuses it only for the same records', (_, glue) => {
    const reuse = new ResponseReuse<string>();
    const valid = srvMessage(1, pods(12), glue);
    reuse.remember('q', valid, 'decoded');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const mangled = Buffer.from(valid);
        for (const [offset, value] of edits) mangled[offset] = value;
        const found = reuse.find('q', mangled);
        // Reused only when the mangled message still holds the same records.
        if (found !== undefined) expect(sameRecords(valid, mangled)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

/** True when `b` decodes to the same records as `a`, in any order (a mangle of the ID alone, say). */
function sameRecords(a: Buffer, b: Buffer): boolean {
  try {
    const records = (message: Buffer) => {
      const packet = Packet.parse(message);
      return [...packet.answers, ...packet.additionals].map((record) => JSON.stringify([record.name, record.type, record.class, record.ttl, record.port, record.target, record.address])).sort();
    };
    return JSON.stringify(records(a)) === JSON.stringify(records(b));
  } catch {
    return false;
  }
}
