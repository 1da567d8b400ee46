// The page's section on the diagnostics channels: one steady poll with no subscriber, with a
// do-nothing subscriber on every channel, with formatting subscribers, and (with --before) the
// build of an earlier commit; its target; and its paragraph of the discussion.
import { fmt, spread, table } from './stats.mjs';

/** No subscriber may cost at most this much over the earlier build (median of pairs). */
export const NO_SUBSCRIBER_LIMIT = 1.05;

const short = (name) => name.replace(/^headless-discovery:/, '');

export function channelsSection(results) {
  const c = results.channels;
  const before = c.before ? `\`${c.before.commit}\`` : null;
  const out = ['## Diagnostics channels: the steady poll with and without subscribers', ''];
  out.push(
    'One unchanged steady poll (`refresh()`, as in the wall-time section) of a long-lived discovery, CoreDNS shape, in variants that take ' +
      'turns sample by sample: **no subscriber** on any channel; **every channel, do-nothing**: a subscriber that only counts, on each of ' +
      `the ${c.channels.length} channels${c.registry ? ' of the registry' : ' (this build has no registry: the DNS channels only)'} ` +
      `(${c.channels.map((name) => `\`${short(name)}\``).join(', ')}), so every message is built and published; **every channel, formatted**: ` +
      'a subscriber that turns each message into a line with `util.inspect`, what `NODE_DEBUG=headless-discovery` does short of writing it out' +
      (before
        ? `; **before**: the build of commit ${before} (no subscriber), polled the same way in the same process: what the instrumentation ` +
          'itself (channels checked, stats counted) costs when nobody listens.'
        : '. Run with `--before <commit>` to compare with an earlier build as well.') +
      ' Ratios are medians of pairs (samples of one round). Milliseconds, median (p10–p90).',
    '',
  );
  const header = ['pods', 'no subscriber (ms)', 'every channel, do-nothing (ms)', '× no subscriber', 'every channel, formatted (ms)', '× no subscriber'];
  if (before) header.push(`before, ${before} (ms)`, 'no subscriber / before');
  header.push(`CPU: none / do-nothing / formatted${before ? ' / before' : ''} (ms)`);
  if (before) header.push('CPU: no subscriber / before');
  header.push('messages per poll');
  const body = c.rows.map((row) => {
    const cells = [String(row.pods), spread(row.wall.none), spread(row.wall.all), fmt(row.ratio.all.median, 3), spread(row.wall.debug), fmt(row.ratio.debug.median, 3)];
    if (before) cells.push(spread(row.wall.before), `${fmt(row.ratio.before.median, 3)} (${fmt(row.ratio.before.p10, 2)}–${fmt(row.ratio.before.p90, 2)})`);
    const perPoll = Object.entries(row.perPoll)
      .filter(([, count]) => count > 0)
      .map(([name, count]) => `${short(name)} ${fmt(count, Number.isInteger(count) ? 0 : 2)}`)
      .join(', ');
    cells.push(`${fmt(row.cpu.none.median)} / ${fmt(row.cpu.all.median)} / ${fmt(row.cpu.debug.median)}${before ? ` / ${fmt(row.cpu.before.median)}` : ''}`);
    if (before) cells.push(`${fmt(row.ratio.beforeCpu.median, 3)} (${fmt(row.ratio.beforeCpu.p10, 2)}–${fmt(row.ratio.beforeCpu.p90, 2)})`);
    cells.push(perPoll || '—');
    return cells;
  });
  out.push(table(header, body), '');
  return out;
}

export function channelTargets(results) {
  const c = results.channels;
  if (!c) return [];
  return c.rows.map((row) => {
    const base = { key: 'channels', pods: row.pods, shape: c.shape, shapeName: 'CoreDNS shape', target: `Steady poll with no subscriber ≤ ${NO_SUBSCRIBER_LIMIT}× the earlier build at ${row.pods} pods` };
    if (!c.before) return { ...base, measured: 'not run (needs `--before <commit>`)', met: null };
    const ratio = row.ratio.before;
    return { ...base, target: `${base.target} (\`${c.before.commit}\`)`, measured: `${fmt(ratio.median, 3)}× (p10–p90 ${fmt(ratio.p10, 2)}–${fmt(ratio.p90, 2)})`, met: ratio.median <= NO_SUBSCRIBER_LIMIT, ratio: ratio.median };
  });
}

const percent = (ratio) => {
  const value = (ratio - 1) * 100;
  return `${value >= 0 ? '+' : '−'}${fmt(Math.abs(value), 1)} %`;
};

export function channelsText(results, targets) {
  const c = results.channels;
  const rows = targets.filter((t) => t.key === 'channels');
  const cost = c.rows.map((row) => `${percent(row.ratio.all.median)} at ${row.pods} pods`).join(', ');
  const debug = c.rows.map((row) => `${percent(row.ratio.debug.median)} at ${row.pods} pods`).join(', ');
  let text =
    `**Diagnostics channels.** A do-nothing subscriber on every channel changes the time of a steady poll by ${cost} (median of pairs); ` +
    `formatting every message as \`NODE_DEBUG\` does, by ${debug}. Every publisher checks \`hasSubscribers\` before it builds a ` +
    'message, so with no subscriber a poll builds none. ';
  if (c.before) {
    const missed = rows.filter((t) => t.met === false);
    text +=
      `Against commit \`${c.before.commit}\` with no subscriber: ${rows.map((t) => `${fmt(t.ratio, 3)}× at ${t.pods} pods`).join(', ')} ` +
      `(target ≤ ${NO_SUBSCRIBER_LIMIT}×: ${missed.length ? `**not met** at ${missed.map((t) => t.pods).join(', ')} pods` : 'met'}); ` +
      'what the newer build adds with nobody listening is counting its stats, a few increments per poll and lookup. ';
  } else {
    text += 'This run did not compare with an earlier build (`--before <commit>`), so the cost of the instrumentation with no subscriber is not measured here. ';
  }
  const cpu = c.before ? ` The CPU columns (this process only: the DNS server runs in another) vary less than wall time here; no subscriber against \`${c.before.commit}\`: ${c.rows.map((row) => `${fmt(row.ratio.beforeCpu.median, 3)}× at ${row.pods} pods`).join(', ')}.` : '';
  return `${text}Differences of a few percent are within the noise of this shared machine: the p10–p90 of each ratio says how far${results.mode === 'short' ? '; a short run (4 samples) says little' : ''}.${cpu}`;
}
