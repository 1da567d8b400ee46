/**
 * The BIND harness's own loopback plumbing: a port free for named to take, and a hand-encoded SOA
 * query over UDP that tells when named serves a given serial. No DNS library, so that readiness is
 * checked by nothing the tests themselves examine.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** A port free for both UDP and TCP on `host` right now (named binds it a moment later). */
export async function freePort(host) {
  for (;;) {
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const port = await new Promise((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, host, () => resolve(udp.address().port));
    });
    const tcp = createServer();
    const tcpFree = await new Promise((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, host, () => resolve(true));
    });
    await new Promise((resolve) => (tcpFree ? tcp.close(resolve) : resolve()));
    await new Promise((resolve) => udp.close(resolve));
    if (tcpFree) return port;
  }
}

/** A hand-encoded `zone IN SOA` query (RD=0, no EDNS): the harness's own readiness check. */
function soaQuery(id, zone) {
  const labels = zone.split('.').filter(Boolean).map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  const header = Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 6, 0, 1])]);
}

function skipName(message, offset) {
  for (;;) {
    const length = message[offset];
    if (length === undefined) throw new RangeError('name runs past the message');
    if ((length & 0xc0) === 0xc0) return offset + 2;
    if (length === 0) return offset + 1;
    offset += 1 + length;
  }
}

/** The serial of the first SOA in the answer of `message`, or undefined (wrong id, error, no answer). */
function soaSerial(message, id) {
  if (message.length < 12 || message.readUInt16BE(0) !== id || (message[3] & 0x0f) !== 0) return undefined;
  let offset = skipName(message, 12) + 4;
  for (let answer = 0; answer < message.readUInt16BE(6); answer++) {
    offset = skipName(message, offset);
    const type = message.readUInt16BE(offset);
    const length = message.readUInt16BE(offset + 8);
    offset += 10;
    if (type === 6) return message.readUInt32BE(skipName(message, skipName(message, offset)));
    offset += length;
  }
  return undefined;
}

/** Ask `host:port` for the SOA serial of `zone` over UDP; undefined on timeout or any other answer. */
export function querySerial(host, port, zone, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const id = Math.floor(Math.random() * 0x10000);
    const done = (serial) => {
      clearTimeout(timer);
      socket.close();
      resolve(serial);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('message', (message) => {
      try {
        const serial = soaSerial(message, id);
        if (serial !== undefined) done(serial);
      } catch {
        // Malformed: keep waiting for the right answer until the timeout.
      }
    });
    socket.send(soaQuery(id, zone), port, host);
  });
}
