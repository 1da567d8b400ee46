// A failover: what the library does not do, and the app (or its operator, or a tool such as
// MaxScale or orchestrator) must. After the primary lost its data, promote the replica that has
// applied the most, then point every other pod at it; they resume at their own GTID positions.
import { actAsPrimary, replicateFrom } from './replication.mjs';
import { readServerState } from './server-state.mjs';
import { adminConnection, withConnection } from './sql.mjs';

/** Promote the most advanced replica among `candidates`; returns its pod. */
export async function failover(statefulSet, { candidates, credentials, name, log }) {
  const positions = [];
  for (const pod of candidates) {
    const state = await withConnection(adminConnection(pod.socketPath), (connection) => readServerState(connection, { statefulSet: name }));
    positions.push({ pod, sequence: sequenceOf(state.gtid), gtid: state.gtid });
  }
  // The highest sequence number in the (single) replication domain; the lowest ordinal on a tie.
  const [chosen] = positions.sort((a, b) => b.sequence - a.sequence);
  log(`positions: ${positions.map(({ pod, gtid }) => `${pod.name} ${gtid || '-'}`).join(', ')}`);
  await withConnection(adminConnection(chosen.pod.socketPath), actAsPrimary);
  log(`promoted ${chosen.pod.name} (at ${chosen.gtid}): writable, replicating from nobody`);
  for (const pod of statefulSet.running) {
    if (pod === chosen.pod) continue;
    await withConnection(adminConnection(pod.socketPath), (connection) =>
      replicateFrom(connection, { host: chosen.pod.address, port: statefulSet.mysqlPort, credentials }),
    );
    log(`${pod.name} now replicates from ${chosen.pod.name}`);
  }
  return chosen.pod;
}

const sequenceOf = (gtid) => Math.max(0, ...String(gtid).split(',').filter(Boolean).map((part) => Number(part.split('-')[2])));
