// One simulated MySQL pod. It reads its "data dir" (the PersistentVolume), asks the SDK how to
// take part in the cluster (initialize, or clone and replicate), records the outcome in its data
// dir, then opens its port — the way mysqld would only start once the init step is done. The
// port answers the bootstrap probe with { clusterId, role, replicateFrom, members } and stands in for MySQL's
// port in the readiness probe. No MySQL runs: cloning and replication are printed, not performed.
//
// Environment: POD_NAME, POD_NAMESPACE, POD_IP, MYSQL_PORT, DATA_DIR, and optionally
// HEADLESS_DISCOVERY_NAMESERVERS and CLUSTER_DOMAIN (in Kubernetes both come from resolv.conf).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createDiscovery } from 'headless-discovery';
import { askPod } from './probe-protocol.mjs';

const { POD_NAME: podName, POD_IP: podIp, DATA_DIR: dataDir } = process.env;
const port = Number(process.env.MYSQL_PORT ?? 3306);
const stateFile = join(dataDir ?? '/var/lib/mysql', 'cluster.json');
const say = (text) => console.log(text);
const send = (message) => process.send?.({ pod: podName, ...message });

const state = await readState();
const local = state ? { clusterId: state.clusterId } : null;
say(state ? `starting with data of cluster ${state.clusterId} (was ${state.role})` : 'starting with an empty data dir');

const discovery = createDiscovery({
  service: 'mysql',
  port: 'mysql',
  clusterDomain: process.env.CLUSTER_DOMAIN,
  intervalMs: 250,
  dnsTimeoutMs: 1000,
  readiness: { tcp: true, periodMs: 250, timeoutMs: 1000, failureThreshold: 2 },
});
discovery.on('error', (error) => say(`discovery error ${error.code}: ${error.message}`));

let server = null;
let stopping = false;
process.on('SIGTERM', stop);
process.on('disconnect', stop);

async function probe(peer, signal) {
  const answer = await askPod(peer.addresses[0], peer.port, { signal, timeoutMs: 1500 });
  if (!answer.clusterId) return null;
  const primary = answer.role === 'primary' ? peer.name : (answer.replicateFrom ?? undefined);
  return { clusterId: answer.clusterId, members: answer.members, ...(primary ? { primary } : {}) };
}

let decision;
try {
  let waiting = '';
  const onWait = (pending) => {
    if (pending.reason !== waiting) say(`waiting: ${(waiting = pending.reason)}`);
  };
  decision = await discovery.bootstrap({ probe, probeTimeoutMs: 2000, local, stableForMs: 750, timeoutMs: 90_000, onWait });
} catch (error) {
  if (stopping) process.exit(0);
  say(`bootstrap failed: ${error.code ?? 'error'}: ${error.message}`);
  await discovery.close();
  process.exit(1);
}

const next = apply(decision);
say(next.story);
say(`  why: ${decision.reason}`);
await writeState(next.state);
if (stopping) process.exit(0);

const sockets = new Set();
server = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  socket.on('data', (chunk) => {
    if (!chunk.startsWith('PROBE')) return socket.destroy();
    socket.end(`${JSON.stringify({ ...next.state, members: members() })}\n`);
  });
});
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, podIp, resolve);
});
say(`serving as ${next.state.role} on ${podIp}:${port}`);
send({ type: 'serving', action: decision.action, ...next.state });

const report = () => send({ type: 'membership', ready: discovery.membership.ready.map((peer) => peer.name) });
discovery.on('join', (peer) => peer.self || say(`sees ${peer.name} join (${peer.addresses.join(', ')})`));
discovery.on('leave', (peer) => peer.self || say(`sees ${peer.name} leave`));
discovery.on('update', (peer, previous) => {
  if (peer.addresses.join() !== previous.addresses.join()) say(`sees ${peer.name} move ${previous.addresses.join(', ')} → ${peer.addresses.join(', ')}`);
});
discovery.on('change', report);
report();

async function stop() {
  if (stopping) return;
  stopping = true;
  await discovery.close();
  if (server) {
    await new Promise((resolve) => {
      server.close(resolve);
      for (const socket of sockets) socket.destroy();
    });
  }
  if (process.connected) process.disconnect();
}

function apply(chosen) {
  const name = (peer) => peer?.name ?? 'nobody';
  if (chosen.action === 'initialize') {
    const clusterId = `c-${randomBytes(4).toString('hex')}`;
    return {
      story: `initialize as primary (cluster ${clusterId})`,
      state: { clusterId, role: 'primary', replicateFrom: null },
    };
  }
  const { clusterId } = chosen;
  if (!clusterId) throw new Error(`joining ${name(chosen.target)}, which reported no cluster id`);
  if (local && !chosen.replicateFrom) {
    return {
      story: `resume as primary of cluster ${clusterId} with its own data${chosen.target ? ` (${name(chosen.target)} reports the same cluster)` : ''}`,
      state: { clusterId, role: 'primary', replicateFrom: null },
    };
  }
  if (local) {
    return {
      story: `rejoin cluster ${clusterId} with its own data, replicate from ${name(chosen.replicateFrom)}`,
      state: { clusterId, role: 'replica', replicateFrom: name(chosen.replicateFrom) },
    };
  }
  if (!chosen.replicateFrom) {
    return {
      story: `clone from ${name(chosen.cloneFrom)} and rejoin cluster ${clusterId}; no primary to replicate from until a replica is promoted`,
      state: { clusterId, role: 'replica', replicateFrom: null },
    };
  }
  return {
    story: `clone from ${name(chosen.cloneFrom)}, replicate from ${name(chosen.replicateFrom)} (cluster ${clusterId})`,
    state: { clusterId, role: 'replica', replicateFrom: name(chosen.replicateFrom) },
  };
}

function members() {
  const ready = discovery.membership.ready.map((peer) => peer.name);
  return ready.includes(podName) ? ready : [podName, ...ready];
}

async function readState() {
  try {
    return JSON.parse(await readFile(stateFile, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
}

async function writeState(value) {
  await mkdir(dataDir, { recursive: true });
  await writeFile(`${stateFile}.tmp`, `${JSON.stringify(value)}\n`);
  await rename(`${stateFile}.tmp`, stateFile);
}
