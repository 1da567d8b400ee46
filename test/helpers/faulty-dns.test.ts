/**
 * The faulty DNS proxy misbehaves as each fault is named: checked on the bytes a raw socket
 * receives through it (IDs, flags, sources, sizes, pointers), then through the library's resolver.
 */
import { randomInt } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import DNS from 'dns2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeResponse, type Question } from '../../src/dns/message';
import { parseNameserver } from '../../src/dns/nameserver';
import { createDnsResolver } from '../../src/dns/resolver';
import type { LookupResult } from '../../src/dns/types';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index';
import { isPodName, OTHER_ADDRESS, OVERSIZED_LENGTH, startBlackhole, startFaultyDns, type Fault, type FaultyDns } from './faulty-dns';

const { Packet } = DNS;

const NAME = '_mysql._tcp.mysql.default.svc.cluster.local';

let cluster: FakeCluster;
let faulty: FaultyDns;
const clients: UdpClient[] = [];

beforeEach(async () => {
  cluster = await createFakeCluster();
  cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
  faulty = await startFaultyDns(cluster.nameserver);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await faulty.close();
  await cluster.close();
});

function query(id = randomInt(0x10000), name = NAME, type = 33): Buffer {
  const packet = new Packet();
  packet.header.id = id;
  packet.header.rd = 1;
  packet.questions.push(new Packet.Question(name, type, 1));
  packet.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: 1232 }));
  return packet.toBuffer();
}

const POD_1 = 'mysql-1.mysql.default.svc.cluster.local';
const SERVICE = 'mysql.default.svc.cluster.local';
const HOSTS = ['mysql-0', 'mysql-1', 'mysql-2'].map((pod) => `${pod}.mysql.default.svc.cluster.local`);

const question = (bytes: Buffer): Question => ({ id: bytes.readUInt16BE(0), name: `${NAME}.`, type: 'SRV' });

interface Datagram {
  readonly bytes: Buffer;
  readonly address: string;
  readonly port: number;
}

interface UdpClient {
  readonly received: Datagram[];
  send(bytes: Buffer): void;
  /** Resolve once `done` holds for what was received; reject after `timeoutMs`. */
  until(done: (received: Datagram[]) => boolean, timeoutMs?: number): Promise<Datagram[]>;
  close(): Promise<void>;
}

