// The performance targets and their verdicts, from the results alone (pure): the targets table
// and the discussion both read them from here. Ratios are medians of pairs (ours/baseline).
import { errorList } from './common.mjs';
import { FLOOR_ROWS } from './import.mjs';
import { channelTargets } from './report-channels.mjs';
import { fmt } from './stats.mjs';

export const GOALS = {
  /** One fresh discover() / the baseline's fresh Resolver + resolveSrv + resolve4 per target, on BIND. */
  discover: { shapes: ['bind', 'minimal'], limits: { 3: 0.8, 13: 1.0, 30: 1.0, 100: 1.0, 300: 1.0 } },
  /** One steady poll / the baseline's poll, on BIND. */
  steady: { shapes: ['bind', 'minimal'], limits: { 3: 0.8, 30: 0.5, 100: 0.5, 300: 0.2, 1000: 0.2 } },
  /** Messages of an unchanged steady poll, on every shape. */
  messages: { shapes: ['coredns', 'bind', 'minimal'], sizes: [3, 30, 300, 1000, 3000], max: 2 },
  /** CPU of one steady poll at this size, on every shape. */
  cpu: { pods: 1000, maxMs: 5 },
  /** import() / require() as timed inside a fresh process. */
  importMs: 15,
};

const find = (rows, shape, pods) => rows?.find((row) => row.shape === shape && row.pods === pods);
const shortName = (results, key) => results.shapes?.find((shape) => shape.key === key)?.short ?? key;
const skipped = (results, key) => results.shapes?.find((shape) => shape.key === key)?.skipped;
/** Shapes this run was asked to measure (a skipped one included: its targets say so). */
const asked = (results, key) => results.shapes?.some((shape) => shape.key === key && shape.measured);

function ratioTarget(results, rows, goal, label, key) {
  const out = [];
  for (const shape of goal.shapes) {
    if (!rows || !asked(results, shape)) continue;
    for (const [size, limit] of Object.entries(goal.limits)) {
      const pods = Number(size);
      const row = find(rows, shape, pods);
      const target = `${label} ≤ ${limit}× at ${pods} pods`;
      const base = { key, shape, pods, limit, target, shapeName: shortName(results, shape) };
      if (!row) {
        out.push({ ...base, measured: skipped(results, shape) ? 'skipped (no BIND)' : 'not run', met: null });
        continue;
      }
      const ratio = row.ratio.wall;
      if (!ratio.n) {
        out.push({ ...base, measured: `baseline fails (${errorList(row.baseline.errors)}); ours ${fmt(row.ours.wall.median)} ms`, met: null, row });
        continue;
      }
      out.push({ ...base, measured: `${fmt(ratio.median, 2)}× (p10–p90 ${fmt(ratio.p10, 2)}–${fmt(ratio.p90, 2)})`, met: ratio.median <= limit, ratio: ratio.median, row });
    }
  }
  return out;
}

function messageTargets(results) {
  const goal = GOALS.messages;
  const out = [];
  if (!results.rtt) return out;
  for (const shape of goal.shapes) {
    if (!asked(results, shape)) continue;
    const parts = [];
    const notRun = [];
    let met = null;
    for (const pods of goal.sizes) {
      const row = find(results.rtt, shape, pods);
      if (!row) {
        notRun.push(pods);
        continue;
      }
      if (row.infeasible) {
        parts.push(`${pods}: cannot be served`);
        continue;
      }
      // Every unchanged poll counts, not only the one measured first: the worst of the cycle.
      const total = row.ours.diagnostics.total;
      const worst = Math.max(total, row.cycle?.max ?? 0);
      const over = row.cycle ? Object.entries(row.cycle.counts).filter(([messages]) => Number(messages) > goal.max) : [];
      const exceptions = over.map(([messages, polls]) => `${polls} of ${row.cycle.polls}: ${messages}`).join(', ');
      parts.push(`${pods}: ${total}${exceptions ? ` (${exceptions})` : ''}${row.standIn ? ' †' : ''}`);
      met = (met ?? true) && worst <= goal.max && row.ours.peers === pods;
    }
    if (notRun.length) parts.push(`${skipped(results, shape) ? 'skipped (no BIND)' : 'not run'}: ${notRun.join(', ')}`);
    out.push({
      key: 'messages',
      shape,
      shapeName: shortName(results, shape),
      target: `Round trips: messages per unchanged steady poll ≤ ${goal.max} at ${goal.sizes.join(', ')} pods`,
      measured: parts.join('; '),
      met,
    });
  }
  return out;
}

