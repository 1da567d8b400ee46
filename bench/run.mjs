// `npm run bench`: headless-discovery against the baseline a Node developer writes today
// (node:dns resolveSrv + resolve4 per target, bench/baseline.mjs), side by side on the same
// loopback fake cluster DNS, which runs in a child process (bench/server.mjs).
//
//   node --expose-gc bench/run.mjs [--short] [--out docs/benchmarks.md] [--json file]
//                                  [--only rtt,poll,latency,memory,fleet,import] [--sizes 3,30,300,1000]
//
// --short: few iterations (CI, < 2 minutes); the table is still written. Nothing asserts timings.
import diagnostics from 'node:diagnostics_channel';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDiscovery } from 'headless-discovery';
import { createBaseline } from './baseline.mjs';
import { startCluster, statsDelta } from './lib/cluster.mjs';
import { sleep, summarize } from './lib/stats.mjs';
import { renderReport } from './lib/report.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECTIONS = ['rtt', 'poll', 'latency', 'memory', 'fleet', 'import'];

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    out: { type: 'string', default: 'docs/benchmarks.md' },
    json: { type: 'string' },
    only: { type: 'string' },
    sizes: { type: 'string', default: '3,30,300,1000' },
    'from-json': { type: 'string' }, // re-render a report from an earlier --json, without measuring
  },
});
if (args['from-json']) {
  const { readFileSync } = await import('node:fs');
  const { renderReport: render } = await import('./lib/report.mjs');
  const earlier = JSON.parse(readFileSync(resolve(process.cwd(), args['from-json']), 'utf8'));
  const target = resolve(process.cwd(), args.out);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, render(earlier));
  process.exit(0);
}
const short = args.short;
const only = new Set(args.only ? args.only.split(',').map((name) => name.trim()) : SECTIONS);
for (const name of only) if (!SECTIONS.includes(name)) throw new Error(`--only: unknown section "${name}" (one of ${SECTIONS.join(', ')})`);
const sizes = args.sizes.split(',').map(Number);
if (sizes.some((size) => !Number.isInteger(size) || size < 1)) throw new Error(`--sizes: expected positive integers, got ${args.sizes}`);
const gc = globalThis.gc;
if ((only.has('memory') || only.has('poll')) && typeof gc !== 'function') {
  throw new Error('run with `node --expose-gc bench/run.mjs` (heap measurements need global.gc)');
}

const log = (...parts) => process.stderr.write(`[bench] ${parts.join(' ')}\n`);
const QUERY_CHANNEL = 'headless-discovery:dns:query';
const LOOKUP_CHANNEL = 'headless-discovery:dns:lookup';
const NO_POLLING = 3_600_000; // intervalMs for discoveries we poll by hand with refresh()
const FLOOR_MS = 100; // minIntervalMs of those discoveries
const FLOOR_WAIT_MS = FLOOR_MS + 10;

const serviceOf = (pods) => `p${pods}`;

function discoveryOptions(cluster, service, extra = {}) {
  return {
    service,
    namespace: 'default',
    clusterDomain: 'cluster.local',
    port: 'peer',
    podName: 'bench-client', // not a member: no self-presence checks
    nameservers: [cluster.nameserver],
    ...extra,
  };
}

function baselineFor(cluster, service) {
  return createBaseline({ nameserver: cluster.nameserver, srvName: `_peer._tcp.${service}.default.svc.cluster.local` });
}

/** Count the messages our client sends (diagnostics channel) while `fn` runs. */
async function countQueries(fn) {
  const seen = { total: 0, udp: 0, tcp: 0, truncated: 0, byType: {} };
  const listener = (message) => {
    seen.total++;
    seen[message.transport]++;
    if (message.truncated) seen.truncated++;
    seen.byType[message.type] = (seen.byType[message.type] ?? 0) + 1;
  };
  diagnostics.subscribe(QUERY_CHANNEL, listener);
  try {
    const result = await fn();
    return { seen, result };
  } finally {
    diagnostics.unsubscribe(QUERY_CHANNEL, listener);
  }
}

// ---------------------------------------------------------------------------------------------
// Round trips per poll (deterministic).

