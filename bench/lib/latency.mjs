// Detection latency: svc.scale() in the server process → join / leave event here, on the
// CoreDNS-shape fake cluster.
import { createDiscovery } from 'headless-discovery';
import { discoveryOptions, log } from './common.mjs';
import { sleep, summarize } from './stats.mjs';

export async function benchLatency(cluster, { short }) {
  const intervalMs = 200;
  const jitter = 0.1;
  const leaveAfterPolls = 2;
  const cycles = short ? 6 : 80;
  await cluster.define('lat', 3);
  const discovery = createDiscovery(discoveryOptions(cluster.nameserver, 'lat', { intervalMs, jitter, leaveAfterPolls }));
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
