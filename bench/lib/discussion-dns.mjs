// The discussion of the DNS figures (messages, steady polls, CPU, discover()), from the results.
import { GOALS } from './targets.mjs';
import { fmt } from './stats.mjs';

const rowsOf = (rows, shape) => (rows ?? []).filter((row) => row.shape === shape && !row.infeasible);
const at = (rows, shape, pods) => rowsOf(rows, shape).find((row) => row.pods === pods);
const list = (values) => (values.length <= 2 ? values.join(' and ') : `${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`);
const ms = (value) => `${fmt(value)} ms`;
const shapeName = (results, key) => results.shapes.find((shape) => shape.key === key)?.short ?? key;
const measured = (results, key) => results.shapes.some((shape) => shape.key === key && shape.measured && !shape.skipped);

function coreDnsMessages(rows) {
  const one = rows.filter((row) => row.ours.diagnostics.total === 1).map((row) => row.pods);
  const two = rows.filter((row) => row.ours.diagnostics.total === 2);
  let text =
    'On the CoreDNS shape the additional section carries every target\'s address, so an unchanged poll is the SRV query alone' +
    (one.length ? ` (${list(one)} pods)` : '') +
    ': over UDP while the answer fits the 1232 bytes we advertise; beyond that the first poll\'s UDP answer comes back truncated and ' +
    'is asked again over TCP (2 messages), and from then on the question goes to TCP at once, for as long as its answer stays too big for UDP.';
  if (two.length) {
    const sizes = two.map((row) => row.pods);
    text +=
      ` At ${list(sizes)} pods even the TCP answer is full (64 KiB, TC set over TCP): all the SRV records the message holds and only part of ` +
      'the glue, so the poll asks the Service\'s own A records with the SRV query (2 messages) and looks up only targets whose ' +
      'address is missing from that set — none, when nothing changed. Learning costs the first poll: ';
    text += two
      .map((row) => {
        const seen = row.first.diagnostics.byType;
        const listed = row.baseline.peers;
        const ptr = seen.PTR ? `; the answer lists ${listed ?? 'only some'} of the ${row.pods} targets, the other addresses of the Service's set are named by ${seen.PTR} PTR queries` : '';
        return `${row.first.diagnostics.total} messages at ${row.pods} pods (${seen.A ?? 0} A${ptr})`;
      })
      .join(', ');
    text += '.';
  }
  return text;
}

function bindMessages(rows, key) {
  const one = rows.filter((row) => row.ours.diagnostics.total === 1).map((row) => row.pods);
  const two = rows.filter((row) => row.ours.diagnostics.total === 2 && !row.standIn);
  const firsts = two.map((row) => `${row.first.diagnostics.total} at ${row.pods}`);
  if (key === 'minimal') {
    return (
      'With minimal-responses there is never any glue: every unchanged poll is the SRV query and the Service\'s A records ' +
      `(${two.length === rows.filter((row) => !row.standIn).length ? '2 messages at every size' : 'see the table'}), and the first poll looks every target up once ` +
      `(${list(firsts)} messages: one A per target, the Service's A and AAAA, and a UDP → TCP retry of each answer too big for UDP).`
    );
  }
  return (
    'BIND adds the targets\' addresses only to answers of at most 13 SRV records' +
    (one.length ? `: 1 message at ${list(one)} pods, as on the CoreDNS shape` : '') +
    (two.length
      ? `; from ${two[0].pods} pods on there is no glue, and an unchanged poll is the SRV query plus the Service's A records (2 messages), ` +
        `after a first poll that looks every target up once (${list(firsts)} messages).`
      : '.')
  );
}