async function benchRoundTrips(cluster) {
  const rows = [];
  const variants = sizes.map((pods) => ({ pods, family: undefined }));
  if (sizes.includes(1000) && !short) variants.push({ pods: 1000, family: 4 });
  for (const { pods, family } of variants) {
    const service = serviceOf(pods);
    const discovery = createDiscovery(
      discoveryOptions(cluster, service, { intervalMs: NO_POLLING, minIntervalMs: FLOOR_MS, ...(family ? { family } : {}) }),
    );
    await discovery.start();
    await sleep(FLOOR_WAIT_MS);
    const before = await cluster.stats();
    const { seen, result: membership } = await countQueries(() => discovery.refresh());
    const ours = statsDelta(await cluster.stats(), before);
    await discovery.close();
    const row = { pods, family: family ?? 'both', ours: { diagnostics: seen, server: ours, peers: membership.peers.length } };
    if (!family) {
      const baseline = baselineFor(cluster, service);
      const start = await cluster.stats();
      try {
        const peers = await baseline.poll();
        row.baseline = { server: statsDelta(await cluster.stats(), start), peers: peers.length };
      } catch (error) {
        row.baseline = { server: statsDelta(await cluster.stats(), start), error: error.code ?? String(error) };
      }
      baseline.stop();
    }
    log(`rtt ${pods} pods${family ? ` family ${family}` : ''}: ours ${seen.total} (server ${ours.total}), baseline ${row.baseline?.server.total ?? '-'}${row.baseline?.error ? ` ${row.baseline.error}` : ''}`);
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Wall time and CPU per poll, steady state, samples of ours and the baseline interleaved.

function samplesFor(pods) {
  if (short) return 4;
  if (pods <= 30) return 60;
  if (pods <= 300) return 40;
  return 30;
}

async function measure(fn) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let error;
  try {
    await fn();
  } catch (caught) {
    error = caught;
  }
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, error };
}

