// The per-shape tables of the page: messages per poll, wall and CPU time per steady poll, and
// one discover() call, each against the baseline.
import { errorList } from './common.mjs';
import { fmt, spread, table } from './stats.mjs';

/** `1005: 1003 UDP + 2 TCP, 2 TC; SRV 2, A 1002, AAAA 1` (`; 1 TCP connection` when the proxy counted them) */
export function describeMessages(seen, server) {
  const transports = [seen.udp ? `${seen.udp} UDP` : '', seen.tcp ? `${seen.tcp} TCP` : ''].filter(Boolean).join(' + ');
  const types = Object.entries(seen.byType)
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
  const connections = server?.connections ? `; ${server.connections} TCP connection${server.connections === 1 ? '' : 's'}` : '';
  return `${seen.total}: ${transports}${seen.truncated ? `, ${seen.truncated} TC` : ''}; ${types}${connections}`;
}

/** `2 ×89, 3 ×1 (mean 2.01)` */
export function describeCycle(cycle) {
  if (!cycle) return '—';
  const counts = Object.entries(cycle.counts)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([messages, polls]) => `${messages} ×${polls}`)
    .join(', ');
  return `${counts} (mean ${fmt(cycle.mean, 3)})`;
}

function describeBaseline(baseline) {
  const { server } = baseline;
  const srv = server.byType.SRV ?? 0;
  const text = `SRV ${srv === 2 ? 'UDP TC → TCP' : srv === 1 ? 'UDP' : `×${srv}`}, ${server.byType.A ?? 0} A`;
  return baseline.error ? `${text}; **fails: ${baseline.error}**` : text;
}

/** The shapes measured, in order, with their rows of `rows`. */
function byShape(results, rows) {
  return (results.shapes ?? []).filter((shape) => shape.measured).map((shape) => ({ shape, rows: rows.filter((row) => row.shape === shape.key) }));
}

function shapeHeading(shape, what) {
  const lines = [`### ${what}: ${shape.title}`, ''];
  if (shape.skipped) lines.push(`Skipped: ${shape.skipped}.`, '');
  return lines;
}

function messagesTable(rows) {
  const notes = [];
  const body = rows.map((row) => {
    if (row.infeasible) {
      notes.push(`${row.pods} pods: ${row.infeasible}.`);
      return [String(row.pods), '—', '—', '—', '—', '—', '—', '—', '—'];
    }
    const ours = row.ours.diagnostics.total;
    const base = row.baseline.server.total;
    if (row.standIn) {
      notes.push(
        `† ${row.pods} pods: ${row.standIn.reason}. Measured instead on the fake cluster with \`srvGlue: ${JSON.stringify(row.standIn.srvGlue)}\`, ` +
          'the glue this shape gives.',
      );
    }
    return [
      `${row.pods}${row.standIn ? ' †' : ''}`,
      String(ours),
      row.baseline.error ? `${base} (fails)` : String(base),
      base && !row.baseline.error ? fmt(ours / base, 3) : '—',
      describeMessages(row.first.diagnostics, row.first.server),
      describeMessages(row.ours.diagnostics, row.ours.server),
      describeCycle(row.cycle),
      describeBaseline(row.baseline),
      `${row.ours.peers} / ${row.baseline.error ? '—' : row.baseline.peers}`,
    ];
  });
  const header = [
    'pods',
    'ours',
    'baseline',
    'ours/baseline',
    'ours: first poll',
    'ours: unchanged poll',
    `ours: next ${rows.find((row) => row.cycle)?.cycle.polls ?? ''} unchanged polls (messages ×polls)`,
    'baseline: messages',
    'peers found (ours / baseline)',
  ];
  return [table(header, body), '', ...notes.flatMap((note) => [note, ''])];
}

/** The messages section. */
export function messagesSection(results) {
  const out = ['## Round trips per poll', ''];
  out.push(
    'DNS messages of one **unchanged steady poll**: a fresh discovery of a Service nobody in the process asked about yet polls once ' +
      '("first poll"), polls again (warm-up), then the measured poll, in which nothing changed ("ours"). Ours are counted on the ' +
      '`headless-discovery:dns:query` diagnostics channel and cross-checked with the server\'s count: the fake cluster counts what it ' +
      'receives; named cannot, so for the BIND shapes a counting proxy on loopback ([bench/lib/counting-proxy.mjs](../bench/lib/counting-proxy.mjs)) ' +
      'sits in front of it for this section (and only this one: the timed sections query named directly); it also counts the TCP ' +
      'connections opened. Then the next unchanged polls are counted one by one, to show what one poll cannot: a question asked ' +
      'again only every so many polls. The baseline\'s messages are counted by the server or the proxy. Deterministic: no timing involved.',
    '',
  );
  for (const { shape, rows } of byShape(results, results.rtt)) {
    out.push(...shapeHeading(shape, 'Messages'));
    if (rows.length) out.push(...messagesTable(rows));
  }
  const mismatch = results.rtt.filter((row) => !row.infeasible && row.ours.diagnostics.total !== row.ours.server.total);
  out.push(
    mismatch.length
      ? `**Warning:** the diagnostics channel and the server disagree for ${mismatch.map((row) => `${row.shape} ${row.pods}`).join(', ')}.`
      : 'The diagnostics channel and the server (or proxy) agree on every row.',
    '',
  );
  return out;
}