export function messagesText(results, targets) {
  const parts = [];
  const shapes = [];
  if (measured(results, 'coredns')) shapes.push(coreDnsMessages(rowsOf(results.rtt, 'coredns')));
  for (const key of ['bind', 'minimal']) if (measured(results, key)) shapes.push(bindMessages(rowsOf(results.rtt, key), key));
  parts.push(`**Messages per unchanged poll.** ${shapes.join(' ')}`);
  const all = (results.rtt ?? []).filter((row) => row.cycle);
  const extra = all.filter((row) => row.cycle.max > row.ours.diagnostics.total);
  if (extra.length) {
    const types = [...new Set(extra.flatMap((row) => row.cycle.extra.flatMap((poll) => Object.keys(poll.byType))))];
    const example = extra[0].cycle;
    parts.push(
      `**Every unchanged poll, not only one.** Counting the ${example.polls} unchanged polls after the measured one shows what one poll cannot: on ${extra.length} of the ${all.length} rows, ` +
        `${list([...new Set(extra.map((row) => `${example.counts[row.cycle.max] ?? 1}`))])} poll of the ${example.polls} sent ${list([...new Set(extra.map((row) => row.cycle.max))])} messages ` +
        `(${extra[0].cycle.extra.map((poll) => Object.entries(poll.byType).map(([type, n]) => `${type} ${n}`).join(', ')).join('; ')}): ` +
        'a question asked only now and then, not on every poll (the library asks nothing on a timer by design: this is a regression to look for). ' +
        `The mean stays at ${fmt(Math.max(...extra.map((row) => row.cycle.mean)), 3)} messages per poll, but the ≤ ${GOALS.messages.max} target counts every unchanged poll, so it is ` +
        `**not met** on those rows${extra.some((row) => row.cycle.max > GOALS.messages.max + 1) ? '' : ' by that one message'}; it is met wherever the glue is complete (the Service's addresses are then not asked at all).`,
    );
  }
  const connections = (results.rtt ?? []).filter((row) => row.ours.server.connections);
  if (connections.length) {
    parts[0] += ' ' + (
      `Each poll that asks over TCP opens a connection and closes it once its answers are in: the counting proxy saw ${list([...new Set(connections.map((row) => row.ours.server.connections))])} ` +
        `TCP connection per unchanged poll at ${list([...new Set(connections.map((row) => row.pods))])} pods on the BIND shapes — a handshake and a close every poll.`
    );
  }
  const fails = (results.rtt ?? []).filter((row) => row.baseline.error);
  const partial = (results.rtt ?? []).filter((row) => !row.baseline.error && !row.infeasible && row.baseline.peers < row.pods);
  let baseline =
    '**The baseline\'s messages.** It asks the SRV record and one A per pod on every poll: N+1, or N+2 from 13 pods on, where c-ares (which sends no EDNS) ' +
    'gets a UDP answer truncated at 512 bytes and asks again over TCP.';
  if (fails.length) {
    baseline +=
      ` It **fails** (${list([...new Set(fails.map((row) => `\`${row.baseline.error}\``))])}) at ${list(fails.map((row) => `${row.pods} pods (${shapeName(results, row.shape)})`))}: ` +
      'c-ares rejects that answer (SRV records with glue, filling the TCP message) although it decodes cleanly with dns2 and with our client — ' +
      'a limit of c-ares, which BIND, sending no glue above 13 targets, does not reach; a hand-written poller gets no membership at all there.';
  }
  if (partial.length) {
    baseline +=
      ` Where it does not fail it can be silently wrong: at ${list(partial.map((row) => `${row.pods} pods (${shapeName(results, row.shape)}${row.standIn ? ' †' : ''})`))} ` +
      `it takes the truncated TCP answer (TC set: only the SRV records that fit) as the whole Service and finds ${list([...new Set(partial.map((row) => row.baseline.peers))])} peers.`;
  }
  parts.push(baseline);
  const standIns = (results.rtt ?? []).filter((row) => row.standIn);
  if (standIns.length) {
    parts[0] += ' ' + (
      `BIND cannot serve a ${list([...new Set(standIns.map((row) => row.pods))])}-pod Service at all (${standIns[0].standIn.reason.replace(/^BIND cannot serve it: /, '')}), ` +
        'so those rows (†) are the fake cluster answering with the glue that shape gives; at that size the answer is full of SRV records anyway, and the three shapes behave alike.'
    );
  }
  if (!targets.some((t) => t.key === 'messages')) return '';
  // Connections and the BIND size limit belong with the shapes' paragraph; the rest stand alone.
  return parts.join('\n\n');
}

function ratioList(items) {
  return list(items.map((t) => `${fmt(t.ratio, 2)}× at ${t.pods}`));
}

export function steadyText(results, targets) {
  const rows = targets.filter((t) => t.key === 'steady');
  if (!rows.length) return '';
  const met = rows.filter((t) => t.met);
  const missed = rows.filter((t) => t.met === false);
  let text = `**Steady polls against the baseline on BIND.** Met: ${met.length ? met.map((t) => `${t.shapeName} ${fmt(t.ratio, 2)}× at ${t.pods} pods (≤ ${t.limit}×)`).join(', ') : 'none'}. `;
  if (missed.length) {
    text += `Not met: ${missed.map((t) => `${t.shapeName} ${fmt(t.ratio, 2)}× at ${t.pods} pods (≤ ${t.limit}×)`).join(', ')}. `;
    const shape = missed[0].shape;
    const big = at(results.poll, shape, 1000) ?? rowsOf(results.poll, shape).at(-1);
    const mid = at(results.poll, shape, 30);
    if (big && mid && big.baseline.wall.n && mid.baseline.wall.n) {
      const perPod = (side) => ((big[side].wall.median - mid[side].wall.median) / (big.pods - mid.pods)) * 1000;
      text +=
        `On ${shapeName(results, shape)}, from ${mid.pods} to ${big.pods} pods the baseline's poll grows by ${fmt(perPod('baseline'), 1)} µs per pod ` +
        `(one A query each, 32 in flight, on loopback) and ours by ${fmt(perPod('ours'), 1)} µs per pod although it sends 2 messages at any size: ` +
        'an unchanged poll decodes nothing again and plans nothing again, but it still compares both answers\' records with the last ones ' +
        '(as a multiset: BIND rotates them) and the Service\'s address set with the last one, in ' +
        `JavaScript, and its wall time is nearly all CPU (${ms(big.ours.cpu.median)} of CPU in a ${ms(big.ours.wall.median)} poll at ${big.pods} pods; ` +
        '`process.cpuUsage()` counts the garbage collector\'s threads too). So the ratio tends to about ' +
        `${fmt(perPod('ours') / perPod('baseline'), 2)} for large Services, and at ${mid.pods} pods the fixed part dominates: ours ${ms(mid.ours.wall.median)} ` +
        `(${ms(mid.ours.cpu.median)} of it CPU, and a TCP connection opened and closed) against the baseline's ${ms(mid.baseline.wall.median)} for ` +
        `${mid.pods + 2} messages. A loopback round trip costs tens of microseconds, so what is compared here is mostly CPU; over a real network ` +
        'each of the baseline\'s rounds of 32 queries would pay a network round trip, ours one or two (the TCP handshake). ';
    }
  }
  const coredns = rowsOf(results.poll, 'coredns').filter((row) => row.ratio.wall.n);
  if (coredns.length) text += `On the CoreDNS shape (no target there): ${ratioList(coredns.map((row) => ({ ratio: row.ratio.wall.median, pods: row.pods })))} pods.`;
  const serverBound = rowsOf(results.poll, 'coredns').find((row) => row.pods >= 1000);
  if (serverBound) {
    const bind = at(results.poll, 'bind', serverBound.pods);
    text +=
      ` At ${serverBound.pods} pods on the fake cluster, ${ms(serverBound.ours.wall.median - serverBound.ours.cpu.median)} of the ${ms(serverBound.ours.wall.median)} poll is spent waiting for the ` +
      'server, a Node process encoding a 64 KiB answer' +
      (bind ? ` (on BIND: ${bind.ours.wall.median - bind.ours.cpu.median < 0.5 ? 'under 0.5 ms' : ms(bind.ours.wall.median - bind.ours.cpu.median)})` : '') +
      ': that wall time measures the fake server more than the client.';
  }
  return text;
}

