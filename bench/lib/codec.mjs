// What decoding costs on its own: fetch the answers a steady poll receives (over TCP, as the
// client asks them at these sizes) and time dns2's `Packet.parse` on them, the codec the library
// bundles. A lower bound of the library's decoding (it also pre-scans each message for hostile
// compression and converts the records), measured apart from any socket or event.
import net from 'node:net';
import DNS from 'dns2';

const { Packet } = DNS;
const TYPES = { A: Packet.TYPE.A, SRV: Packet.TYPE.SRV };

/** One question over TCP to `nameserver` (`host:port`); the raw answer. */
function askTcp(nameserver, name, type) {
  const [host, port] = nameserver.split(':');
  const query = new Packet();
  query.header.id = 4242;
  query.header.rd = 1;
  query.questions.push({ name, type: TYPES[type], class: Packet.CLASS.IN });
  const body = query.toBuffer();
  const framed = Buffer.alloc(2 + body.length);
  framed.writeUInt16BE(body.length, 0);
  body.copy(framed, 2);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host, () => socket.write(framed));
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(new Error(`no TCP answer for ${name} ${type}`)), 5000);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * `{ SRV: { bytes, records, parseMs, repeats }, A: { … } }` for the Service `service`: the median of
 * `runs` parses each, and whether the same question asked again got the same bytes (the library
 * reuses the decoding of an answer identical to the last one; a server that rotates the order of
 * an RRset never gives it the chance).
 */
export async function measureDecode(nameserver, service, runs = 30) {
  const names = { SRV: `_peer._tcp.${service}.default.svc.cluster.local`, A: `${service}.default.svc.cluster.local` };
  const out = {};
  for (const [type, name] of Object.entries(names)) {
    const message = await askTcp(nameserver, name, type);
    const again = await askTcp(nameserver, name, type);
    const times = [];
    let parsed;
    for (let i = 0; i < runs + 3; i++) {
      const start = performance.now();
      parsed = Packet.parse(message);
      if (i >= 3) times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    out[type] = {
      bytes: message.length,
      records: parsed.answers.length + parsed.additionals.length,
      parseMs: times[Math.floor(times.length / 2)],
      repeats: message.equals(again),
    };
  }
  return out;
}