function cpuTargets(results) {
  if (!results.poll) return [];
  const shapes = [...new Set(results.poll.map((row) => row.shape))];
  return shapes.map((shape) => {
    const row = find(results.poll, shape, GOALS.cpu.pods);
    const target = `CPU per steady poll ≤ ${GOALS.cpu.maxMs} ms at ${GOALS.cpu.pods} pods`;
    if (!row) return { key: 'cpu', shape, shapeName: shortName(results, shape), target, measured: 'not run', met: null };
    const cpu = row.ours.cpu;
    return {
      key: 'cpu',
      shape,
      shapeName: shortName(results, shape),
      target,
      measured: `${fmt(cpu.median)} ms (p10–p90 ${fmt(cpu.p10)}–${fmt(cpu.p90)})`,
      met: cpu.median <= GOALS.cpu.maxMs,
      value: cpu.median,
    };
  });
}

function importTargets(results) {
  if (!results.import) return [];
  return results.import.rows
    .filter((row) => row.name !== 'node (empty)' && !FLOOR_ROWS.has(row.name))
    .map((row) => ({
      key: 'import',
      shape: null,
      shapeName: '—',
      target: `${row.name.startsWith('import') ? '`import()`' : '`require()`'} ≤ ${GOALS.importMs} ms in-process`,
      measured: `${fmt(row.inside.median)} ms (p10–p90 ${fmt(row.inside.p10)}–${fmt(row.inside.p90)})`,
      met: row.inside.median <= GOALS.importMs,
      value: row.inside.median,
    }));
}

function keptTargets(results) {
  const out = [];
  const row = (key, target, measured, met, shapeName = 'CoreDNS shape') => out.push({ key, shape: 'coredns', shapeName, target, measured, met });
  const l = results.latency;
  if (l) {
    row('join', 'Join detection p99 ≤ interval × (1 + jitter) + 100 ms', `p99 ${fmt(l.join.p99, 0)} ms ≤ ${fmt(l.joinTargetMs, 0)}?`, l.join.p99 <= l.joinTargetMs);
    row(
      'leave',
      `Leave detection p99 (hysteresis: ${l.leaveAfterPolls} polls) ≤ ${l.leaveAfterPolls} × interval × (1 + jitter) + 100 ms`,
      `p99 ${fmt(l.leave.p99, 0)} ms ≤ ${fmt(l.leaveTargetMs, 0)}?`,
      l.leave.p99 <= l.leaveTargetMs,
    );
  }
  const m = results.memory;
  if (m) {
    row('heap', `Heap growth < 1 MB over ${m.polls.toLocaleString('en-US')} polls with churn`, `${fmt(m.growthBytes / 1024, 0)} KiB`, m.growthBytes < 1_000_000);
    row('handles', 'Sockets and timers after close(): 0', m.leftoverTotal ? JSON.stringify(m.leftover) : '0', m.leftoverTotal === 0);
  }
  const f = results.fleet;
  if (f) {
    for (const s of f.scenarios) {
      row('fleet', `Fleet of ${f.instances}, ${s.mode}: max ≤ 2× mean per ${f.bucketMs} ms`, `${fmt(s.whole.ratio, 2)}× (after the first interval: ${fmt(s.steady.ratio, 2)}×)`, s.whole.ratio <= 2);
    }
  }
  return out;
}

/** Every target with its verdict: `{ key, shape, shapeName, target, measured, met: true | false | null }`. */
export function evaluateTargets(results) {
  return [
    ...ratioTarget(results, results.discover, GOALS.discover, '`discover()` / baseline', 'discover'),
    ...ratioTarget(results, results.poll, GOALS.steady, 'Steady poll / baseline', 'steady'),
    ...messageTargets(results),
    ...cpuTargets(results),
    ...channelTargets(results),
    ...importTargets(results),
    ...keptTargets(results),
  ];
}