export function cpuText(results, targets) {
  const rows = targets.filter((t) => t.key === 'cpu' && t.met !== null);
  if (!rows.length) return '';
  let text = `**CPU at ${GOALS.cpu.pods} pods** (target ≤ ${GOALS.cpu.maxMs} ms per steady poll): ${rows.map((t) => `${t.shapeName} ${ms(t.value)} (${t.met ? 'met' : 'not met'})`).join(', ')}. `;
  const decodes = (results.poll ?? []).filter((row) => row.decode);
  if (decodes.length) {
    text +=
      'dns2\'s `Packet.parse` alone, on the two answers of such a poll (SRV, then the Service\'s A), takes ' +
      `${list(decodes.map((row) => `${ms(row.decode.SRV.parseMs)} + ${ms(row.decode.A.parseMs)} on ${shapeName(results, row.shape)} (${fmt(row.decode.SRV.bytes / 1024, 0)} + ${fmt(row.decode.A.bytes / 1024, 0)} KiB)`))}. `;
    const same = decodes.filter((row) => row.decode.SRV.repeats && row.decode.A.repeats).map((row) => shapeName(results, row.shape));
    const rotated = decodes.filter((row) => !(row.decode.SRV.repeats && row.decode.A.repeats)).map((row) => shapeName(results, row.shape));
    if (same.length) text += `On ${list(same)} the same question asked twice gets the same bytes, so the library reuses the last decoding and the poll skips the parse. `;
    if (rotated.length) {
      text +=
        `On ${list(rotated)} it gets different bytes every time (BIND rotates the order of the records of an RRset), so the library compares ` +
        'the records as a multiset instead (their wire bytes, or their names spelled out where compression points into another record, as for ' +
        'glue owned by the SRV targets), and reuses the last decoding when they are the same. ';
    }
  }
  const missed = rows.filter((t) => !t.met);
  const share = missed
    .map((t) => {
      const row = decodes.find((candidate) => candidate.shape === t.shape);
      return row ? `${fmt((100 * (row.decode.SRV.parseMs + row.decode.A.parseMs)) / t.value, 0)} % on ${t.shapeName}` : null;
    })
    .filter(Boolean);
  if (missed.length && share.length) {
    text +=
      `Where the target is not met, a full parse would be ${list(share)} of the poll's CPU, which an unchanged poll does not pay: the time goes to ` +
      'comparing the answers with the last ones, the Service\'s address set, the transport, and garbage collection.';
  }
  return text;
}

