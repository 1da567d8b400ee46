/**
 * One DNS query over UDP or TCP, with the whole response kept: the header flags (TC, AA), every
 * section and the size on the wire. `node:dns` hides all of that, and the harness tests are about
 * exactly what it hides (which glue BIND adds, when it truncates). Decoding is dns2's `Packet`.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import DNS from 'dns2';

const { Packet } = DNS;
const TYPES = { A: 1, NS: 2, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33 } as const;
const NAMES = new Map<number, string>(Object.entries(TYPES).map(([name, code]) => [code, name]));

/** A query type this helper asks. */
export type RawType = keyof typeof TYPES;

/** How to ask. */
export interface RawQueryOptions {
  readonly transport?: 'udp' | 'tcp';
  /** Advertise EDNS0 with this UDP payload size; none (a plain 512-byte query) when absent. */
  readonly edns?: number;
  /** Recursion desired. Default: true, as stub resolvers and this library send. */
  readonly rd?: boolean;
  readonly timeoutMs?: number;
}

/** One record, its data flattened to text (an address, `0 33 7000 target.`, a PTR target, an SOA serial). */
export interface RawRecord {
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly data: string;
}

/** The response, section by section (the OPT record is left out of `additionals`). */
export interface RawResponse {
  readonly rcode: number;
  readonly tc: boolean;
  readonly aa: boolean;
  readonly size: number;
  readonly edns: boolean;
  readonly answers: readonly RawRecord[];
  readonly authorities: readonly RawRecord[];
  readonly additionals: readonly RawRecord[];
}

function encodeQuery(id: number, name: string, type: RawType, options: RawQueryOptions): Buffer {
  const labels = name.split('.').filter(Boolean).map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(options.rd === false ? 0 : 0x0100, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(options.edns === undefined ? 0 : 1, 10);
  const question = Buffer.from([0, 0, TYPES[type], 0, 1]);
  if (options.edns === undefined) return Buffer.concat([header, ...labels, question]);
  // OPT: root owner, type 41, class = payload size, extended rcode/version/flags 0, no options.
  const opt = Buffer.from([0, 0, 41, options.edns >> 8, options.edns & 0xff, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, question, opt]);
}

function flatten(record: InstanceType<typeof Packet.Resource>): RawRecord {
  const type = NAMES.get(record.type) ?? String(record.type);
  const absolute = (name: string | undefined): string => `${(name ?? '').replace(/\.$/, '')}.`;
  const data =
    type === 'SRV'
      ? `${record.priority} ${record.weight} ${record.port} ${absolute(record.target)}`
      : type === 'PTR' || type === 'NS'
        ? absolute(record.domain ?? record.ns)
        : type === 'SOA'
          ? `${absolute(record.primary)} ${record.serial} ${record.minimum}`
          : String(record.address ?? record.data ?? '');
  return { name: absolute(record.name).toLowerCase(), type, ttl: record.ttl, data };
}

function decode(message: Buffer): RawResponse {
  const packet = Packet.parse(message);
  const opt = packet.additionals.filter((record) => record.type === 41);
  return {
    rcode: packet.header.rcode,
    tc: packet.header.tc === 1,
    aa: packet.header.aa === 1,
    size: message.length,
    edns: opt.length > 0,
    answers: packet.answers.map(flatten),
    authorities: packet.authorities.map(flatten),
    additionals: packet.additionals.filter((record) => record.type !== 41).map(flatten),
  };
}

/** Ask `nameserver` (`127.0.0.1:53` or `[::1]:53`) one question and return the whole response. */
export function rawQuery(nameserver: string, name: string, type: RawType, options: RawQueryOptions = {}): Promise<RawResponse> {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(nameserver);
  if (!match) throw new TypeError(`not host:port: ${nameserver}`);
  const [, host = '', port = ''] = match;
  const id = Math.floor(Math.random() * 0x10000);
  const query = encodeQuery(id, name, type, options);
  const timeoutMs = options.timeoutMs ?? 3000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no answer to ${name} ${type} from ${nameserver} within ${timeoutMs} ms`)), timeoutMs);
    let close = (): void => undefined;
    let settled = false;
    const finish = (result: Error | Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      if (result instanceof Error) reject(result);
      else if (result.readUInt16BE(0) !== id) reject(new Error('answer with the wrong id'));
      else resolve(decode(result));
    };
    if (options.transport === 'tcp') {
      const socket = connect(Number(port), host);
      close = () => socket.destroy();
      let received = Buffer.alloc(0);
      socket.on('error', finish);
      socket.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) finish(received.subarray(2, 2 + received.readUInt16BE(0)));
      });
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    } else {
      const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      close = () => socket.close();
      socket.on('error', finish);
      socket.on('message', finish);
      socket.send(query, Number(port), host);
    }
  });
}
