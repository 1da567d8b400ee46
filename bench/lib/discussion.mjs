// The page's discussion, written from the results: what each figure shows, and for every target
// not met, why, with the measurement that shows it. The DNS figures live in discussion-dns.mjs.
import { cpuText, discoverText, messagesText, steadyText } from './discussion-dns.mjs';
import { channelsText } from './report-channels.mjs';
import { fmt } from './stats.mjs';

function latencyText(l) {
  return (
    `**Detection latency.** Joins: p99 ${fmt(l.join.p99, 0)} ms against ${fmt(l.joinTargetMs, 0)} ms (${l.join.p99 <= l.joinTargetMs ? 'met' : 'not met'}): ` +
    'the next poll sees the new pod, plus the IPC hop and the poll itself. ' +
    `Leaves: p99 ${fmt(l.leave.p99, 0)} ms, by design about one interval later than a join (hysteresis of ${l.leaveAfterPolls} polls), ` +
    `${l.leave.p99 <= l.leaveTargetMs ? 'within' : 'over'} the ${fmt(l.leaveTargetMs, 0)} ms that this implies. ` +
    'Tail values on this machine come from event-loop and scheduler delays when the load spikes; a p99 over few samples (short mode) is close to the max.'
  );
}

function memoryText(m) {
  const steps = m.heap.slice(1).map((point, i) => point.bytes - m.heap[i].bytes);
  const rising = steps.filter((step) => step > 0).length;
  const polls = m.heap[m.heap.length - 1].polls - m.heap[0].polls;
  // A leak shows as a heap that rises at (nearly) every checkpoint, not as one that wanders.
  const trend = steps.length > 0 && rising >= 0.8 * steps.length && m.growthBytes > 256 * 1024;
  const rises = `The heap **rises at ${rising} of the ${steps.length} checkpoints**, about ${fmt(m.growthBytes / polls, 0)} bytes per poll`;
  const shape = trend
    ? m.polls >= 10_000
      ? `${rises}: something is kept per poll (a leak), not V8's own bookkeeping`
      : `${rises}; in a run this short, warm-up looks the same as a leak: the full run (100,000 polls) tells them apart`
    : `Checkpoints wander within ${fmt(m.spreadBytes / 1024, 0)} KiB without a trend (V8's own bookkeeping: compiled code, feedback, pooled buffers)` +
      `${m.polls < 10_000 ? '; a short run is too short to tell a small leak from warm-up' : ''}`;
  return (
    `**Memory.** ${fmt(m.growthBytes / 1024, 0)} KiB over ${m.polls.toLocaleString('en-US')} polls (target < 1 MB): ${m.growthBytes < 1_000_000 ? 'met' : '**not met**'}. ` +
    `${shape}. ` +
    `After \`close()\`: ${m.leftoverTotal === 0 ? 'no socket, timer or handle left, as documented' : `left behind: ${JSON.stringify(m.leftover)}`}.`
  );
}

function fleetText(f) {
  const together = f.scenarios.find((s) => s.mode === 'together');
  const staggered = f.scenarios.find((s) => s.mode === 'staggered');
  const at = (stats, offset = 0) => (stats?.peakMs === undefined ? '' : ` (fullest bucket at ${fmt((stats.peakMs + offset) / 1000, 1)} s)`);
  const retryPeak = together?.whole.peakMs !== undefined && together.whole.peakMs >= 1000;
  return (
    `**Fleet.** Staggered starts give max/mean ${fmt(staggered?.whole.ratio, 2)}× (${(staggered?.whole.ratio ?? 99) <= 2 ? 'met' : 'not met'}). ` +
    `Started together: ${fmt(together?.whole.ratio, 2)}×${at(together?.whole)}, ${fmt(together?.steady.ratio, 2)}× after the first interval` +
    `${at(together?.steady, together?.settleMs)}: ${(together?.whole.ratio ?? 99) <= 2 ? 'met' : '**not met**'} when every instance starts in the same tick. ` +
    `The first poll of a discovery is immediate, so a fleet started in one tick sends ${f.instances} queries at once; the test DNS server ` +
    '(one Node process) drops part of that burst, and the dropped queries time out together (`dnsTimeoutMs`, 5 s by default) and are ' +
    `asked again together${retryPeak ? ' — that second burst is the fullest bucket here' : ''}. The scheduled polls themselves are spread ` +
    `(the first over ±50 % of the interval, later ones over ±${f.jitter * 100} %). Pods of a real StatefulSet start seconds apart ` +
    '(OrderedReady), which is the staggered case; for a fleet restarted at once, a short `dnsTimeoutMs` shortens the wait before the ' +
    'retries, and a random delay before `start()` removes the opening burst.'
  );
}

