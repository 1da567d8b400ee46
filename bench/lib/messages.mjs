// Messages per poll (deterministic): a fresh discovery of a Service nobody in this process has
// asked about yet, so its first poll starts from nothing; then a warm-up poll; then the measured
// poll, in which nothing changed. Ours are counted on the diagnostics channel and by the server
// (or the counting proxy in front of named); the baseline's by the server.
import { createDiscovery } from 'headless-discovery';
import { createBaseline } from '../baseline.mjs';
import { FLOOR_MS, FLOOR_WAIT_MS, NO_POLLING, countQueries, discoveryOptions, errorCode, log, srvNameOf } from './common.mjs';
import { statsDelta } from './shapes.mjs';
import { sleep } from './stats.mjs';

/** The Service the message section asks about, `pods` pods. */
export const messageService = (pods) => `m${pods}`;
/**
 * Unchanged polls counted after the measured one, to catch what a single poll cannot show: a
 * question re-asked once every n polls (the Service's AAAA while it has none, a UDP retry of a
 * question kept on TCP). Spread over several discoveries taken in turn — what a poll learns is
 * shared by every discovery of the Service in the process, so it is one sequence of polls — so
 * that the 100 ms floor of each does not make this take 10 s per row.
 */
export const CYCLE_POLLS = 90;
const CYCLE_DISCOVERIES = 10;

/** Counts of `fn` on both sides: our diagnostics channel and the server. */
async function counted(counting, fn) {
  const before = await counting.stats();
  const { seen, result } = await countQueries(fn);
  return { diagnostics: seen, server: statsDelta(await counting.stats(), before), result };
}

/** One row: first poll, warm-up, unchanged steady poll of ours; one poll of the baseline. */
export async function measureMessages(shape, pods, { standIn } = {}) {
  const service = messageService(pods);
  const { counting } = shape;
  const discovery = createDiscovery(discoveryOptions(counting.nameserver, service, { intervalMs: NO_POLLING, minIntervalMs: FLOOR_MS }));
  discovery.on('error', () => undefined);
  const first = await counted(counting, () => discovery.start());
  await sleep(FLOOR_WAIT_MS);
  await discovery.refresh(); // warm-up: what the first poll learned is in place
  await sleep(FLOOR_WAIT_MS);
  const steady = await counted(counting, () => discovery.refresh());
  await discovery.close();
  const cycle = await countCycle(counting.nameserver, service);

  const baseline = createBaseline({ nameserver: counting.nameserver, srvName: srvNameOf(service) });
  const start = await counting.stats();
  let peers;
  let error;
  try {
    peers = (await baseline.poll()).length;
  } catch (caught) {
    error = errorCode(caught);
  }
  baseline.stop();
  const row = {
    shape: shape.key,
    pods,
    ...(standIn ? { standIn } : {}),
    first: { diagnostics: first.diagnostics, server: first.server, peers: first.result.peers.length },
    ours: { diagnostics: steady.diagnostics, server: steady.server, peers: steady.result.peers.length, stale: steady.result.stale },
    cycle,
    baseline: { server: statsDelta(await counting.stats(), start), ...(error ? { error } : { peers }) },
  };
  log(
    `messages ${shape.key}${standIn ? ' (stand-in)' : ''} ${pods} pods: ours first ${row.first.diagnostics.total}, steady ${row.ours.diagnostics.total} ` +
      `(server ${row.ours.server.total}), peers ${row.ours.peers}, next ${CYCLE_POLLS}: ${JSON.stringify(cycle.counts)}; baseline ${row.baseline.server.total}${error ? ` ${error}` : ''}`,
  );
  return row;
}

/**
 * Messages of each of `CYCLE_POLLS` unchanged polls in a row: `{ polls, mean, max, counts: { messages: polls }, extra }`,
 * `extra` listing the polls that sent more than the first one did, with what they asked.
 */
async function countCycle(nameserver, service) {
  const discoveries = Array.from({ length: CYCLE_DISCOVERIES }, () =>
    createDiscovery(discoveryOptions(nameserver, service, { intervalMs: NO_POLLING, minIntervalMs: FLOOR_MS })),
  );
  const counts = {};
  const extra = [];
  let total = 0;
  let max = 0;
  let usual;
  try {
    for (let i = 0; i < CYCLE_POLLS; i++) {
      const discovery = discoveries[i % CYCLE_DISCOVERIES];
      if (i >= CYCLE_DISCOVERIES && i % CYCLE_DISCOVERIES === 0) await sleep(FLOOR_WAIT_MS);
      const { seen } = await countQueries(() => (i < CYCLE_DISCOVERIES ? discovery.start() : discovery.refresh()));
      counts[seen.total] = (counts[seen.total] ?? 0) + 1;
      usual ??= seen.total;
      if (seen.total > usual) extra.push({ poll: i + 1, byType: seen.byType });
      total += seen.total;
      max = Math.max(max, seen.total);
    }
  } finally {
    await Promise.all(discoveries.map((discovery) => discovery.close()));
  }
  return { polls: CYCLE_POLLS, mean: total / CYCLE_POLLS, max, counts, extra };
}

/**
 * The message rows of one shape. Sizes the server cannot serve (BIND above ~1200 SRV records)
 * are measured on a fake cluster answering that shape's way (`standIn()` starts one), and say so.
 */
export async function benchMessages(shape, sizes, standIn) {
  const rows = [];
  for (const pods of sizes) {
    const service = messageService(pods);
    if (shape.fits(service, pods)) {
      rows.push(await measureMessages(shape, pods));
      continue;
    }
    const reason = shape.limitReason(service, pods);
    if (!standIn) {
      rows.push({ shape: shape.key, pods, infeasible: reason });
      continue;
    }
    const stand = await standIn();
    try {
      await stand.define(service, pods);
      const row = await measureMessages(stand, pods, { standIn: true });
      rows.push({ ...row, shape: shape.key, standIn: { reason, srvGlue: stand.srvGlue } });
    } finally {
      await stand.close();
    }
  }
  return rows;
}