export function discoverText(results, targets) {
  const rows = targets.filter((t) => t.key === 'discover');
  if (!rows.length) return '';
  const met = rows.filter((t) => t.met);
  const missed = rows.filter((t) => t.met === false);
  let text = `**\`discover()\` against the baseline on BIND.** Met: ${met.length ? met.map((t) => `${t.shapeName} ${fmt(t.ratio, 2)}× at ${t.pods} pods`).join(', ') : 'none'}. `;
  for (const t of missed) {
    const row = t.row;
    text +=
      `Not met: ${t.shapeName} at ${t.pods} pods, ${fmt(t.ratio, 2)}× (≤ ${t.limit}×): ${ms(row.ours.wall.median)} against ${ms(row.baseline.wall.median)}, ` +
      `and ${ms(row.ours.cpu.median)} of CPU against c-ares' ${ms(row.baseline.cpu.median)}. `;
  }
  if (missed.some((t) => t.pods <= 3)) {
    text +=
      'At 3 pods a call is mostly fixed cost: validating and resolving the options (resolv.conf is read for the DNS timeout and attempts ' +
      'the bench leaves at their defaults), a UDP socket opened and closed, the decode guard and codec, one reconcile step and the ' +
      'immutable snapshot — in JavaScript, against c-ares doing its 4 loopback queries in C. Sending fewer messages cannot win back a ' +
      'fixed cost larger than the loopback round trips it saves. ';
  }
  const cold = rowsOf(results.discover, 'bind').filter((row) => row.cold.baselineWallMs !== null && row.cold.messages > 2);
  if (cold.length) {
    text +=
      'Every call after the first reuses what the process learned (2 messages); the first call for a Service starts from nothing and asks ' +
      `about as much as the baseline — ${list(cold.map((row) => `${row.cold.messages} messages, ${ms(row.cold.wallMs)} against ${ms(row.cold.baselineWallMs)}, at ${row.pods} pods`))} on BIND — ` +
      'so a process that calls `discover()` once per Service gets the cold figures, not the medians. ';
  }
  const warned = (results.discover ?? []).filter((row) => Object.keys(row.warnings ?? {}).length);
  if (warned.length) {
    const [message] = Object.keys(warned[0].warnings);
    text +=
      `The cold calls also printed a process warning (${list(warned.map((row) => `${shapeName(results, row.shape)} ${row.pods}`))} pods): "${message}" — ` +
      'each of the concurrent lookups adds an abort listener to one signal.';
  }
  return text;
}
