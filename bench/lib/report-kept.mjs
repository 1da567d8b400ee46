// The sections of the page that run on the CoreDNS-shape fake cluster only (detection latency,
// memory and resources after close(), a fleet) and the import cost.
import { fmt, spread, table } from './stats.mjs';

const KiB = 1024;
const verdict = (met) => (met ? '**met**' : '**not met**');

export function latencySection(l) {
  const row = (name, s, targetMs) => [name, String(s.n), fmt(s.median, 0), fmt(s.p90, 0), fmt(s.p99, 0), fmt(s.max, 0), `≤ ${fmt(targetMs, 0)}`, verdict(s.p99 <= targetMs)];
  return [
    '## Detection latency',
    '',
    `On the CoreDNS-shape fake cluster, from \`svc.scale()\` (the IPC message to the server process is sent at t0, so the figures err ` +
      `on the slow side) to the \`join\` / \`leave\` event, with \`intervalMs\` ${l.intervalMs}, \`jitter\` ${l.jitter}, ` +
      `\`leaveAfterPolls\` ${l.leaveAfterPolls}; ${l.cycles} scale-ups 3 → 4 and scale-downs 4 → 3, each at a random ` +
      'phase of the poll schedule. Milliseconds.',
    '',
    table(['event', 'n', 'p50', 'p90', 'p99', 'max', 'target p99', ''], [row('join', l.join, l.joinTargetMs), row('leave', l.leave, l.leaveTargetMs)]),
    '',
    `The join target is interval × (1 + jitter) + 100 ms = ${fmt(l.joinTargetMs, 0)} ms: a change is seen by the next poll. ` +
      `Leaves are held back on purpose: a peer leaves only after it was missing from \`leaveAfterPolls\` (${l.leaveAfterPolls}) ` +
      'successful polls in a row, so a pod missing from one answer (a rolling restart, a flapping readiness probe) ' +
      'produces no leave/join pair. Its target therefore counts one more interval per extra poll: ' +
      `${l.leaveAfterPolls} × interval × (1 + jitter) + 100 ms = ${fmt(l.leaveTargetMs, 0)} ms.`,
    '',
  ];
}

export function memorySection(m) {
  const leftover = Object.entries(m.leftover);
  return [
    '## Steady-state memory and resources after close()',
    '',
    `${m.instances} discoveries of a ${m.pods}-pod Service on the CoreDNS-shape fake cluster, each polling every 100 ms (±10 %), ` +
      `${m.polls.toLocaleString('en-US')} polls in all over ${fmt(m.seconds, 0)} s, with churn every 250 ms (scale ${m.pods} ↔ ${m.pods + 2}, ` +
      `restart a pod with a new address; ${m.events.toLocaleString('en-US')} change events). One discovery cannot poll faster than its ` +
      '100 ms floor, so the polls are spread over many long-lived instances: a leak per poll, per event or per lookup shows up all the ' +
      'same. Heap used after `global.gc()`, at 10 % of the polls (after warm-up) and then every 9 %:',
    '',
    table(['polls', 'heap used (KiB)'], m.heap.map((point) => [point.polls.toLocaleString('en-US'), fmt(point.bytes / KiB, 0)])),
    '',
    `Growth from the first to the last checkpoint: **${fmt(m.growthBytes / KiB, 0)} KiB** (spread of all checkpoints ${fmt(m.spreadBytes / KiB, 0)} KiB). ` +
      'Active resources (`process.getActiveResourcesInfo()`) after every discovery was closed, compared with before they were created: ' +
      `${leftover.length ? leftover.map(([name, count]) => `${name} ${count > 0 ? '+' : ''}${count}`).join(', ') : '**none left** (no socket, no timer)'}.`,
    '',
  ];
}

export function fleetSection(f) {
  return [
    '## A fleet polling one server',
    '',
    `${f.instances} discoveries in one process (\`intervalMs\` ${f.intervalMs}, \`jitter\` ${f.jitter}) polling one 3-pod Service of the ` +
      `CoreDNS-shape fake cluster for ${fmt(f.runMs / 1000, 0)} s; queries received by the server per ${f.bucketMs} ms. ` +
      '"together": every `start()` in the same tick (a whole fleet restarted at once); ' +
      '"staggered": start times spread uniformly over one interval (processes started at different times). ' +
      'The last column leaves out the first interval + jitter.',
    '',
    table(
      ['start', 'queries', 'mean / bucket', 'max / bucket', 'max/mean', 'max/mean after the first interval'],
      f.scenarios.map((s) => [s.mode, String(s.whole.total), fmt(s.whole.mean, 1), String(s.whole.max), fmt(s.whole.ratio, 2), fmt(s.steady.ratio, 2)]),
    ),
    '',
  ];
}

export function importSection(im) {
  const out = [
    '## Import cost and package size',
    '',
    `A fresh \`node\` process per run (${im.runs} runs, driven by ${im.harness}): the whole process, and the \`import()\` / \`require()\` ` +
      'itself as timed inside it. Milliseconds, median (p10–p90).',
    '',
    table(['what', 'whole process (ms)', 'import itself (ms)'], im.rows.map((row) => [row.name, spread(row.process), row.name.startsWith('node') ? '—' : spread(row.inside)])),
    '',
  ];
  if (im.pack) {
    out.push(
      `\`npm pack --dry-run\`: **${fmt(im.pack.size / KiB, 1)} KiB** packed, ${fmt(im.pack.unpackedSize / KiB, 1)} KiB unpacked, ${im.pack.entryCount} files (dependencies not included).`,
      '',
    );
  }
  return out;
}
