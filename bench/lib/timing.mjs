// Timed comparisons with the baseline, samples of the two interleaved pair by pair (alternating
// who goes first, so a drift of the machine's load hits both alike), ratio = ours/baseline per
// pair, then the median of the pairs:
//
// - steady poll: `discovery.refresh()` on a long-lived discovery vs `poll()` on a long-lived
//   node:dns Resolver;
// - discover(): one fresh `discover()` call vs a fresh Resolver + resolveSrv + resolve4 per target.
import { createDiscovery, discover } from 'headless-discovery';
import { baselineDiscover, createBaseline } from '../baseline.mjs';
import { measureDecode } from './codec.mjs';
import { FLOOR_MS, FLOOR_WAIT_MS, NO_POLLING, countQueries, discoveryOptions, errorCode, log, measure, srvNameOf } from './common.mjs';
import { sleep, summarize } from './stats.mjs';

/** The Services the steady-poll and discover() sections ask about. */
export const pollService = (pods) => `p${pods}`;
export const discoverService = (pods) => `d${pods}`;

function pollSamples(short, pods) {
  if (short) return 4;
  if (pods <= 30) return 60;
  if (pods <= 300) return 40;
  return 30;
}

function discoverSamples(short, pods) {
  if (short) return 4;
  if (pods <= 30) return 40;
  if (pods <= 300) return 30;
  return 20;
}

/**
 * Run `warmup + samples` pairs of `ours()` and `baseline()`; `before()` runs before each call.
 * Returns the summaries of both sides, the pair ratios, the baseline's errors, and the warm-up
 * samples themselves (the first is the cold one: nothing learned yet).
 */
async function pairs({ warmup, samples, ours, baseline, before = async () => undefined }) {
  const side = { ours: { wall: [], cpu: [], messages: [] }, baseline: { wall: [], cpu: [] } };
  const errors = {};
  const ratios = { wall: [], cpu: [] };
  const warm = [];
  for (let i = 0; i < warmup + samples; i++) {
    const order = i % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours'];
    const pair = {};
    for (const which of order) {
      // No gc() here: a forced full GC before every sample ages and flushes the bytecode of
      // functions that run once per poll, and the next sample pays for recompiling them.
      await before();
      pair[which] = which === 'ours' ? await measureOurs(ours) : await measure(baseline);
    }
    if (i < warmup) {
      warm.push(pair);
      continue;
    }
    side.ours.wall.push(pair.ours.wallMs);
    side.ours.cpu.push(pair.ours.cpuMs);
    side.ours.messages.push(pair.ours.messages);
    if (pair.baseline.error) {
      const code = errorCode(pair.baseline.error);
      errors[code] = (errors[code] ?? 0) + 1;
      continue;
    }
    side.baseline.wall.push(pair.baseline.wallMs);
    side.baseline.cpu.push(pair.baseline.cpuMs);
    ratios.wall.push(pair.ours.wallMs / pair.baseline.wallMs);
    ratios.cpu.push(pair.ours.cpuMs / Math.max(pair.baseline.cpuMs, 0.001));
  }
  return {
    samples,
    ours: { wall: summarize(side.ours.wall), cpu: summarize(side.ours.cpu), messages: summarize(side.ours.messages) },
    baseline: { wall: summarize(side.baseline.wall), cpu: summarize(side.baseline.cpu), errors },
    ratio: { wall: summarize(ratios.wall), cpu: summarize(ratios.cpu) },
    warm,
  };
}

/** Ours, timed, with its messages counted (the counting runs outside the timed span's hot path: one subscriber). */
async function measureOurs(fn) {
  let sample;
  const { seen } = await countQueries(async () => {
    sample = await measure(fn);
  });
  if (sample.error) throw sample.error; // ours must not fail: that is a bench failure, not a data point
  return { ...sample, messages: seen.total };
}

/** Steady polls of one shape at each size; at `decodeAt` pods, also what decoding the answers costs alone. */
export async function benchSteady(shape, sizes, { short, decodeAt = 1000 }) {
  const rows = [];
  for (const pods of sizes) {
    const service = pollService(pods);
    const discovery = createDiscovery(discoveryOptions(shape.nameserver, service, { intervalMs: NO_POLLING, minIntervalMs: FLOOR_MS }));
    discovery.on('error', () => undefined);
    await discovery.start();
    const baseline = createBaseline({ nameserver: shape.nameserver, srvName: srvNameOf(service) });
    const result = await pairs({
      warmup: short ? 1 : 3,
      samples: pollSamples(short, pods),
      // The floor counts from the previous poll's start; waiting it out means refresh() starts at
      // once, and the timed span is the poll itself (DNS, decoding, reconcile, events).
      before: () => sleep(FLOOR_WAIT_MS),
      ours: () => discovery.refresh(),
      baseline: () => baseline.poll(),
    });
    const { stale, peers } = discovery.membership;
    await discovery.close();
    baseline.stop();
    delete result.warm;
    const decode = pods === decodeAt ? await measureDecode(shape.nameserver, service) : undefined;
    rows.push({ shape: shape.key, pods, stale, peers: peers.length, ...result, ...(decode ? { decode } : {}) });
    log(
      `steady ${shape.key} ${pods} pods: ours ${result.ours.wall.median.toFixed(2)} ms (cpu ${result.ours.cpu.median.toFixed(2)}, ` +
        `${result.ours.messages.median} msgs); baseline ${result.baseline.wall.median.toFixed?.(2)} ms ${JSON.stringify(result.baseline.errors)}; ` +
        `ratio ${result.ratio.wall.median.toFixed?.(2)}`,
    );
  }
  return rows;
}

/** One fresh discover() per sample, at each size; the first (cold) call is reported apart, and any process warning. */
export async function benchDiscover(shape, sizes, { short }) {
  const rows = [];
  for (const pods of sizes) {
    const warnings = {};
    const onWarning = (warning) => {
      const key = `${warning.name}: ${warning.message}`;
      warnings[key] = (warnings[key] ?? 0) + 1;
    };
    process.on('warning', onWarning);
    const service = discoverService(pods);
    const options = discoveryOptions(shape.nameserver, service);
    const srvName = srvNameOf(service);
    let peers = 0;
    const result = await pairs({
      warmup: short ? 1 : 2,
      samples: discoverSamples(short, pods),
      before: () => new Promise((resolve) => setImmediate(resolve)),
      ours: async () => {
        peers = (await discover(options)).peers.length;
      },
      baseline: () => baselineDiscover({ nameserver: shape.nameserver, srvName }),
    });
    process.off('warning', onWarning);
    const [cold] = result.warm;
    delete result.warm;
    const row = {
      shape: shape.key,
      pods,
      peers,
      warnings,
      cold: { wallMs: cold.ours.wallMs, cpuMs: cold.ours.cpuMs, messages: cold.ours.messages, baselineWallMs: cold.baseline.error ? null : cold.baseline.wallMs },
      ...result,
    };
    rows.push(row);
    log(
      `discover ${shape.key} ${pods} pods: cold ${cold.ours.wallMs.toFixed(1)} ms (${cold.ours.messages} msgs); ` +
        `ours ${result.ours.wall.median.toFixed(2)} ms (${result.ours.messages.median} msgs); baseline ${result.baseline.wall.median.toFixed?.(2)} ms ` +
        `${JSON.stringify(result.baseline.errors)}; ratio ${result.ratio.wall.median.toFixed?.(2)}`,
    );
  }
  return rows;
}
