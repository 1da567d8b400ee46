// The story the run tells, step by step, and the checks that make it exit 0 or 1. Every check is
// on what the databases hold and what the pods decided, never on log text: rows written on the
// primary are read back from every pod's own database.
import { readFile } from 'node:fs/promises';
import { failover } from './failover.mjs';
import { say, step } from './log.mjs';
import { createAppSchema, expectRowsEverywhere, refusedWrite, writeRows } from './rows.mjs';
import { askPeer } from './server-state.mjs';
import { readTopology, topologyTable } from './topology.mjs';
import { latchFileOf } from './volume.mjs';

export async function runScenario({ statefulSet: sts, name, app, credentials, report }) {
  const pod = (ordinal) => `${name}-${ordinal}`;
  const expected = [];
  let currentStep = '';
  const begin = (title) => {
    currentStep = title;
    report.steps.push(title);
    step(title);
  };
  const check = (what, ok, detail = '') => {
    report.checks.push({ step: currentStep, what, ok: Boolean(ok), ...(detail ? { detail } : {}) });
    if (!ok) throw new Error(`check failed: ${what}${detail ? ` (${detail})` : ''}`);
  };
  const eventOf = (type, podName) => {
    const incarnation = sts.pod(podName).incarnation;
    return sts.events.find((event) => event.type === type && event.pod === podName && event.incarnation === incarnation) ?? null;
  };
  const decisionOf = (podName) => eventOf('decision', podName) ?? {};
  const write = async (target, label, count = 5) => {
    expected.push(...(await writeRows(sts.pod(target), { port: sts.mysqlPort, app }, label, count)));
    say(`client: wrote ${count} rows on ${target} (${label}); ${expected.length} in all`);
  };
  const rowsEverywhere = async () => {
    const seen = await expectRowsEverywhere(sts, expected);
    report.rowChecks.push({ step: currentStep, expected: [...expected], pods: seen });
    say(`check: the ${expected.length} rows are on every pod (${Object.keys(seen).join(', ')}), read from each one's own database`);
  };
  // The formed latch on every running pod's volume, as the library wrote it.
  const latchesEverywhere = async (clusterId) => {
    const latches = {};
    for (const { name: podName } of sts.running) latches[podName] = JSON.parse(await readFile(latchFileOf(sts.volumeOf(podName)), 'utf8'));
    report.latchChecks.push({ step: currentStep, latches });
    const wrong = Object.entries(latches).filter(([, latch]) => latch.kind !== 'headless-discovery/formed-latch' || latch.clusterId !== clusterId);
    check(`every pod's volume holds a formed latch of ${clusterId}`, wrong.length === 0, JSON.stringify(Object.fromEntries(wrong)));
    say(`check: every pod's volume holds a formed latch of cluster ${clusterId} (${Object.keys(latches).join(', ')})`);
  };
  const joinsAsReplica = (podName, donor, primary) => {
    const decision = decisionOf(podName);
    check(`${podName} joins, clones from ${donor}, replicates from ${primary}`, decision.action === 'join' && decision.cloneFrom === donor && decision.replicateFrom === primary, JSON.stringify(decision));
    check(`${podName} was cloned from ${donor}`, eventOf('clone', podName)?.from === donor);
  };

  begin(`create the StatefulSet with 3 replicas, one pod at a time (OrderedReady)`);
  await sts.scaleTo(3);
  const first = decisionOf(pod(0));
  check(`${pod(0)} initializes the cluster`, first.action === 'initialize', JSON.stringify(first));
  const clusterId = (await readTopology(sts, name)).find((row) => row.pod === pod(0)).clusterId;
  report.clusterId = clusterId;
  joinsAsReplica(pod(1), pod(0), pod(0));
  joinsAsReplica(pod(2), pod(1), pod(0));
  await createAppSchema(sts.pod(pod(0)), app);
  say(`operator: created database app, table app.notes and user ${app.user} on ${pod(0)} (replicated like any other change)`);
  await write(pod(0), '3 pods');
  await rowsEverywhere();
  await latchesEverywhere(clusterId);

  begin(`scale to 5: ${pod(3)} and ${pod(4)} clone from their predecessor and catch up`);
  await sts.scaleTo(5);
  joinsAsReplica(pod(3), pod(2), pod(0));
  joinsAsReplica(pod(4), pod(3), pod(0));
  await write(pod(0), '5 pods');
  await rowsEverywhere();

  begin(`restart ${pod(2)}, keeping its volume: it resumes from its GTID position, no clone`);
  await sts.stopPod(pod(2));
  await write(pod(0), `while ${pod(2)} is down`);
  await sts.recreate(pod(2));
  const resumed = decisionOf(pod(2));
  check(`${pod(2)} rejoins with its own data of ${clusterId}`, resumed.action === 'join' && resumed.local === clusterId && resumed.replicateFrom === pod(0), JSON.stringify(resumed));
  check(`${pod(2)} resumes from its formed latch, never initializing again`, resumed.latched === clusterId, JSON.stringify(resumed));
  check(`${pod(2)} was not cloned again`, eventOf('clone', pod(2)) === null);
  await rowsEverywhere();

  begin(`delete ${pod(3)} while ${pod(4)} comes back without its volume: ${pod(3)} drains, so ${pod(4)} clones from ${pod(2)}`);
  await sts.stopPod(pod(4));
  await sts.deleteVolume(pod(4));
  await write(pod(0), `while ${pod(4)} has no volume`);
  const leaving = sts.pod(pod(3));
  const exits = await sts.stopPod(pod(3), {
    // Between the preStop hook (the pod drained) and SIGTERM: its database still runs and answers.
    whileDraining: async () => {
      const answer = await askPeer({ name: pod(3), addresses: [leaving.address] }, AbortSignal.timeout(10_000), { sidecarPort: sts.sidecarPort });
      report.draining = { report: answer, readiness: await leaving.readiness() };
      check(`${pod(3)} reports draining (GET /report)`, answer.draining === true && answer.clusterId === clusterId, JSON.stringify(answer));
      say(`check: ${pod(3)} reports ${JSON.stringify(answer)}`);
      const { readiness } = report.draining;
      check(`${pod(3)}'s readinessProbe answers 503 while it drains`, readiness.status === 503, `${readiness.status} ${readiness.body}`);
      await sts.recreate(pod(4));
      const fresh = decisionOf(pod(4));
      check(`${pod(4)} starts without data or latch`, fresh.local === null && fresh.latched === null, JSON.stringify(fresh));
      check(`${pod(4)} never chooses the draining ${pod(3)}`, ![fresh.target, fresh.cloneFrom, fresh.replicateFrom].includes(pod(3)), JSON.stringify(fresh));
      joinsAsReplica(pod(4), pod(2), pod(0));
    },
  });
  report.draining.exits = exits;
  check(`${pod(3)} stopped cleanly: mariadbd and its sidecar exited with 0`, exits.mariadb?.code === 0 && exits.sidecar.code === 0, JSON.stringify(exits));
  await sts.recreate(pod(3));
  const back3 = decisionOf(pod(3));
  check(`${pod(3)} comes back with its volume and its latch: no clone`, back3.action === 'join' && back3.latched === clusterId && back3.cloneFrom === null, JSON.stringify(back3));
  await rowsEverywhere();

  begin(`restart the primary ${pod(0)}, keeping its volume: it resumes as primary, the replicas follow it to its new address`);
  await sts.stopPod(pod(0));
  const primary = await sts.recreate(pod(0));
  const back = decisionOf(pod(0));
  check(`${pod(0)} rejoins as the primary, replicating from nobody`, back.action === 'join' && back.local === clusterId && back.replicateFrom === null, JSON.stringify(back));
  check(`${pod(0)}, the seed, resumes from its formed latch`, back.latched === clusterId, JSON.stringify(back));
  check(`${pod(0)} is writable again`, eventOf('role', pod(0))?.role === 'primary');
  await write(pod(0), `after ${pod(0)} restarted`);
  await rowsEverywhere();
  const followed = await readTopology(sts, name);
  const replicas = followed.filter((row) => row.pod !== pod(0));
  check(
    `every replica replicates from ${pod(0)} at its new address ${primary.address}`,
    replicas.every((row) => row.replicatingFrom === pod(0) && row.sourceAddress === primary.address),
    replicas.map((row) => `${row.pod} → ${row.replicatingFrom}@${row.sourceAddress}`).join(', '),
  );

  begin(`delete the primary's volume: ${pod(0)} must not initialize a second cluster`);
  await sts.stopPod(pod(0));
  await sts.deleteVolume(pod(0));
  await sts.recreate(pod(0));
  const lost = decisionOf(pod(0));
  check(`${pod(0)} does not initialize: it joins ${clusterId}`, lost.action === 'join' && lost.clusterId === clusterId, JSON.stringify(lost));
  check(`${pod(0)}'s lost volume held no latch`, lost.latched === null, JSON.stringify(lost));
  check(`${pod(0)} clones from a replica and replicates from nobody (a failover must come first)`, lost.cloneFrom !== null && lost.cloneFrom !== pod(0) && lost.replicateFrom === null);
  check(`${pod(0)} was cloned from ${lost.cloneFrom}`, eventOf('clone', pod(0))?.from === lost.cloneFrom);
  check('the cluster was initialized once', sts.events.filter((event) => event.type === 'decision' && event.action === 'initialize').length === 1);
  const refusal = await refusedWrite(sts.pod(pod(0)), { port: sts.mysqlPort, app });
  check(`${pod(0)} refuses writes (read-only)`, refusal === 'ER_OPTION_PREVENTS_STATEMENT', String(refusal));
  say(`client: a write on ${pod(0)} is refused (${refusal}); the cluster has no primary now`);
  await rowsEverywhere();
  const orphaned = await readTopology(sts, name);
  report.topologyWithoutPrimary = orphaned;
  console.log(topologyTable(orphaned));

  begin(`failover (the app's job, not the library's): promote the most advanced replica, point every other pod at it`);
  const candidates = sts.running.filter((candidate) => candidate.name !== pod(0));
  const promoted = await failover(sts, { candidates, credentials, name, log: (text) => say(`operator: ${text}`) });
  report.promoted = promoted.name;
  await write(promoted.name, 'after the failover');
  await rowsEverywhere();

  begin(`scale to 6, ${pod(5)} initialized by hand (an operator's mistake): a second cluster, which the split checks find; ${pod(5)}, on the losing side, steps down`);
  let since = sts.events.length;
  const latest = (type, podName) => sts.events.slice(since).find((event) => event.type === type && event.pod === podName) ?? null;
  const steppedDown = Object.assign((candidate) => latest('stepped down', candidate.name) !== null, { description: 'has stepped down' });
  await sts.scaleTo(6, { env: { INITIALIZE_BY_HAND: '1' }, until: steppedDown });
  const rogue = sts.pod(pod(5));
  const secondCluster = latest('latch', pod(5))?.clusterId;
  check(`${pod(5)} initialized a cluster of its own`, secondCluster && secondCluster !== clusterId, String(secondCluster));
  const everyone = sts.running.map((candidate) => candidate.name);
  const splits = await sts.wait('every pod has seen the split', () => {
    const seen = everyone.map((podName) => latest('split', podName));
    return seen.every(Boolean) && seen;
  });
  report.splits = splits;
  check(
    `every pod names the same winner, ${clusterId} (it has the seed), and loser, ${secondCluster}`,
    splits.every((split) => split.winner === clusterId && split.losers.join() === secondCluster),
    JSON.stringify(splits),
  );
  check(`only ${pod(5)} is on the losing side`, splits.every((split) => split.losing === (split.pod === pod(5))), JSON.stringify(splits));
  const loserProbe = await rogue.readiness();
  const winnerProbe = await sts.pod(promoted.name).readiness();
  report.splitReadiness = { loser: loserProbe, winner: winnerProbe };
  check(`${pod(5)}'s readinessProbe answers 503 (the losing side), ${promoted.name}'s 200`, loserProbe.status === 503 && winnerProbe.status === 200, `${loserProbe.body} / ${winnerProbe.body}`);
  const rogueState = (await readTopology(sts, name)).find((row) => row.pod === pod(5));
  check(`${pod(5)} stepped down: read-only`, rogueState.role === 'read-only, no source' && rogueState.clusterId === secondCluster, JSON.stringify(rogueState));

  begin(`scale back to 5 and delete ${pod(5)}'s claim: the split heals`);
  since = sts.events.length;
  await sts.scaleDown(5);
  await sts.deleteVolume(pod(5));
  const healers = sts.running.map((candidate) => candidate.name);
  await sts.wait('every pod has seen the split heal', () => healers.every((podName) => latest('healed', podName)));
  say(`check: the split healed on ${healers.join(', ')}`);

  const final = await sts.wait('every replica has both replication threads running', async () => {
    const topology = await readTopology(sts, name);
    return topology.every((row) => row.pod === promoted.name || row.replicationThreads === 'io Yes, sql Yes') && topology;
  });
  check('one cluster', final.every((row) => row.clusterId === clusterId), final.map((row) => row.clusterId).join(', '));
  check(`one primary, ${promoted.name}`, final.filter((row) => row.role === 'primary').map((row) => row.pod).join() === promoted.name);
  check(`every other pod replicates from ${promoted.name}`, final.every((row) => row.pod === promoted.name || row.replicatingFrom === promoted.name));
  check('every pod has every row', final.every((row) => row.rows === expected.length));
  await latchesEverywhere(clusterId);
  const ready = [];
  for (const running of sts.running) ready.push({ pod: running.name, ...(await running.readiness()) });
  check(`every pod is ready again, a member of ${clusterId} with no split`, ready.every((probe) => probe.status === 200 && probe.body.includes(clusterId) && !probe.body.includes('split')), JSON.stringify(ready));
  // Every pod was ready only once it had joined: its first readinessProbe answer was 503.
  const launched = [...new Set(sts.events.filter((event) => event.type === 'decision').map((event) => `${event.pod}#${event.incarnation}`))];
  const probes = (key) => sts.events.filter((event) => event.type === 'readiness' && `${event.pod}#${event.incarnation}` === key);
  const notReadyFirst = launched.filter((key) => probes(key)[0]?.status !== 503 || !probes(key).some((probe) => probe.status === 200));
  check('every pod answered its readinessProbe with 503 until it had joined, then 200', notReadyFirst.length === 0, notReadyFirst.join(', '));
  return final;
}
