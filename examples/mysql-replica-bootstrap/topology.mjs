// The cluster as its databases describe it, read on each running pod's socket: role, replication
// source, GTID position, rows; and the table the run ends with.
import { readRows } from './rows.mjs';
import { readServerState } from './server-state.mjs';
import { adminConnection, withConnection } from './sql.mjs';

export async function readTopology(statefulSet, name) {
  const podAt = (address) => statefulSet.service.pods.find((pod) => pod.addresses.includes(address))?.name ?? null;
  const topology = [];
  for (const pod of statefulSet.running) {
    const state = await withConnection(adminConnection(pod.socketPath), (connection) => readServerState(connection, { statefulSet: name, podAt }));
    const rows = await readRows(pod);
    topology.push({
      pod: pod.name,
      address: pod.address,
      clusterId: state.clusterId,
      role: state.role,
      replicatingFrom: state.replication ? state.replication.source : null,
      sourceAddress: state.replication?.host ?? null,
      replicationThreads: state.replication ? `io ${state.replication.io}, sql ${state.replication.sql}` : null,
      replicationError: state.replication?.error || null,
      gtid: state.gtid,
      rows: rows.length,
    });
  }
  return topology;
}

export function topologyTable(topology) {
  const header = ['pod', 'role', 'replicating from', 'GTID position', 'rows', 'cluster'];
  const lines = topology.map((row) => [
    row.pod,
    row.role,
    row.replicatingFrom ? `${row.replicatingFrom} (${row.replicationThreads})` : '-',
    row.gtid || '-',
    String(row.rows),
    row.clusterId ?? '-',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const format = (cells) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [format(header), format(widths.map((width) => '-'.repeat(width))), ...lines.map(format)].join('\n');
}