async function benchPolls(cluster) {
  const rows = [];
  for (const pods of sizes) {
    const service = serviceOf(pods);
    const discovery = createDiscovery(discoveryOptions(cluster, service, { intervalMs: NO_POLLING, minIntervalMs: FLOOR_MS }));
    await discovery.start();
    const baseline = baselineFor(cluster, service);
    const ours = { wall: [], cpu: [] };
    const base = { wall: [], cpu: [], errors: new Map() };
    const ratios = { wall: [], cpu: [] }; // ours / baseline, pair by pair (same iteration)
    const warmup = short ? 1 : 3;
    const samples = samplesFor(pods);
    for (let i = 0; i < warmup + samples; i++) {
      // Alternate which goes first, so slow drifts of the machine's load hit both alike.
      const order = i % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours'];
      const pair = {};
      for (const which of order) {
        // No gc() here: a forced full GC before every sample ages and flushes the bytecode of
        // functions that run once per poll, and the next poll pays for recompiling them.
        // The floor counts from the previous poll's start; waiting it out here means refresh()
        // starts at once, and the timed span is the poll itself (DNS, decode, reconcile, events).
        await sleep(FLOOR_WAIT_MS);
        const sample = await measure(which === 'ours' ? () => discovery.refresh() : () => baseline.poll());
        if (i < warmup) continue;
        pair[which] = sample;
        if (which === 'ours') {
          ours.wall.push(sample.wallMs);
          ours.cpu.push(sample.cpuMs);
        } else if (sample.error) {
          const code = sample.error.code ?? String(sample.error);
          base.errors.set(code, (base.errors.get(code) ?? 0) + 1);
        } else {
          base.wall.push(sample.wallMs);
          base.cpu.push(sample.cpuMs);
        }
      }
      if (pair.ours && pair.baseline && !pair.baseline.error) {
        ratios.wall.push(pair.ours.wallMs / pair.baseline.wallMs);
        ratios.cpu.push(pair.ours.cpuMs / Math.max(pair.baseline.cpuMs, 0.001));
      }
    }
    const stale = discovery.membership.stale;
    await discovery.close();
    baseline.stop();
    const row = {
      pods,
      samples,
      stale,
      ours: { wall: summarize(ours.wall), cpu: summarize(ours.cpu) },
      baseline: { wall: summarize(base.wall), cpu: summarize(base.cpu), errors: Object.fromEntries(base.errors) },
      ratio: { wall: summarize(ratios.wall), cpu: summarize(ratios.cpu) },
    };
    log(`poll ${pods} pods: ours wall ${row.ours.wall.median.toFixed(2)} ms cpu ${row.ours.cpu.median.toFixed(2)} ms; baseline wall ${row.baseline.wall.median.toFixed?.(2)} ms cpu ${row.baseline.cpu.median.toFixed?.(2)} ms ${JSON.stringify(row.baseline.errors)}`);
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Detection latency: svc.scale() in the server process → join / leave event here.

async function benchLatency(cluster) {
  const intervalMs = 200;
  const jitter = 0.1;
  const leaveAfterPolls = 2;
  const cycles = short ? 6 : 80;
  await cluster.define('lat', 3);
  const discovery = createDiscovery(discoveryOptions(cluster, 'lat', { intervalMs, jitter, leaveAfterPolls }));
  const waiters = { join: [], leave: [] };
  discovery.on('join', (peer) => waiters.join.shift()?.(peer, performance.now()));
  discovery.on('leave', (peer) => waiters.leave.shift()?.(peer, performance.now()));
  await discovery.start();
  const joins = [];
  const leaves = [];
  const wait = (event) =>
    new Promise((resolveEvent, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} within 10 s`)), 10_000);
      waiters[event].push((peer, at) => {
        clearTimeout(timer);
        resolveEvent(at);
      });
    });
  for (let i = 0; i < cycles; i++) {
    // A random phase relative to the poll schedule, as a real change has.
    await sleep(Math.random() * intervalMs);
    let event = wait('join');
    let changedAt = performance.now(); // before the IPC round trip: errs on the slow side
    await cluster.scale('lat', 4);
    joins.push((await event) - changedAt);
    await sleep(Math.random() * intervalMs);
    event = wait('leave');
    changedAt = performance.now();
    await cluster.scale('lat', 3);
    leaves.push((await event) - changedAt);
  }
  await discovery.close();
  const result = {
    intervalMs,
    jitter,
    leaveAfterPolls,
    cycles,
    join: summarize(joins),
    leave: summarize(leaves),
    joinTargetMs: intervalMs * (1 + jitter) + 100,
    leaveTargetMs: leaveAfterPolls * intervalMs * (1 + jitter) + 100,
  };
  log(`latency: join p50 ${result.join.median.toFixed(0)} p99 ${result.join.p99.toFixed(0)} ms; leave p50 ${result.leave.median.toFixed(0)} p99 ${result.leave.p99.toFixed(0)} ms`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Steady-state memory across many polls with churn; sockets and timers after close().

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
  gc();
  await sleep(10);
  gc();
  return process.memoryUsage().heapUsed;
}

async function benchMemory(cluster) {
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
    createDiscovery(discoveryOptions(cluster, 'mem', { intervalMs: 100, jitter: 0.1 })),
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

// ---------------------------------------------------------------------------------------------
// A fleet of discoveries in one process polling one server: is the load spread out?

function bucketize(times, since, durationMs, bucketMs) {
  const buckets = new Array(Math.floor(durationMs / bucketMs)).fill(0);
  for (const time of times) {
    const index = Math.floor((time - since) / bucketMs);
    if (index >= 0 && index < buckets.length) buckets[index]++;
  }
  return buckets;
}

function bucketStats(buckets) {
  const total = buckets.reduce((sum, count) => sum + count, 0);
  const mean = total / buckets.length;
  const max = Math.max(...buckets);
  return { buckets: buckets.length, total, mean, max, ratio: max / mean };
}

async function benchFleet(cluster) {
  const instances = 500;
  const intervalMs = 1000;
  const jitter = 0.1;
  const runMs = short ? 4_000 : 10_000;
  const bucketMs = 100;
  await cluster.define('fleet', 3);
  const scenarios = [];
  for (const mode of ['together', 'staggered']) {
    const discoveries = Array.from({ length: instances }, () =>
      createDiscovery(discoveryOptions(cluster, 'fleet', { intervalMs, jitter })),
    );
    for (const discovery of discoveries) discovery.on('error', () => undefined);
    const { since } = await cluster.record(true);
    const timers = [];
    if (mode === 'together') {
      for (const discovery of discoveries) discovery.start().catch(() => undefined);
    } else {
      // Processes that did not start at the same moment: start times uniform over one interval.
      for (const discovery of discoveries) timers.push(setTimeout(() => discovery.start().catch(() => undefined), Math.random() * intervalMs));
    }
    await sleep(runMs);
    const { times } = await cluster.record(false);
    for (const timer of timers) clearTimeout(timer);
    await Promise.all(discoveries.map((discovery) => discovery.close()));
    const whole = bucketStats(bucketize(times, since, runMs, bucketMs));
    // After the first interval (+ jitter): what the load looks like once every instance polls on its own schedule.
    const settleMs = intervalMs * (1 + jitter) + 100;
    const steady = bucketStats(bucketize(times, since + settleMs, runMs - settleMs, bucketMs));
    scenarios.push({ mode, whole, steady, settleMs });
    log(`fleet ${mode}: ${whole.total} queries, max/mean ${whole.ratio.toFixed(2)} (after ${settleMs} ms: ${steady.ratio.toFixed(2)})`);
    await sleep(300);
  }
  return { instances, intervalMs, jitter, runMs, bucketMs, scenarios };
}

// ---------------------------------------------------------------------------------------------
// Cost of importing the package (fresh process each time) and the size of the packed tarball.

async function loadTinybench() {
  try {
    return (await import('tinybench')).Bench;
  } catch {
    return null;
  }
}

async function benchImport() {
  const runs = short ? 5 : 20;
  const scripts = {
    'node (empty)': ['--input-type=module', '-e', 'process.stdout.write(String(0))'],
    'import (ESM)': [
      '--input-type=module',
      '-e',
      "const t = performance.now(); await import('headless-discovery'); process.stdout.write(String(performance.now() - t));",
    ],
    'require (CJS)': ['-e', "const t = performance.now(); require('headless-discovery'); process.stdout.write(String(performance.now() - t));"],
  };
  const inside = Object.fromEntries(Object.keys(scripts).map((name) => [name, []]));
  const spawnOnce = (name) => {
    const child = spawnSync(process.execPath, scripts[name], { cwd: ROOT, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`${name}: ${child.stderr}`);
    inside[name].push(Number(child.stdout));
  };
  const Bench = await loadTinybench();
  const rows = [];
  if (Bench) {
    // tinybench drives the iterations (and warm-up) and times each whole child process.
    const bench = new Bench({ iterations: runs, time: 0, warmupIterations: 1, warmupTime: 0, retainSamples: true });
    for (const name of Object.keys(scripts)) bench.add(name, () => spawnOnce(name));
    await bench.run();
    for (const task of bench.tasks) {
      const samples = task.result.latency?.samples ?? task.result.samples ?? [];
      rows.push({ name: task.name, process: summarize(samples), inside: summarize(inside[task.name].slice(-samples.length)) });
    }
  } else {
    for (const name of Object.keys(scripts)) {
      const samples = [];
      spawnOnce(name);
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        spawnOnce(name);
        samples.push(performance.now() - start);
      }
      rows.push({ name, process: summarize(samples), inside: summarize(inside[name].slice(-runs)) });
    }
  }
  let pack = null;
  const npm = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (npm.status === 0) {
    const [info] = JSON.parse(npm.stdout);
    pack = { size: info.size, unpackedSize: info.unpackedSize, entryCount: info.entryCount, filename: info.filename };
  }
  log(`import: ${rows.map((row) => `${row.name} ${row.process.median.toFixed(0)} ms`).join(', ')}; pack ${pack?.size} B`);
  return { runs, harness: Bench ? 'tinybench' : 'performance.now', rows, pack };
}

// ---------------------------------------------------------------------------------------------

const results = {
  mode: short ? 'short' : 'full',
  sections: [...only],
  sizes,
  machine: {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown',
    memoryGiB: os.totalmem() / 2 ** 30,
    loadBefore: os.loadavg(),
  },
  date: new Date().toISOString(),
};
const startedAt = performance.now();
const cluster = await startCluster();
try {
  for (const pods of sizes) await cluster.define(serviceOf(pods), pods);
  if (only.has('rtt')) results.rtt = await benchRoundTrips(cluster);
  if (only.has('poll')) results.poll = await benchPolls(cluster);
  if (only.has('latency')) results.latency = await benchLatency(cluster);
  if (only.has('memory')) results.memory = await benchMemory(cluster);
  if (only.has('fleet')) results.fleet = await benchFleet(cluster);
} finally {
  await cluster.close();
}
if (only.has('import')) results.import = await benchImport();
results.machine.loadAfter = os.loadavg();
results.seconds = (performance.now() - startedAt) / 1000;

const out = resolve(process.cwd(), args.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, renderReport(results));
if (args.json) {
  const jsonPath = resolve(process.cwd(), args.json);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
}
log(`wrote ${out} (${results.seconds.toFixed(0)} s)`);
