/**
 * The soak scenario, shared by `scripts/soak.mjs` (minutes to hours, against the built package)
 * and `test/resilience/soak.test.ts` (~20 s, against the sources). Plain JavaScript so that Node
 * runs it as is; the library is passed in, so either build can be soaked.
 *
 * A fake cluster DNS serves three headless Services while chaos keeps scaling them, restarting,
 * deleting and un-readying pods and injecting DNS outages (drop, SERVFAIL, REFUSED). Several
 * discoveries with different options watch them. After the chaos stops and a quiet settle period:
 *
 * - every discovery's membership (names, addresses, readiness) equals the truth of the cluster;
 * - its events add up: joins − leaves = its member count;
 * - no leave that DNS could have caused was emitted while the DNS was out (a leave is checked
 *   synchronously against the outage flag when it is emitted, unless its poll started before
 *   the outage: that poll may have had its answers in time);
 * - no `error` other than DNS lookup failures, no unhandled rejection;
 * - the heap, after a full GC, has not grown between the start and the end.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const HERMETIC = Object.freeze({ env: {}, readFile: () => undefined, hostname: () => 'soak-observer' });
const OUTAGE_MODES = ['drop', 'servfail', 'refused'];

/** A small seeded PRNG (mulberry32), so that a failing soak can be replayed with its seed. */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `global.gc`, or one obtained at run time when Node was started without --expose-gc. */
export function obtainGc() {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc');
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function heapAfterGc(gc) {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
  gc();
  return process.memoryUsage().heapUsed;
}

const sortedNames = (peers) => peers.map((peer) => peer.name).sort();
const describeMap = (map) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => `${name}=${value}`).join(' ');

/**
 * Run the soak.
 *
 * @param {object} settings
 * @param {Function} settings.createDiscovery
 * @param {Function} settings.createFakeCluster
 * @param {number} settings.durationMs - How long the chaos lasts.
 * @param {number} [settings.settleMs] - Longest wait for the discoveries to reach the truth afterwards.
 * @param {number} [settings.seed]
 * @param {number} [settings.maxHeapGrowthBytes]
 * @param {(line: string) => void} [settings.log]
 */
