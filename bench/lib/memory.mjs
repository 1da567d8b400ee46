// Steady-state memory across many polls with churn, and sockets and timers after close(), on the
// CoreDNS-shape fake cluster.
import diagnostics from 'node:diagnostics_channel';
import { createDiscovery } from 'headless-discovery';
import { LOOKUP_CHANNEL, discoveryOptions, log } from './common.mjs';
import { sleep } from './stats.mjs';

function resourceCounts() {
  const counts = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

function resourceDelta(after, before) {
  const delta = {};
  for (const name of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const change = (after[name] ?? 0) - (before[name] ?? 0);
    if (change !== 0) delta[name] = change;
  }
  return delta;
}

async function heapUsed() {
  globalThis.gc();
  await sleep(10);
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

export async function benchMemory(cluster, { short }) {
  const instances = short ? 20 : 100;
  const targetPolls = short ? 2_000 : 100_000;
  const pods = 10;
  await cluster.define('mem', pods);
  let polls = 0;
  const onLookup = (message) => {
    if (message.type === 'SRV') polls++;
  };
  diagnostics.subscribe(LOOKUP_CHANNEL, onLookup);
  await sleep(50);
  const before = resourceCounts();

  const discoveries = Array.from({ length: instances }, () =>
    createDiscovery(discoveryOptions(cluster.nameserver, 'mem', { intervalMs: 100, jitter: 0.1 })),
  );
  let events = 0;
  for (const discovery of discoveries) {
    discovery.on('change', () => events++);
    discovery.on('error', () => undefined);
  }
  await Promise.all(discoveries.map((discovery) => discovery.start()));

  // Churn: scale 10 ↔ 12 and restart a pod (new address), alternately.
  let step = 0;
  let churning = Promise.resolve();
  const churn = setInterval(() => {
    step++;
    churning = step % 2 === 0 ? cluster.scale('mem', step % 4 === 0 ? pods : pods + 2) : cluster.restart('mem', `mem-${step % pods}`);
  }, 250);

  const warmupPolls = Math.round(targetPolls * 0.1);
  const started = performance.now();
  while (polls < warmupPolls) await sleep(100);
  const heap = [{ polls, bytes: await heapUsed() }];
  const checkpoints = 10;
  for (let i = 1; i <= checkpoints; i++) {
    const goal = warmupPolls + ((targetPolls - warmupPolls) * i) / checkpoints;
    while (polls < goal) await sleep(100);
    heap.push({ polls, bytes: await heapUsed() });
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(churn);
  await churning;
  await Promise.all(discoveries.map((discovery) => discovery.close()));
  diagnostics.unsubscribe(LOOKUP_CHANNEL, onLookup);
  await sleep(100);
  const after = resourceCounts();
  const leftover = resourceDelta(after, before);
  const bytes = heap.map((point) => point.bytes);
  const result = {
    instances,
    pods,
    polls,
    seconds,
    events,
    heap,
    growthBytes: heap[heap.length - 1].bytes - heap[0].bytes,
    spreadBytes: Math.max(...bytes) - Math.min(...bytes),
    leftover,
    leftoverTotal: Object.values(leftover).reduce((sum, count) => sum + Math.max(0, count), 0),
  };
  log(`memory: ${polls} polls in ${seconds.toFixed(0)} s, heap growth ${(result.growthBytes / 1024).toFixed(0)} KiB, left after close: ${JSON.stringify(leftover)}`);
  return result;
}