/** An unconnected socket: it sees datagrams from any source, as a sloppy client would. */
async function udpClient(): Promise<UdpClient> {
  const socket: UdpSocket = createSocket('udp4');
  const received: Datagram[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (bytes, from) => {
    received.push({ bytes, address: from.address, port: from.port });
    for (const waiter of [...waiters]) waiter();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const client: UdpClient = {
    received,
    send: (bytes) => socket.send(bytes, faulty.port, '127.0.0.1'),
    until: (done, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!done(received)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(received);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`only ${received.length} datagram(s) within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  clients.push(client);
  return client;
}

const withId = (id: number) => (received: Datagram[]) => received.some((datagram) => datagram.bytes.readUInt16BE(0) === id);
const count = (n: number) => (received: Datagram[]) => received.length >= n;

/** Resolve once the proxy received its `n`-th query from now on. */
function received(n: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const stop = faulty.onQuery(() => {
      if (++seen < n) return;
      stop();
      resolve();
    });
  });
}

/** Ask through the proxy with the fault off, and return the real reply. */
async function realReply(client: UdpClient): Promise<Buffer> {
  const previous = faulty.fault;
  faulty.fault = 'none';
  const bytes = query();
  const from = client.received.length;
  client.send(bytes);
  await client.until(withId(bytes.readUInt16BE(0)));
  faulty.fault = previous;
  const reply = client.received.slice(from).find((datagram) => datagram.bytes.readUInt16BE(0) === bytes.readUInt16BE(0));
  if (!reply) throw new Error('no real reply');
  return reply.bytes;
}

function parse(bytes: Buffer) {
  return Packet.parse(bytes);
}

/** Follow the compression pointers of the name at `offset` and say whether one is revisited. */
function pointsIntoALoop(message: Buffer, offset: number): boolean {
  const visited = new Set<number>();
  let position = offset;
  for (let steps = 0; steps < 1000; steps++) {
    const byte = message[position];
    if (byte === undefined || byte === 0) return false;
    if ((byte & 0xc0) === 0xc0) {
      if (visited.has(position)) return true;
      visited.add(position);
      position = ((byte & 0x3f) << 8) | (message[position + 1] ?? 0);
    } else {
      position += 1 + byte;
    }
  }
  return true;
}

/** What a TCP query through the proxy gets back: the bytes, and how the connection ended. */
function tcpExchange(bytes: Buffer): Promise<{ data: Buffer; ended: 'end' | 'reset' | 'close' }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: faulty.port });
    const chunks: Buffer[] = [];
    let ended: 'end' | 'reset' | 'close' = 'close';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the TCP connection stayed open'));
    }, 10_000);
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(bytes.length);
      socket.write(Buffer.concat([length, bytes]));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      ended = 'end';
      socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') ended = 'reset';
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), ended });
    });
  });
}

/** One TCP query through the proxy: resolves with the first whole reply, then closes the connection. */
function tcpReply(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: faulty.port });
    let buffered: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no TCP reply within 10 s'));
    }, 10_000);
    socket.on('error', reject);
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(bytes.length);
      socket.write(Buffer.concat([length, bytes]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
    });
  });
}

describe('each fault, on the wire', () => {
  it('none: the upstream reply from the proxy address and port, counted', async () => {
    const client = await udpClient();
    const bytes = query();
    client.send(bytes);
    const [reply] = await client.until(count(1));
    expect(reply?.address).toBe('127.0.0.1');
    expect(reply?.port).toBe(faulty.port);
    const packet = parse(reply?.bytes ?? Buffer.alloc(0));
    expect(packet.header.id).toBe(bytes.readUInt16BE(0));
    expect(packet.answers.map((record) => (record as { target?: string }).target)).toEqual([
      'mysql-0.mysql.default.svc.cluster.local',
      'mysql-1.mysql.default.svc.cluster.local',
      'mysql-2.mysql.default.svc.cluster.local',
    ]);
    expect(faulty.queries).toBe(1);
    expect(cluster.stats.udpQueries).toBe(1);
  });

  it('drop: nothing comes back for the query', async () => {
    const client = await udpClient();
    faulty.fault = 'drop';
    const dropped = query();
    const seen = received(1);
    client.send(dropped);
    await seen;
    faulty.fault = 'none';
    const answered = query((dropped.readUInt16BE(0) + 1) % 0x10000);
    client.send(answered);
    await client.until(withId(answered.readUInt16BE(0)));
    expect(client.received.map((datagram) => datagram.bytes.readUInt16BE(0))).toEqual([answered.readUInt16BE(0)]);
    expect(faulty.queries).toBe(2);
  });

  it('delay: the upstream reply, delayMs later', async () => {
    faulty.delayMs = 600;
    const client = await udpClient();
    const real = await realReply(client);
    faulty.fault = 'delay';
    const bytes = query();
    const sent = performance.now();
    client.send(bytes);
    await client.until(withId(bytes.readUInt16BE(0)));
    expect(performance.now() - sent).toBeGreaterThanOrEqual(590);
    expect(client.received.at(-1)?.bytes.subarray(2)).toEqual(real.subarray(2));
  });

  it.each([
    ['servfail', 2],
    ['refused', 5],
  ] as const)('%s: RCODE %i and no records', async (fault, rcode) => {
    const client = await udpClient();
    faulty.fault = fault;
    const bytes = query();
    client.send(bytes);
    const [reply] = await client.until(count(1));
    const packet = parse(reply?.bytes ?? Buffer.alloc(0));
    expect(packet.header.id).toBe(bytes.readUInt16BE(0));
    expect(packet.header.rcode).toBe(rcode);
    expect(packet.answers).toEqual([]);
  });

  it('truncate-dead-tcp: TC=1 without records over UDP; TCP closes or resets without a byte', async () => {
    const client = await udpClient();
    faulty.fault = 'truncate-dead-tcp';
    const bytes = query();
    client.send(bytes);
    const [reply] = await client.until(count(1));
    const packet = parse(reply?.bytes ?? Buffer.alloc(0));
    expect(packet.header.tc).toBe(1);
    expect(packet.header.rcode).toBe(0);
    expect(packet.answers).toEqual([]);

    const first = await tcpExchange(query());
    const second = await tcpExchange(query());
    expect(first).toEqual({ data: Buffer.alloc(0), ended: 'end' });
    expect(second).toEqual({ data: Buffer.alloc(0), ended: 'reset' });
  });

  it('wrong-id: the upstream reply under another ID', async () => {
    const client = await udpClient();
    const real = await realReply(client);
    faulty.fault = 'wrong-id';
    const bytes = query();
    client.send(bytes);
    const [, reply] = await client.until(count(2));
    expect(reply?.bytes.readUInt16BE(0)).not.toBe(bytes.readUInt16BE(0));
    expect(reply?.bytes.subarray(2)).toEqual(real.subarray(2));
  });

  it('wrong-question: the upstream reply, asking about another name', async () => {
    const client = await udpClient();
    faulty.fault = 'wrong-question';
    const bytes = query();
    client.send(bytes);
    const [reply] = await client.until(count(1));
    const packet = parse(reply?.bytes ?? Buffer.alloc(0));
    expect(packet.header.id).toBe(bytes.readUInt16BE(0));
    expect(packet.questions).toHaveLength(1);
    expect(String(packet.questions[0]?.name).toLowerCase()).not.toBe(NAME);
    expect(packet.answers.length).toBeGreaterThan(0);
  });

  it('other-address: the upstream reply from 127.0.0.2 and from another port, never from the proxy', async () => {
    const client = await udpClient();
    faulty.fault = 'other-address';
    const bytes = query();
    client.send(bytes);
    await client.until(count(2));
    await realReply(client);
    const replies = client.received.filter((datagram) => datagram.bytes.readUInt16BE(0) === bytes.readUInt16BE(0));
    expect(replies.map((datagram) => datagram.address).sort()).toEqual(['127.0.0.1', OTHER_ADDRESS]);
    expect(replies.find((datagram) => datagram.address === OTHER_ADDRESS)?.port).toBe(faulty.port);
    expect(replies.find((datagram) => datagram.address === '127.0.0.1')?.port).not.toBe(faulty.port);
    expect(replies.every((datagram) => parse(datagram.bytes).answers.length === 3)).toBe(true);
  });

  it('garbage: random bytes, one of them behind the right ID, neither a response to the query', async () => {
    const client = await udpClient();
    faulty.fault = 'garbage';
    const bytes = query();
    client.send(bytes);
    const replies = await client.until(count(2));
    expect(replies[1]?.bytes.readUInt16BE(0)).toBe(bytes.readUInt16BE(0));
    expect((replies[1]?.bytes[2] ?? 0) & 0x80).toBe(0x80);
    for (const reply of replies) expect(decodeResponse(reply.bytes, question(bytes))).toHaveProperty('rejected');
  });

  it('compression-loop: an answer whose names loop, then the 64 KiB pointer chain', async () => {
    const client = await udpClient();
    faulty.fault = 'compression-loop';
    const bytes = query();
    client.send(bytes);
    const [loop, chain] = await client.until(count(2));
    const message = loop?.bytes ?? Buffer.alloc(0);
    expect(message.readUInt16BE(0)).toBe(bytes.readUInt16BE(0));
    expect(message.readUInt16BE(6)).toBe(1);
    const answerOffset = 12 + NAME.length + 2 + 4;
    expect(pointsIntoALoop(message, answerOffset)).toBe(true);
    expect(chain?.bytes.length).toBeGreaterThan(60_000);
    expect(decodeResponse(message, question(bytes))).toHaveProperty('rejected');
    expect(decodeResponse(chain?.bytes ?? Buffer.alloc(0), question(bytes))).toHaveProperty('rejected');
  });

  it('oversized: the upstream reply padded far beyond the advertised EDNS size', async () => {
    const client = await udpClient();
    const real = await realReply(client);
    faulty.fault = 'oversized';
    const bytes = query();
    client.send(bytes);
    const [, reply] = await client.until(count(2));
    expect(reply?.bytes.length).toBeGreaterThanOrEqual(OVERSIZED_LENGTH);
    expect(reply?.bytes.length).toBeGreaterThan(1232);
    expect(reply?.bytes.subarray(2, real.length)).toEqual(real.subarray(2));
  });

  it('flap: the full answer and a one-peer answer, alternately', async () => {
    const client = await udpClient();
    faulty.fault = 'flap';
    const shapes: Array<{ answers: string[]; additionals: string[] }> = [];
    for (let i = 0; i < 4; i++) {
      const bytes = query();
      client.send(bytes);
      await client.until(withId(bytes.readUInt16BE(0)));
      const packet = parse(client.received.at(-1)?.bytes ?? Buffer.alloc(0));
      shapes.push({
        answers: packet.answers.map((record) => String((record as { target?: string }).target)),
        additionals: packet.additionals.filter((record) => record.type === 1).map((record) => String(record.name)),
      });
    }
    const all = ['mysql-0', 'mysql-1', 'mysql-2'].map((pod) => `${pod}.mysql.default.svc.cluster.local`);
    const one = ['mysql-0.mysql.default.svc.cluster.local'];
    expect(shapes).toEqual([
      { answers: all, additionals: all },
      { answers: one, additionals: one },
      { answers: all, additionals: all },
      { answers: one, additionals: one },
    ]);
  });

  it('flap-one: per question, every other reply without one random answer (and its glue), every other per-pod reply NXDOMAIN', async () => {
    // A proxy of its own, whose "random" draw drops the middle answer of three.
    const seeded = await startFaultyDns(cluster.nameserver, { random: () => 0.5 });
    const socket = createSocket('udp4');
    try {
      seeded.fault = 'flap-one';
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      const ask = (name: string, type: number) =>
        new Promise<ReturnType<typeof parse>>((resolve) => {
          const bytes = query(randomInt(0x10000), name, type);
          const onMessage = (reply: Buffer): void => {
            if (reply.readUInt16BE(0) !== bytes.readUInt16BE(0)) return;
            socket.off('message', onMessage);
            resolve(parse(reply));
          };
          socket.on('message', onMessage);
          socket.send(bytes, seeded.port, '127.0.0.1');
        });
      const shape = (packet: ReturnType<typeof parse>) => ({
        rcode: packet.header.rcode,
        answers: packet.answers.map((record) => String((record as { target?: string; address?: string }).target ?? (record as { address?: string }).address)),
        glue: packet.additionals.filter((record) => record.type === 1).map((record) => String(record.name)),
        soa: packet.authorities.filter((record) => record.type === 6).map((record) => String(record.name)),
      });
      const addresses = (await ask(SERVICE, 1)).answers.map((record) => String((record as { address?: string }).address));
      const podAddress = (await ask(POD_1, 1)).answers.map((record) => String((record as { address?: string }).address));
      // Interleaved: each question keeps its own alternation.
      const seen: Array<ReturnType<typeof shape>> = [];
      for (let round = 0; round < 2; round++) {
        seen.push(shape(await ask(NAME, 33)), shape(await ask(POD_1, 1)), shape(await ask(SERVICE, 1)));
      }
      const full = { rcode: 0, answers: HOSTS, glue: HOSTS, soa: [] };
      const cut = { rcode: 0, answers: [HOSTS[0], HOSTS[2]], glue: [HOSTS[0], HOSTS[2]], soa: [] };
      const nxdomain = { rcode: 3, answers: [], glue: [], soa: ['cluster.local'] };
      expect(seen).toEqual([
        full,
        nxdomain, // its first reply was the one asked before the loop
        { rcode: 0, answers: [addresses[0], addresses[2]], glue: [], soa: [] },
        cut,
        { rcode: 0, answers: podAddress, glue: [], soa: [] },
        { rcode: 0, answers: addresses, glue: [], soa: [] },
      ]);
      // Setting the fault again restarts every alternation.
      seeded.fault = 'flap-one';
      expect(shape(await ask(NAME, 33))).toEqual(full);
      expect(shape(await ask(NAME, 33))).toEqual(cut);
    } finally {
      socket.close();
      await seeded.close();
    }
  });

  it('flap-one: a per-pod name has more labels before "svc" than the Service name', () => {
    expect(isPodName('mysql-0.mysql.default.svc.cluster.local.')).toBe(true);
    expect(isPodName('a.mysql-0.mysql.default.svc.cluster.local')).toBe(true);
    expect(isPodName('mysql.default.svc.cluster.local')).toBe(false);
    expect(isPodName('mysql.default.svc.example.internal')).toBe(false);
    expect(isPodName('5.0.244.10.in-addr.arpa')).toBe(false);
  });

  it('truncate-tcp-half: over UDP TC=1 and nothing; over TCP, half the SRV answers with their glue and TC=1, other answers whole', async () => {
    const client = await udpClient();
    faulty.fault = 'truncate-tcp-half';
    for (const [name, type] of [[NAME, 33], [SERVICE, 1]] as const) {
      const bytes = query(randomInt(0x10000), name, type);
      client.send(bytes);
      await client.until(withId(bytes.readUInt16BE(0)));
      const packet = parse(client.received.at(-1)?.bytes ?? Buffer.alloc(0));
      expect(packet.header.tc).toBe(1);
      expect(packet.answers).toEqual([]);
    }
    const half = parse(await tcpReply(query()));
    expect(half.header.tc).toBe(1);
    expect(half.header.rcode).toBe(0);
    expect(half.answers.map((record) => String((record as { target?: string }).target))).toEqual([HOSTS[0]]);
    expect(half.additionals.filter((record) => record.type === 1).map((record) => String(record.name))).toEqual([HOSTS[0]]);
    const set = parse(await tcpReply(query(randomInt(0x10000), SERVICE, 1)));
    expect(set.header.tc).toBe(0);
    expect(set.answers).toHaveLength(3);
  });
});

describe('restart', () => {
  it('refuses queries while down, then serves on the same port', async () => {
    const port = faulty.port;
    await faulty.restart(async () => {
      const socket = createSocket('udp4');
      const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
        socket.on('error', resolve);
        socket.on('message', () => resolve(new Error('answered while down')));
        socket.connect(port, '127.0.0.1', () => socket.send(query()));
      });
      socket.close();
      expect(error.code).toBe('ECONNREFUSED');
    });
    const client = await udpClient();
    client.send(query());
    const [reply] = await client.until(count(1));
    expect(reply?.port).toBe(port);
    expect(faulty.nameserver).toBe(`127.0.0.1:${port}`);
    expect(parse(reply?.bytes ?? Buffer.alloc(0)).answers).toHaveLength(3);
  });
});

describe('each fault, through the library resolver', () => {
  const nameserver = () => {
    const parsed = parseNameserver(faulty.nameserver);
    if (!parsed) throw new Error('bad nameserver');
    return parsed;
  };

  it.each<[Fault, LookupResult['outcome']]>([
    ['drop', 'timeout'],
    ['delay', 'timeout'],
    ['servfail', 'servfail'],
    ['refused', 'refused'],
    ['truncate-dead-tcp', 'network-error'],
    ['wrong-id', 'timeout'],
    ['wrong-question', 'timeout'],
    ['other-address', 'timeout'],
    ['garbage', 'timeout'],
    ['compression-loop', 'timeout'],
  ])('%s ends as %s', async (fault, outcome) => {
    faulty.delayMs = 3000;
    faulty.fault = fault;
    const resolver = createDnsResolver({ nameservers: [nameserver()], timeoutMs: 1000, attempts: 1 });
    const result = await resolver.lookup(NAME, 'SRV');
    expect(result.outcome).toBe(outcome);
  });

  it('flap: 3 targets, then 1, then 3', async () => {
    faulty.fault = 'flap';
    const resolver = createDnsResolver({ nameservers: [nameserver()], timeoutMs: 2000, attempts: 1 });
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await resolver.lookup(NAME, 'SRV');
      sizes.push(result.outcome === 'answer' ? result.answers.length : -1);
    }
    expect(sizes).toEqual([3, 1, 3]);
  });

  it('flap-one: 3 targets, then 2, then 3, then 2', async () => {
    faulty.fault = 'flap-one';
    const resolver = createDnsResolver({ nameservers: [nameserver()], timeoutMs: 2000, attempts: 1 });
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await resolver.lookup(NAME, 'SRV');
      sizes.push(result.outcome === 'answer' ? result.answers.length : -1);
    }
    resolver.close();
    expect(sizes).toEqual([3, 2, 3, 2]);
  });

  it('flap-one: a per-pod name answers, then NXDOMAIN, then answers', async () => {
    faulty.fault = 'flap-one';
    const resolver = createDnsResolver({ nameservers: [nameserver()], timeoutMs: 2000, attempts: 1 });
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) outcomes.push((await resolver.lookup(POD_1, 'A')).outcome);
    resolver.close();
    expect(outcomes).toEqual(['answer', 'nxdomain', 'answer']);
  });

  it('truncate-tcp-half: UDP, then TCP: half the targets, flagged truncated', async () => {
    faulty.fault = 'truncate-tcp-half';
    const resolver = createDnsResolver({ nameservers: [nameserver()], timeoutMs: 2000, attempts: 1 });
    const result = await resolver.lookup(NAME, 'SRV');
    resolver.close();
    expect(result).toMatchObject({ outcome: 'answer', transport: 'tcp', truncated: true });
    expect(result.outcome === 'answer' ? result.answers.length : -1).toBe(1);
  });

  it('a blackhole reads every query and never answers', async () => {
    const blackhole = await startBlackhole();
    const resolver = createDnsResolver({ nameservers: [parseNameserver(blackhole.nameserver) ?? nameserver()], timeoutMs: 300, attempts: 2 });
    try {
      const result = await resolver.lookup(NAME, 'SRV');
      expect(result.outcome).toBe('timeout');
      expect(blackhole.received).toEqual([
        { name: NAME, type: 33 },
        { name: NAME, type: 33 },
      ]);
    } finally {
      resolver.close();
      await blackhole.close();
    }
  });
});