export async function runSoak(settings) {
  const {
    createDiscovery,
    createFakeCluster,
    durationMs,
    settleMs = 20_000,
    seed = Date.now() % 2_147_483_647,
    maxHeapGrowthBytes = 16 * 1024 * 1024,
    log = () => undefined,
  } = settings;
  const random = prng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const between = (min, max) => min + Math.floor(random() * (max - min + 1));
  const violations = [];
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const gc = obtainGc();

  const cluster = await createFakeCluster();
  const services = {
    mysql: cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 }),
    web: cluster.defineService({ name: 'web', ports: [{ port: 8080 }], replicas: 3 }),
    kafka: cluster.defineService({ name: 'kafka', ports: [{ name: 'kafka', port: 9092 }], replicas: 3, publishNotReadyAddresses: true }),
  };
  let outage = null;
  /** When the outage in progress began (ms since the epoch, as `discovery.polling` tells time). */
  let outageSince = Infinity;
  const outageWindows = [];

  const kafkaReady = async (peer) => services.kafka.pods.some((pod) => pod.name === peer.name && pod.ready);
  const common = {
    namespace: 'default',
    clusterDomain: cluster.clusterDomain,
    podName: 'soak-observer',
    nameservers: [cluster.nameserver],
    intervalMs: 150,
    fastIntervalMs: 100,
    minIntervalMs: 100,
    maxIntervalMs: 600,
    dnsTimeoutMs: 100,
    dnsAttempts: 1,
    retries: 1,
    jitter: 0.2,
    environment: HERMETIC,
  };
  /** Each discovery, its options, and the truth it must reach: who is a member, who is a peer. */
  const specs = [
    {
      name: 'srv',
      options: { ...common, service: 'mysql', port: 'mysql' },
      service: services.mysql,
      readinessDriven: false,
      peers: (pods) => pods.filter((pod) => pod.ready),
      members: (pods) => pods.filter((pod) => pod.ready),
    },
    {
      name: 'srv-slow-leave',
      options: { ...common, service: 'mysql', port: 'mysql', leaveAfterPolls: 3, leaveAfterMs: 400, maxRemovalFraction: 0.3 },
      service: services.mysql,
      readinessDriven: false,
      peers: (pods) => pods.filter((pod) => pod.ready),
      members: (pods) => pods.filter((pod) => pod.ready),
    },
    {
      name: 'address',
      options: { ...common, service: 'web', port: 8080, sources: ['address'] },
      service: services.web,
      readinessDriven: false,
      peers: (pods) => pods.filter((pod) => pod.ready),
      members: (pods) => pods.filter((pod) => pod.ready),
    },
    {
      name: 'readiness-check',
      options: {
        ...common,
        service: 'kafka',
        port: 'kafka',
        readiness: { check: kafkaReady, periodMs: 100, timeoutMs: 100, successThreshold: 1, failureThreshold: 1 },
      },
      service: services.kafka,
      readinessDriven: true,
      peers: (pods) => pods,
      members: (pods) => pods.filter((pod) => pod.ready),
    },
    {
      name: 'include-not-ready',
      options: {
        ...common,
        service: 'kafka',
        port: 'kafka',
        includeNotReady: true,
        readiness: { check: kafkaReady, periodMs: 100, timeoutMs: 100, successThreshold: 1, failureThreshold: 2 },
      },
      service: services.kafka,
      readinessDriven: true,
      peers: (pods) => pods,
      members: (pods) => pods,
    },
  ];

  const watched = specs.map((spec) => {
    const discovery = createDiscovery(spec.options);
    const counts = { join: 0, leave: 0, update: 0, errors: 0, leavesInOutage: 0 };
    const entry = { spec, discovery, counts, errorCodes: new Map() };
    discovery.on('join', () => counts.join++);
    discovery.on('update', () => counts.update++);
    discovery.on('leave', (peer) => {
      counts.leave++;
      if (outage === null) return;
      // A leave while DNS is out: only a readiness verdict may cause one, and then the peer is
      // still in the (already updated) membership, and not ready. It may be missing from DNS
      // since before the outage (held by the leave hysteresis) when its probe fails. A leave
      // caused by DNS takes the peer out of the membership. The event's argument is the member as
      // it was, so the membership is what tells the two apart.
      const now = discovery.membership.peers.find((candidate) => candidate.name === peer.name);
      const byReadiness = spec.readinessDriven && now !== undefined && !now.ready;
      // A poll that started before the outage may have had its proof (an answer without the
      // peer) before the outage too, and end during it (e.g. its PTR lookups refused): only a poll
      // that started during the outage had nothing but failing DNS to go by.
      const startedBefore = (discovery.polling.lastStartedAt ?? Infinity) < outageSince;
      if (!byReadiness && !startedBefore) {
        counts.leavesInOutage++;
        violations.push(
          `${spec.name}: leave of ${peer.name} during a DNS outage (${outage}); now ${now ? `sources [${now.sources.join(', ')}], ready ${now.ready}` : 'gone from the membership'}`,
        );
      }
    });
    discovery.on('error', (error) => {
      counts.errors++;
      entry.errorCodes.set(error.code, (entry.errorCodes.get(error.code) ?? 0) + 1);
      if (!String(error.code).startsWith('ERR_DNS_')) violations.push(`${spec.name}: unexpected error ${error.code}: ${error.message}`);
    });
    return entry;
  });

  /** What is wrong with a discovery's view now, against the truth (empty when it matches). */
  const mismatch = ({ spec, discovery }) => {
    const pods = spec.service.pods;
    const membership = discovery.membership;
    const problems = [];
    if (membership.stale) problems.push('stale');
    const wantPeers = new Map(spec.peers(pods).map((pod) => [pod.name, [...pod.addresses].sort().join(',')]));
    const gotPeers = new Map(membership.peers.map((peer) => [peer.name, [...peer.addresses].sort().join(',')]));
    if (describeMap(wantPeers) !== describeMap(gotPeers)) problems.push(`peers ${describeMap(gotPeers)} ≠ truth ${describeMap(wantPeers)}`);
    const wantReady = pods.filter((pod) => pod.ready && wantPeers.has(pod.name)).map((pod) => pod.name).sort();
    if (sortedNames(membership.ready).join() !== wantReady.join()) problems.push(`ready ${sortedNames(membership.ready)} ≠ truth ${wantReady}`);
    const wantMembers = spec.members(pods).map((pod) => pod.name).sort();
    const gotMembers = sortedNames(spec.options.includeNotReady ? membership.peers : membership.ready);
    if (gotMembers.join() !== wantMembers.join()) problems.push(`members ${gotMembers} ≠ truth ${wantMembers}`);
    return problems;
  };

  const started = performance.now();
  await Promise.all(watched.map(({ discovery }) => discovery.start()));
  // Let the first joins happen before the baseline: the heap at start includes a full membership.
  await sleep(500);
  const heapStart = await heapAfterGc(gc);
  log(`soak: seed ${seed}, ${watched.length} discoveries, chaos for ${(durationMs / 1000).toFixed(0)} s, heap ${(heapStart / 1e6).toFixed(1)} MB`);

  // ---- chaos -------------------------------------------------------------------------------
  const actions = { scale: 0, restart: 0, ready: 0, delete: 0, outages: 0, outageMs: 0 };
  const chaosEnds = performance.now() + durationMs;
  let outageTimer;
  const startOutage = () => {
    const mode = pick(OUTAGE_MODES);
    const length = between(200, 1500);
    outage = mode;
    outageSince = Date.now();
    cluster.outage(mode);
    actions.outages++;
    actions.outageMs += length;
    const window = { mode, from: performance.now(), to: null };
    outageWindows.push(window);
    outageTimer = setTimeout(() => {
      outage = null;
      cluster.outage(null);
      window.to = performance.now();
      outageTimer = undefined;
    }, length);
  };
  let lastProgress = performance.now();
  while (performance.now() < chaosEnds) {
    await sleep(between(60, 350));
    const service = pick(Object.values(services));
    const pod = service.pods.length > 0 ? pick(service.pods) : undefined;
    const roll = random();
    if (roll < 0.25) {
      // Mostly 1–6 pods; now and then none at all (the Service name becomes NXDOMAIN).
      service.scale(random() < 0.05 ? 0 : between(1, 6));
      actions.scale++;
    } else if (roll < 0.45 && pod) {
      service.restart(pod.name);
      actions.restart++;
    } else if (roll < 0.7 && pod) {
      service.setReady(pod.name, !pod.ready);
      actions.ready++;
    } else if (roll < 0.8 && pod) {
      service.deletePod(pod.name);
      actions.delete++;
    } else if (roll < 0.9 && outage === null) {
      startOutage();
    }
    if (performance.now() - lastProgress > 30_000) {
      lastProgress = performance.now();
      const heap = process.memoryUsage().heapUsed;
      log(`soak: ${((performance.now() - started) / 1000).toFixed(0)} s, ${JSON.stringify(actions)}, heap ${(heap / 1e6).toFixed(1)} MB`);
    }
  }
  if (outageTimer) {
    clearTimeout(outageTimer);
    outageTimer = undefined;
    const window = outageWindows[outageWindows.length - 1];
    if (window) window.to = performance.now();
  }
  outage = null;
  cluster.outage(null);

  // ---- settle ------------------------------------------------------------------------------
  const settleStarted = performance.now();
  let settledAfterMs = null;
  while (performance.now() - settleStarted < settleMs) {
    if (watched.every((entry) => mismatch(entry).length === 0)) {
      settledAfterMs = performance.now() - settleStarted;
      break;
    }
    await sleep(100);
  }
  // Quiet for a while longer: the truth must hold, not just be passed through.
  await sleep(1000);

  const rows = watched.map((entry) => {
    const { spec, discovery, counts } = entry;
    const problems = mismatch(entry);
    const members = (spec.options.includeNotReady ? discovery.membership.peers : discovery.membership.ready).length;
    for (const problem of problems) violations.push(`${spec.name}: after settling, ${problem}`);
    if (counts.join - counts.leave !== members) {
      violations.push(`${spec.name}: ${counts.join} joins − ${counts.leave} leaves = ${counts.join - counts.leave}, but ${members} members`);
    }
    return {
      discovery: spec.name,
      joins: counts.join,
      leaves: counts.leave,
      updates: counts.update,
      members,
      truth: spec.members(spec.service.pods).length,
      errors: counts.errors,
      'leaves in outage': counts.leavesInOutage,
      ok: problems.length === 0 && counts.join - counts.leave === members ? 'yes' : 'NO',
    };
  });

  await Promise.all(watched.map(({ discovery }) => discovery.close()));
  await cluster.close();
  await sleep(100);
  const heapEnd = await heapAfterGc(gc);
  process.off('unhandledRejection', onUnhandled);
  for (const reason of unhandled) violations.push(`unhandled rejection: ${String(reason)}`);
  // Measured after closing everything: what the run left behind (a leak keeps growing with it).
  const heapGrowth = heapEnd - heapStart;
  if (heapGrowth > maxHeapGrowthBytes) {
    violations.push(`heap grew by ${(heapGrowth / 1e6).toFixed(1)} MB (from ${(heapStart / 1e6).toFixed(1)} to ${(heapEnd / 1e6).toFixed(1)} MB after GC)`);
  }
  if (settledAfterMs === null) violations.push(`the discoveries did not all reach the truth within ${settleMs} ms after the chaos`);

  return {
    ok: violations.length === 0,
    seed,
    violations,
    rows,
    actions,
    outageWindows: outageWindows.length,
    settledAfterMs,
    heapStart,
    heapEnd,
    durationMs: performance.now() - started,
  };
}

