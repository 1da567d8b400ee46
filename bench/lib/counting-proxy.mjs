// A counting DNS proxy on loopback, for servers that cannot count the queries they receive
// (the BIND harness runs named without query logging): every UDP datagram and every
// length-prefixed TCP message from a client is counted (transport, question type) and forwarded
// unchanged to the upstream server; replies go back unchanged, and those with TC=1 are counted,
// as are the TCP connections clients open.
// Used for message counts only: the extra hop never sits in a timed span.
import dgram from 'node:dgram';
import net from 'node:net';

const TYPES = { 1: 'A', 6: 'SOA', 12: 'PTR', 28: 'AAAA', 33: 'SRV' };

/** The question type of a DNS message, by name (`A`, `SRV`, …), or `TYPE<n>`; `?` if unreadable. */
export function questionType(message) {
  if (message.length < 12 || message.readUInt16BE(4) === 0) return '?';
  let offset = 12;
  while (offset < message.length) {
    const length = message[offset];
    if (length === 0) break;
    if ((length & 0xc0) === 0xc0) {
      offset += 1;
      break;
    }
    offset += 1 + length;
  }
  offset += 1;
  if (offset + 2 > message.length) return '?';
  const type = message.readUInt16BE(offset);
  return TYPES[type] ?? `TYPE${type}`;
}

const isTruncated = (message) => message.length >= 3 && (message[2] & 0x02) !== 0;

/** Split a TCP byte stream into DNS messages (2-byte length prefix), calling `onMessage` for each. */
function framer(onMessage) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) break;
      onMessage(pending.subarray(2, 2 + length));
      pending = pending.subarray(2 + length);
    }
  };
}

/**
 * Start a proxy on `127.0.0.1` (UDP and TCP on one port) in front of `upstream` (`host:port`).
 * `stats()` has the shape of the fake cluster's counts, `{ udp, tcp, truncated, byType }`, plus `connections`.
 */
export async function startCountingProxy(upstream) {
  const [, host, port] = /^\[?([^\]]+)\]?:(\d+)$/.exec(upstream) ?? [];
  if (!host) throw new Error(`counting proxy: cannot parse upstream "${upstream}"`);
  const upstreamPort = Number(port);
  const counts = { udp: 0, tcp: 0, truncated: 0, connections: 0, byType: {} };
  const count = (message, transport) => {
    counts[transport]++;
    const type = questionType(message);
    counts.byType[type] = (counts.byType[type] ?? 0) + 1;
  };
  const family = host.includes(':') ? 'udp6' : 'udp4';
  let front;
  const upstreams = new Map(); // client ip:port → its own socket towards the server
  const onDatagram = (message, client) => {
    count(message, 'udp');
    const key = `${client.address}:${client.port}`;
    let socket = upstreams.get(key);
    if (!socket) {
      socket = dgram.createSocket(family);
      socket.on('message', (reply) => {
        if (isTruncated(reply)) counts.truncated++;
        front.send(reply, client.port, client.address);
      });
      socket.on('error', () => undefined);
      upstreams.set(key, socket);
    }
    socket.send(message, upstreamPort, host);
  };

  const connections = new Set();
  const tcp = net.createServer((client) => {
    counts.connections++;
    const server = net.connect(upstreamPort, host);
    connections.add(client).add(server);
    client.on('data', framer((message) => count(message, 'tcp')));
    server.on('data', framer((reply) => isTruncated(reply) && counts.truncated++));
    client.pipe(server);
    server.pipe(client);
    const end = () => {
      client.destroy();
      server.destroy();
      connections.delete(client);
      connections.delete(server);
    };
    for (const socket of [client, server]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });

  // One port for UDP and TCP, as a nameserver has: bind UDP anywhere, then TCP on the same port.
  let listenPort;
  for (let attempt = 1; ; attempt++) {
    front = dgram.createSocket('udp4');
    front.on('message', onDatagram);
    await new Promise((resolve, reject) => {
      front.once('error', reject);
      front.bind(0, '127.0.0.1', resolve);
    });
    front.on('error', () => undefined);
    listenPort = front.address().port;
    const listening = await new Promise((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(listenPort, '127.0.0.1', () => resolve(true));
    });
    if (listening) break;
    await new Promise((resolve) => front.close(resolve));
    if (attempt === 5) throw new Error('counting proxy: no port free for both UDP and TCP');
  }
  return {
    nameserver: `127.0.0.1:${listenPort}`,
    stats: () => ({ ...counts, byType: { ...counts.byType } }),
    async close() {
      for (const socket of connections) socket.destroy();
      for (const socket of upstreams.values()) socket.close();
      await new Promise((resolve) => tcp.close(resolve));
      await new Promise((resolve) => front.close(resolve));
    },
  };
}
