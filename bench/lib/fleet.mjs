// A fleet of discoveries in one process polling one server (the CoreDNS-shape fake cluster):
// is the load spread out?
import { createDiscovery } from 'headless-discovery';
import { discoveryOptions, log } from './common.mjs';
import { sleep } from './stats.mjs';

function bucketize(times, since, durationMs, bucketMs) {
  const buckets = new Array(Math.floor(durationMs / bucketMs)).fill(0);
  for (const time of times) {
    const index = Math.floor((time - since) / bucketMs);
    if (index >= 0 && index < buckets.length) buckets[index]++;
  }
  return buckets;
}

/** Totals of the buckets, and where the fullest one starts (`peakMs`, from the start of the window). */
function bucketStats(buckets, bucketMs) {
  const total = buckets.reduce((sum, count) => sum + count, 0);
  const mean = total / buckets.length;
  const max = Math.max(...buckets);
  return { buckets: buckets.length, total, mean, max, ratio: max / mean, peakMs: buckets.indexOf(max) * bucketMs };
}

export async function benchFleet(cluster, { short }) {
  const instances = 500;
  const intervalMs = 1000;
  const jitter = 0.1;
  const runMs = short ? 4_000 : 10_000;
  const bucketMs = 100;
  await cluster.define('fleet', 3);
  const scenarios = [];
  for (const mode of ['together', 'staggered']) {
    const discoveries = Array.from({ length: instances }, () =>
      createDiscovery(discoveryOptions(cluster.nameserver, 'fleet', { intervalMs, jitter })),
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
    const whole = bucketStats(bucketize(times, since, runMs, bucketMs), bucketMs);
    // After the first interval (+ jitter): what the load looks like once every instance polls on its own schedule.
    const settleMs = intervalMs * (1 + jitter) + 100;
    const steady = bucketStats(bucketize(times, since + settleMs, runMs - settleMs, bucketMs), bucketMs);
    scenarios.push({ mode, whole, steady, settleMs });
    log(`fleet ${mode}: ${whole.total} queries, max/mean ${whole.ratio.toFixed(2)} (after ${settleMs} ms: ${steady.ratio.toFixed(2)})`);
    await sleep(300);
  }
  return { instances, intervalMs, jitter, runMs, bucketMs, scenarios };
}