/** The summary table of a result, as text. */
export function formatSoak(result) {
  const columns = Object.keys(result.rows[0] ?? {});
  const widths = columns.map((column) => Math.max(column.length, ...result.rows.map((row) => String(row[column]).length)));
  const line = (cells) => cells.map((cell, index) => String(cell).padEnd(widths[index] ?? 0)).join('  ');
  const lines = [
    line(columns),
    line(widths.map((width) => '-'.repeat(width))),
    ...result.rows.map((row) => line(columns.map((column) => row[column]))),
    '',
    `seed ${result.seed}; ${(result.durationMs / 1000).toFixed(1)} s; chaos: ${result.actions.scale} scales, ${result.actions.restart} restarts, ` +
      `${result.actions.ready} readiness flips, ${result.actions.delete} deletions, ${result.actions.outages} outages (${(result.actions.outageMs / 1000).toFixed(1)} s)`,
    `settled ${result.settledAfterMs === null ? 'NEVER' : `after ${(result.settledAfterMs / 1000).toFixed(1)} s`}; ` +
      `heap after GC ${(result.heapStart / 1e6).toFixed(1)} MB → ${(result.heapEnd / 1e6).toFixed(1)} MB`,
    result.ok ? 'OK: no violation' : `${result.violations.length} VIOLATION(S):\n${result.violations.map((violation) => `  - ${violation}`).join('\n')}`,
  ];
  return lines.join('\n');
}
