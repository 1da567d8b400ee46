// A peer mesh on a fake cluster: every pod keeps one TCP connection to every ready peer,
// connecting on `join` and disconnecting on `leave`. Three pods (mesh-0..2) run in this one
// process, each with its own discovery and a tiny TCP server on its 127.244.x.y address. The
// StatefulSet scales 3 → 4 → 2; after each step every pod's connection set is printed. It ends
// by itself.
import { EventEmitter } from 'node:events';
import { connect, createServer } from 'node:net';
import { createDiscovery } from 'headless-discovery';
import { createFakeCluster } from 'headless-discovery/testing';

const STEP_TIMEOUT_MS = 60_000;
const started = Date.now();
const clock = () => `[${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s]`;
const say = (text) => console.log(`${clock()} ${text}`);
const step = (text) => console.log(`\n${clock()} ── ${text}`);

const cluster = await createFakeCluster({ podNetwork: 'loopback' });
const port = await freePort('127.244.0.1');
const mesh = cluster.defineService({ name: 'mesh', ports: [{ name: 'mesh', port }], publishNotReadyAddresses: true });
const pods = new Map();
const changes = new EventEmitter();

try {
  say(`fake cluster DNS on ${cluster.nameserver}; headless Service "mesh", named port "mesh" → ${port}`);

  step('scale to 3');
  mesh.scale(3);
  await Promise.all(['mesh-0', 'mesh-1', 'mesh-2'].map(startPod));
  await fullMesh();

  step('scale to 4');
  mesh.scale(4);
  await startPod('mesh-3');
  await fullMesh();

  step('scale to 2');
  mesh.scale(2);
  await Promise.all(['mesh-2', 'mesh-3'].map(stopPod));
  await fullMesh();

  step('done');
} catch (error) {
  console.error(`${clock()} ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await Promise.all([...pods.keys()].map(stopPod));
  await cluster.close();
}

async function startPod(name) {
  const address = mesh.pods.find((pod) => pod.name === name).addresses[0];
  const inbound = new Set();
  const server = createServer((socket) => {
    inbound.add(socket);
    socket.on('close', () => inbound.delete(socket));
    socket.on('error', () => undefined);
    socket.resume();
    socket.write(`HELLO ${name}\n`);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, resolve);
  });
  const discovery = createDiscovery({
    service: 'mesh',
    namespace: 'default',
    clusterDomain: cluster.clusterDomain,
    port: 'mesh',
    podName: name,
    nameservers: [cluster.nameserver],
    intervalMs: 250,
    readiness: { tcp: true, periodMs: 250, failureThreshold: 2 },
  });
  const pod = { name, server, inbound, discovery, links: new Map() };
  discovery.on('join', (peer) => peer.self || link(pod, peer));
  discovery.on('leave', (peer) => peer.self || unlink(pod, peer.name, 'leave'));
  discovery.on('update', (peer, previous) => {
    if (peer.self || peer.addresses.join() === previous.addresses.join()) return;
    unlink(pod, peer.name, 'moved');
    link(pod, peer);
  });
  discovery.on('error', (error) => say(`${name}: discovery error ${error.code}: ${error.message}`));
  pods.set(name, pod);
  say(`${name}: listening on ${address}:${port}`);
  await discovery.start();
}

async function stopPod(name) {
  const pod = pods.get(name);
  if (!pod) return;
  pods.delete(name);
  await pod.discovery.close();
  for (const peer of [...pod.links.keys()]) unlink(pod, peer, 'shutdown');
  await new Promise((resolve) => {
    pod.server.close(resolve);
    const drain = setTimeout(() => {
      for (const socket of pod.inbound) socket.destroy();
    }, STEP_TIMEOUT_MS);
    drain.unref();
  });
  say(`${name}: stopped (every inbound connection closed)`);
}

function link(pod, peer) {
  const socket = connect({ host: peer.addresses[0], port: peer.port });
  const entry = { socket, connected: false };
  pod.links.set(peer.name, entry);
  socket.on('connect', () => socket.write(`HELLO ${pod.name}\n`));
  socket.once('data', () => {
    entry.connected = true;
    say(`${pod.name}: join ${peer.name} → connected to ${peer.addresses[0]}`);
    changes.emit('change');
  });
  socket.on('error', (error) => say(`${pod.name}: connection to ${peer.name} failed: ${error.code ?? error.message}`));
  socket.on('close', () => {
    if (pod.links.get(peer.name) === entry) pod.links.delete(peer.name);
    changes.emit('change');
  });
}

function unlink(pod, peerName, why) {
  const entry = pod.links.get(peerName);
  if (!entry) return;
  pod.links.delete(peerName);
  entry.socket.destroy();
  if (why === 'leave') say(`${pod.name}: leave ${peerName} → disconnected`);
  changes.emit('change');
}

function connectionSet(pod) {
  return [...pod.links].filter(([, entry]) => entry.connected).map(([peer]) => peer).sort();
}

async function fullMesh() {
  const names = [...pods.keys()].sort();
  const expected = (name) => names.filter((other) => other !== name).join(',');
  await until(`every pod is connected to ${names.join(', ')} but itself`, () =>
    [...pods.values()].every((pod) => connectionSet(pod).join(',') === expected(pod.name)),
  );
  for (const name of names) say(`${name} → {${connectionSet(pods.get(name)).join(', ')}}`);
}

function until(description, predicate) {
  return new Promise((resolve, reject) => {
    const check = () => predicate() && finish(resolve);
    const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting until ${description}`))), STEP_TIMEOUT_MS);
    const finish = (settle) => {
      clearTimeout(timer);
      changes.off('change', check);
      settle();
    };
    changes.on('change', check);
    check();
  });
}

function freePort(host) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port: chosen } = probe.address();
      probe.close(() => resolve(chosen));
    });
  });
}