function importText(results, targets) {
  const rows = targets.filter((t) => t.key === 'import');
  const pack = results.import.pack;
  const verdicts = rows.map((t) => `${t.target.split(' ')[0]} ${fmt(t.value)} ms (${t.met ? 'met' : 'not met'})`).join(', ');
  const missed = rows.filter((t) => !t.met);
  const esm = rows.find((t) => t.target.startsWith('`import()`'));
  const cjs = rows.find((t) => t.target.startsWith('`require()`'));
  const floorOf = (name) => results.import.rows.find((row) => row.name === name)?.inside.median;
  const emptyEsm = floorOf('import (an empty ES module)');
  const emptyCjs = floorOf('require (an empty CommonJS module)');
  return (
    `**Import.** Inside a fresh process, against ${targets.find((t) => t.key === 'import')?.target.split('≤ ')[1] ?? '15 ms in-process'}: ${verdicts}. ` +
    'Importing loads what a DNS discovery runs, in the entry and two chunks: the doctor\'s checks (`diagnose()`, and the explanation of an ' +
    'empty membership) and the `kubernetes` source\'s API client are chunks of their own, loaded on first use, and so are Node\'s http, ' +
    'https, tls, fs/promises and dgram (HTTP probes, the API, latches, the first UDP socket); p-retry is loaded only when a lookup is ' +
    'retried. The bundle carries its own copy of dns2\'s packet codec (not dns2\'s servers and clients, nor the http, https, http2 and tls ' +
    'modules they load) and of eventemitter3. ' +
    (emptyEsm !== undefined && emptyCjs !== undefined
      ? `Node's loader itself costs part of it: an empty ES module takes ${fmt(emptyEsm)} ms to \`import()\`, an empty CommonJS module ${fmt(emptyCjs)} ms ` +
        `to \`require()\`, timed the same way${esm && cjs ? ` (the library's own share: ${fmt(esm.value - emptyEsm)} ms and ${fmt(cjs.value - emptyCjs)} ms)` : ''}. `
      : '') +
    (missed.length && esm && cjs && esm.value > cjs.value
      ? `\`import()\` takes ${fmt(esm.value - cjs.value)} ms more than \`require()\` of the same code: the ES module loader's own resolution and ` +
        'linking of each of the three files, and the `createRequire` banner the ESM build needs for the bundled CommonJS codec; the rest is compiling and running the code. '
      : '') +
    (pack ? `The tarball is ${fmt(pack.size / 1024, 0)} KiB packed, ${fmt(pack.unpackedSize / 1024, 0)} KiB unpacked; that is an ES module and a CommonJS build of each entry point (the library and its chunks, the testing kit, the OpenTelemetry subpath) with their declarations, and the command; no source maps.` : '')
  );
}

/** The discussion, one paragraph per figure measured. */
export function discussion(results, targets) {
  const parts = [];
  if (results.rtt) parts.push(messagesText(results, targets));
  if (results.poll) parts.push(steadyText(results, targets), cpuText(results, targets));
  if (results.discover) parts.push(discoverText(results, targets));
  if (results.channels) parts.push(channelsText(results, targets));
  if (results.latency) parts.push(latencyText(results.latency));
  if (results.memory) parts.push(memoryText(results.memory));
  if (results.fleet) parts.push(fleetText(results.fleet));
  if (results.import) parts.push(importText(results, targets));
  return `${parts.filter(Boolean).join('\n\n')}\n`;
}
