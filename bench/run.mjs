// `npm run bench`: headless-discovery against the baseline a Node developer writes today
// (node:dns resolveSrv + resolve4 per target, bench/baseline.mjs), side by side, on three DNS
// answer shapes (bench/lib/shapes.mjs): the CoreDNS-shaped fake cluster in a child process
// (bench/server.mjs), a real BIND 9, and BIND with minimal-responses (no additional section).
//
//   node --expose-gc bench/run.mjs [--short] [--out docs/benchmarks.md] [--json file]
//       [--only rtt,poll,discover,channels,latency,memory,fleet,import] [--shapes coredns,bind,minimal]
//       [--sizes 3,13,30,100,300,1000,3000] [--timing-sizes 3,13,30,100,300,1000]
//       [--from-json file]   (re-render a page from an earlier --json, without measuring)
//       [--before <git ref>] (channels: also poll with that commit's build, to show what the
//                             instrumentation costs when nobody subscribes)
//
// --short: few iterations (CI, about 2 minutes with BIND's start); the page is still written.
// Nothing asserts timings: targets are printed met / not met on the page.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBefore } from './lib/before-build.mjs';
import { benchChannels, channelService, channelSizes } from './lib/channels.mjs';
import { log } from './lib/common.mjs';
import { benchFleet } from './lib/fleet.mjs';
import { benchImport } from './lib/import.mjs';
import { benchLatency } from './lib/latency.mjs';
import { benchMemory } from './lib/memory.mjs';
import { benchMessages, messageService } from './lib/messages.mjs';
import { renderReport } from './lib/report.mjs';
import { SHAPE_INFO, SHAPE_KEYS, ensureBind, startShape, startStandIn } from './lib/shapes.mjs';
import { benchDiscover, benchSteady, discoverService, pollService } from './lib/timing.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECTIONS = ['rtt', 'poll', 'discover', 'channels', 'latency', 'memory', 'fleet', 'import'];
const DNS_SECTIONS = ['rtt', 'poll', 'discover'];

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    out: { type: 'string', default: 'docs/benchmarks.md' },
    json: { type: 'string' },
    only: { type: 'string' },
    shapes: { type: 'string', default: SHAPE_KEYS.join(',') },
    sizes: { type: 'string', default: '3,13,30,100,300,1000,3000' },
    'timing-sizes': { type: 'string' },
    'from-json': { type: 'string' },
    before: { type: 'string' },
  },
});

