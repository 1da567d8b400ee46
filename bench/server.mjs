// The fake cluster DNS in a CHILD process, so that the client's CPU and heap measurements in the
// bench process are not polluted by the server. Controlled over IPC (process.send):
//   → { id, op: 'define', service, replicas }    ← { id, result: { host } }
//   → { id, op: 'scale', service, replicas }     ← { id, result: { pods } }
//   → { id, op: 'restart', service, pod }        ← { id, result: {} }
//   → { id, op: 'stats' }                        ← { id, result: { udp, tcp, truncated, byType } }
//   → { id, op: 'record', on }                   (on: true starts recording query times; false returns them)
//   → { id, op: 'close' }
// On start it sends { ready: true, nameserver }.
//
//   node bench/server.mjs [--srv-glue all|none|<n>]   (the fake cluster's srvGlue option; default all, as CoreDNS)
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createFakeCluster } from 'headless-discovery/testing';

const { values } = parseArgs({ options: { 'srv-glue': { type: 'string', default: 'all' } } });
const glue = values['srv-glue'];
if (glue !== 'all' && glue !== 'none' && !/^\d+$/.test(glue)) throw new Error(`--srv-glue: all, none or a number, got ${glue}`);
const cluster = await createFakeCluster({ srvGlue: /^\d+$/.test(glue) ? Number(glue) : glue });
const services = new Map();
const counts = { udp: 0, tcp: 0, byType: {} };
let recording = null; // query arrival times (ms, this process's monotonic clock) while recording

cluster.onQuery((query) => {
  if (query.transport === 'udp') counts.udp++;
  else counts.tcp++;
  counts.byType[query.type] = (counts.byType[query.type] ?? 0) + 1;
  if (recording) recording.push(performance.now());
});

const ops = {
  define({ service, replicas }) {
    const svc = cluster.defineService({ name: service, ports: [{ name: 'peer', port: 7000 }], replicas });
    services.set(service, svc);
    return { host: svc.host };
  },
  scale({ service, replicas }) {
    services.get(service).scale(replicas);
    return { pods: services.get(service).pods.length };
  },
  restart({ service, pod }) {
    services.get(service).restart(pod);
    return {};
  },
  stats() {
    return { ...counts, byType: { ...counts.byType }, truncated: cluster.stats.truncated };
  },
  record({ on }) {
    if (on) {
      recording = [];
      return { since: performance.now() };
    }
    const times = recording ?? [];
    recording = null;
    return { times };
  },
  async close() {
    await cluster.close();
    setImmediate(() => process.exit(0));
    return {};
  },
};

process.on('message', async (message) => {
  try {
    const result = await ops[message.op](message);
    process.send({ id: message.id, result });
  } catch (error) {
    process.send({ id: message.id, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true, nameserver: cluster.nameserver });
