// The story the run tells, step by step, and the checks that make it exit 0 or 1. Every check is
// on what the databases hold and what the pods decided, never on log text: rows written on the
// primary are read back from every pod's own database.
import { failover } from './failover.mjs';
import { say, step } from './log.mjs';
import { createAppSchema, expectRowsEverywhere, refusedWrite, writeRows } from './rows.mjs';
import { readTopology, topologyTable } from './topology.mjs';

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
  check(`${pod(2)} was not cloned again`, eventOf('clone', pod(2)) === null);
  await rowsEverywhere();

  begin(`delete ${pod(3)}'s volume: it clones again`);
  await sts.stopPod(pod(3));
  await sts.deleteVolume(pod(3));
  await write(pod(0), `while ${pod(3)} has no volume`);
  await sts.recreate(pod(3));
  check(`${pod(3)} starts without data`, decisionOf(pod(3)).local === null);
  joinsAsReplica(pod(3), pod(2), pod(0));
  await rowsEverywhere();

  begin(`restart the primary ${pod(0)}, keeping its volume: it resumes as primary, the replicas follow it to its new address`);
  await sts.stopPod(pod(0));
  const primary = await sts.recreate(pod(0));
  const back = decisionOf(pod(0));
  check(`${pod(0)} rejoins as the primary, replicating from nobody`, back.action === 'join' && back.local === clusterId && back.replicateFrom === null, JSON.stringify(back));
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

  const final = await sts.wait('every replica has both replication threads running', async () => {
    const topology = await readTopology(sts, name);
    return topology.every((row) => row.pod === promoted.name || row.replicationThreads === 'io Yes, sql Yes') && topology;
  });
  check('one cluster', final.every((row) => row.clusterId === clusterId), final.map((row) => row.clusterId).join(', '));
  check(`one primary, ${promoted.name}`, final.filter((row) => row.role === 'primary').map((row) => row.pod).join() === promoted.name);
  check(`every other pod replicates from ${promoted.name}`, final.every((row) => row.pod === promoted.name || row.replicatingFrom === promoted.name));
  check('every pod has every row', final.every((row) => row.rows === expected.length));
  return final;
}