function timingRow(row, key, digits) {
  const base = row.baseline[key];
  const errors = errorList(row.baseline.errors);
  const baseText = base.n ? `${spread(base, digits)}${errors ? `; ${errors}` : ''}` : `fails (${errors})`;
  return [String(row.pods), spread(row.ours[key], digits), baseText, row.ratio[key].n ? spread(row.ratio[key], 2) : '—'];
}

/** Wall time and CPU time per steady poll. */
export function steadySections(results) {
  const out = ['## Wall time per steady poll', ''];
  out.push(
    'One steady poll: for ours, `discovery.refresh()` on a long-lived discovery (`intervalMs` 1 h so no scheduled poll interferes, ' +
      '`minIntervalMs` 100). Before each sample the bench waits out the 100 ms floor, so `refresh()` starts at once and the timed span is ' +
      'the poll itself — DNS, decoding, reconcile and events — never a floor wait. For the baseline, `poll()` on a long-lived `Resolver`. ' +
      'Samples of the two alternate, pair by pair, and alternate who goes first; the ratio column is the median of the pairs\' ' +
      'ours/baseline. Nothing changes between polls. Milliseconds, median (p10–p90).',
    '',
  );
  for (const { shape, rows } of byShape(results, results.poll)) {
    out.push(...shapeHeading(shape, 'Wall time'));
    if (rows.length) out.push(table(['pods', 'ours (ms)', 'baseline (ms)', 'ours/baseline'], rows.map((row) => timingRow(row, 'wall'))), '');
  }
  out.push('## CPU time per steady poll', '');
  out.push(
    '`process.cpuUsage()` (user + system) of this process over the same polls: sending, receiving, decoding, reconcile, events, and any ' +
      'garbage collection that happens meanwhile (no forced `gc()` between samples: forcing a full GC before every poll ages out the ' +
      'bytecode of functions that run once per poll, and the poll after it pays for recompiling them). The DNS servers run in other ' +
      'processes and are not counted. Milliseconds, median (p10–p90).',
    '',
  );
  for (const { shape, rows } of byShape(results, results.poll)) {
    out.push(...shapeHeading(shape, 'CPU time'));
    if (rows.length) out.push(table(['pods', 'ours (ms)', 'baseline (ms)', 'ours/baseline'], rows.map((row) => timingRow(row, 'cpu'))), '');
  }
  return out;
}

/** One fresh discover() call against the baseline's one-off lookup. */
export function discoverSection(results) {
  const out = ['## One `discover()` call', ''];
  out.push(
    'One fresh `discover({ service, port, nameservers, … })` per sample — option resolution, a new resolver (its sockets), the ' +
      'lookups, one reconcile step, closing the sockets — against the baseline\'s one-off lookup: a fresh `Resolver`, `resolveSrv`, ' +
      '`resolve4` per target (at most 32 in flight). Pairs alternate who goes first; the ratio is the median of the pairs. ' +
      'What a `discover()` learns (which questions need TCP, each target\'s address) is shared by every discovery and `discover()` of the ' +
      'process, so only the first call for a Service starts from nothing: that cold call is the last column, apart from the median. ' +
      'Milliseconds, median (p10–p90); messages are ours, counted on the diagnostics channel.',
    '',
  );
  for (const { shape, rows } of byShape(results, results.discover)) {
    out.push(...shapeHeading(shape, '`discover()`'));
    if (!rows.length) continue;
    const body = rows.map((row) => [
      ...timingRow(row, 'wall'),
      fmt(row.ours.messages.median, 0),
      `${fmt(row.cold.wallMs)} ms, ${row.cold.messages} messages${row.cold.baselineWallMs === null ? '' : ` (baseline ${fmt(row.cold.baselineWallMs)} ms)`}`,
    ]);
    out.push(table(['pods', 'ours (ms)', 'baseline (ms)', 'ours/baseline', 'ours: messages', 'first call (cold)'], body), '');
  }
  return out;
}
