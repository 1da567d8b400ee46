// What the diagnostics channels cost a steady poll: the same unchanged poll with no subscriber,
// with a do-nothing subscriber on every channel of the registry, and with subscribers that format
// every message into a line (what `NODE_DEBUG=headless-discovery` does, minus writing it out);
// with `--before <ref>`, also that commit's build with no subscriber, to show what the
// instrumentation itself (channels checked, stats counted) costs when nobody listens. The
// variants take turns sample by sample (their order rotates), on one long-lived discovery each.
import diagnostics from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import * as library from 'headless-discovery';
import { FLOOR_MS, FLOOR_WAIT_MS, LOOKUP_CHANNEL, NO_POLLING, QUERY_CHANNEL, discoveryOptions, log, measure } from './common.mjs';
import { sleep, summarize } from './stats.mjs';

/** The Services this section polls. */
export const channelService = (pods) => `c${pods}`;
/** The sizes it measures, of those the run times. */
export const channelSizes = (timingSizes) => {
  const wanted = timingSizes.filter((pods) => [3, 100, 1000].includes(pods));
  return wanted.length ? wanted : timingSizes.slice(0, 1);
};

// The registry's names as the package exports them; the two DNS channels alone for a build
// that has no registry.
const CHANNELS = library.CHANNEL_NAMES ?? [QUERY_CHANNEL, LOOKUP_CHANNEL];

function samplesOf(short, pods) {
  if (short) return 4;
  return pods <= 100 ? 40 : 25;
}

/** Subscribe `make(name)` to every channel; returns the unsubscribe. */
function subscribeAll(make) {
  const listeners = CHANNELS.map((name) => [name, make(name)]);
  for (const [name, listener] of listeners) diagnostics.subscribe(name, listener);
  return () => {
    for (const [name, listener] of listeners) diagnostics.unsubscribe(name, listener);
  };
}

export async function benchChannels(shape, sizes, { short, before }) {
  const previous = before ? await import(before.entry) : null;
  const rows = [];
  for (const pods of sizes) {
    const options = discoveryOptions(shape.nameserver, channelService(pods), { intervalMs: NO_POLLING, minIntervalMs: FLOOR_MS });
    const ours = library.createDiscovery(options);
    const theirs = previous?.createDiscovery(options);
    for (const discovery of [ours, theirs]) discovery?.on('error', () => undefined);
    await Promise.all([ours.start(), theirs?.start()]);

    const published = Object.fromEntries(CHANNELS.map((name) => [name, 0]));
    let formatted = 0;
    const variants = {
      none: { discovery: ours, subscribe: () => () => undefined },
      all: { discovery: ours, subscribe: () => subscribeAll((name) => () => void published[name]++) },
      debug: {
        discovery: ours,
        subscribe: () =>
          subscribeAll((name) => (message) => {
            formatted += `${name} ${inspect(message, { breakLength: Infinity, depth: 2, colors: false })}`.length;
          }),
      },
      ...(theirs ? { before: { discovery: theirs, subscribe: () => () => undefined } } : {}),
    };
    const names = Object.keys(variants);
    const samples = { wall: {}, cpu: {} };
    for (const name of names) {
      samples.wall[name] = [];
      samples.cpu[name] = [];
    }
    const warmup = short ? 1 : 3;
    const rounds = warmup + samplesOf(short, pods);
    const runs = { all: 0, debug: 0 };
    for (let round = 0; round < rounds; round++) {
      const order = names.map((_, i) => names[(i + round) % names.length]);
      for (const name of order) {
        const { discovery, subscribe } = variants[name];
        await sleep(FLOOR_WAIT_MS);
        const unsubscribe = subscribe();
        const sample = await measure(() => discovery.refresh());
        unsubscribe();
        if (sample.error) throw sample.error;
        if (name in runs) runs[name]++;
        if (round < warmup) continue;
        samples.wall[name].push(sample.wallMs);
        samples.cpu[name].push(sample.cpuMs);
      }
    }
    await Promise.all([ours.close(), theirs?.close()]);
    // Pair by pair: the samples of one round ran back to back.
    const ratio = (a, b, what = 'wall') => summarize(samples[what][a].map((value, i) => value / Math.max(samples[what][b][i], 0.001)));
    const row = {
      pods,
      samples: samples.wall.none.length,
      wall: Object.fromEntries(names.map((name) => [name, summarize(samples.wall[name])])),
      cpu: Object.fromEntries(names.map((name) => [name, summarize(samples.cpu[name])])),
      ratio: {
        all: ratio('all', 'none'),
        debug: ratio('debug', 'none'),
        ...(theirs ? { before: ratio('none', 'before'), beforeCpu: ratio('none', 'before', 'cpu') } : {}),
      },
      // Messages per poll on each channel (measured while the do-nothing subscribers listened), and the formatted text's size.
      perPoll: Object.fromEntries(Object.entries(published).map(([name, count]) => [name, count / runs.all])),
      debugCharsPerPoll: formatted / runs.debug,
    };
    rows.push(row);
    log(
      `channels ${pods} pods: none ${row.wall.none.median.toFixed(2)} ms, all ${row.wall.all.median.toFixed(2)} ms (×${row.ratio.all.median.toFixed(3)}), ` +
        `debug ${row.wall.debug.median.toFixed(2)} ms (×${row.ratio.debug.median.toFixed(3)})` +
        (theirs ? `, before ${row.wall.before.median.toFixed(2)} ms (none/before ×${row.ratio.before.median.toFixed(3)})` : ''),
    );
  }
  return { shape: shape.key, channels: [...CHANNELS], registry: library.CHANNEL_NAMES !== undefined, before: before ? { commit: before.commit } : null, rows };
}