function write(path, text) {
  const target = resolve(process.cwd(), path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  return target;
}

if (args['from-json']) {
  write(args.out, renderReport(JSON.parse(readFileSync(resolve(process.cwd(), args['from-json']), 'utf8'))));
  process.exit(0);
}

const list = (text, what, known) => {
  const items = text.split(',').map((item) => item.trim()).filter(Boolean);
  for (const item of items) if (known && !known.includes(item)) throw new Error(`${what}: unknown "${item}" (one of ${known.join(', ')})`);
  return items;
};
const numbers = (text, what) => {
  const values = list(text, what).map(Number);
  if (values.some((value) => !Number.isInteger(value) || value < 1)) throw new Error(`${what}: expected positive integers, got ${text}`);
  return values;
};
const short = args.short;
const only = new Set(args.only ? list(args.only, '--only', SECTIONS) : SECTIONS);
const shapeKeys = list(args.shapes, '--shapes', SHAPE_KEYS);
const sizes = numbers(args.sizes, '--sizes');
const timingSizes = args['timing-sizes'] ? numbers(args['timing-sizes'], '--timing-sizes') : sizes.filter((pods) => pods <= 1000);
if (only.has('memory') && typeof globalThis.gc !== 'function') {
  throw new Error('run with `node --expose-gc bench/run.mjs` (heap measurements need global.gc)');
}

const results = {
  mode: short ? 'short' : 'full',
  sections: [...only],
  sizes,
  timingSizes,
  machine: {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown',
    memoryGiB: os.totalmem() / 2 ** 30,
    loadBefore: os.loadavg(),
    loadDuring: [],
  },
  date: new Date().toISOString(),
  source: sourceState(),
  shapes: [],
};
/** The commit measured, and whether the working tree's src/ differed from it (the build is of the tree). */
function sourceState() {
  const git = (...gitArgs) => spawnSync('git', gitArgs, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return null;
  const changed = git('status', '--porcelain', '--', 'src').stdout.split('\n').filter(Boolean).length;
  return { commit: head.stdout.trim(), changedInSrc: changed };
}
const noteLoad = (section) => results.machine.loadDuring.push({ section, load: os.loadavg()[0] });
const startedAt = performance.now();

// Start the shapes that the DNS sections (or the CoreDNS-shape sections) need.
const needsDns = DNS_SECTIONS.some((name) => only.has(name));
const needsFake = ['channels', 'latency', 'memory', 'fleet'].some((name) => only.has(name));
const wanted = needsDns ? shapeKeys : [];
if (needsFake && !wanted.includes('coredns')) wanted.unshift('coredns');
const shapes = new Map();
const bindMissing = wanted.some((key) => SHAPE_INFO[key].server === 'bind') ? ensureBind(ROOT, log) : null;
try {
  for (const key of wanted) {
    const info = { key, ...SHAPE_INFO[key], measured: needsDns && shapeKeys.includes(key) };
    results.shapes.push(info);
    if (info.server === 'bind' && bindMissing) {
      info.skipped = bindMissing;
      log(`${key}: skipped: ${bindMissing}`);
      continue;
    }
    const started = performance.now();
    const shape = await startShape(key, ROOT);
    info.version = shape.version;
    info.startMs = performance.now() - started;
    shapes.set(key, shape);
    if (!info.measured) continue;
    const services = [];
    if (only.has('rtt')) for (const pods of sizes) services.push([messageService(pods), pods]);
    if (only.has('poll')) for (const pods of timingSizes) services.push([pollService(pods), pods]);
    if (only.has('discover')) for (const pods of timingSizes) services.push([discoverService(pods), pods]);
    for (const [service, pods] of services) if (shape.fits(service, pods)) await shape.define(service, pods);
    await shape.sync();
    log(`${key}: ${shape.version ? `BIND ${shape.version}` : 'fake cluster'} at ${shape.nameserver}, ready in ${info.startMs.toFixed(0)} ms`);
  }

  const measuredShapes = [...shapes.values()].filter((shape) => shapeKeys.includes(shape.key) && needsDns);
  if (only.has('rtt')) {
    noteLoad('rtt');
    results.rtt = [];
    for (const shape of measuredShapes) {
      const standIn = SHAPE_INFO[shape.key].standInGlue === undefined ? undefined : () => startStandIn(shape.key);
      results.rtt.push(...(await benchMessages(shape, sizes, standIn)));
    }
  }
  const timed = (shape) => timingSizes.filter((pods) => shape.fits(pollService(pods), pods));
  if (only.has('poll')) {
    noteLoad('poll');
    results.poll = [];
    for (const shape of measuredShapes) results.poll.push(...(await benchSteady(shape, timed(shape), { short })));
  }
  if (only.has('discover')) {
    noteLoad('discover');
    results.discover = [];
    for (const shape of measuredShapes) results.discover.push(...(await benchDiscover(shape, timed(shape), { short })));
  }
  for (const [key, shape] of shapes) {
    if (SHAPE_INFO[key].server === 'bind') {
      await shape.close();
      shapes.delete(key);
    }
  }
  const cluster = shapes.get('coredns')?.cluster;
  if (only.has('channels')) {
    const coredns = shapes.get('coredns');
    const before = args.before ? buildBefore(ROOT, args.before) : null;
    const sizesOfChannels = channelSizes(timingSizes);
    for (const pods of sizesOfChannels) await coredns.define(channelService(pods), pods);
    await coredns.sync();
    noteLoad('channels');
    results.channels = await benchChannels(coredns, sizesOfChannels, { short, before });
  }
  if (only.has('latency')) {
    noteLoad('latency');
    results.latency = await benchLatency(cluster, { short });
  }
  if (only.has('memory')) {
    noteLoad('memory');
    results.memory = await benchMemory(cluster, { short });
  }
  if (only.has('fleet')) {
    noteLoad('fleet');
    results.fleet = await benchFleet(cluster, { short });
  }
} finally {
  for (const shape of shapes.values()) await shape.close();
}
if (only.has('import')) {
  noteLoad('import');
  results.import = await benchImport(ROOT, { short });
}
results.machine.loadAfter = os.loadavg();
results.seconds = (performance.now() - startedAt) / 1000;

// The data first: if rendering fails, `--from-json` can render it again once fixed.
if (args.json) write(args.json, `${JSON.stringify(results, null, 2)}\n`);
const out = write(args.out, renderReport(results));
log(`wrote ${out} (${results.seconds.toFixed(0)} s)`);
