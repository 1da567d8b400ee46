// What a MariaDB server says about itself, over the MySQL protocol — the report its sidecar
// serves to the bootstrap probe (`ClusterReport`), the peers' readiness check, and the rows of the
// final topology table.
//
// - clusterId: meta.cluster, written by the pod that initialized and carried by every clone; a
//   server without it answers "in no cluster".
// - role: a replica has a replication source configured (SHOW SLAVE STATUS); a primary has none
//   and accepts writes (read_only off). A server with neither is a read-only copy waiting for a
//   source (what a seed that lost its volume becomes while the cluster has no primary).
// - its source: the pod named by Master_Server_Id (server-id = 100 + ordinal), which survives
//   the source's change of address; before the first connection, the pod at Master_Host.
import { podOfServerId } from './server-config.mjs';
import { firstRow, peerConnection, withConnection } from './sql.mjs';

const NOT_INITIALIZED = new Set(['ER_NO_SUCH_TABLE', 'ER_BAD_DB_ERROR']);

/** The server's state, read on an open connection. */
export async function readServerState(connection, { statefulSet, podAt = () => null }) {
  const variables = await firstRow(
    connection,
    'SELECT @@server_id AS serverId, @@read_only AS readOnly, @@gtid_current_pos AS gtid, @@gtid_binlog_pos AS binlogGtid',
  );
  let clusterId = null;
  try {
    clusterId = (await firstRow(connection, 'SELECT cluster_id AS clusterId FROM meta.cluster LIMIT 1'))?.clusterId ?? null;
  } catch (error) {
    if (!NOT_INITIALIZED.has(error.code)) throw error;
  }
  const status = await firstRow(connection, 'SHOW SLAVE STATUS');
  const replication = status?.Master_Host
    ? {
        source: podOfServerId(Number(status.Master_Server_Id), statefulSet) ?? podAt(status.Master_Host),
        host: status.Master_Host,
        port: Number(status.Master_Port),
        io: status.Slave_IO_Running,
        sql: status.Slave_SQL_Running,
        error: status.Last_IO_Error || status.Last_SQL_Error || '',
      }
    : null;
  const readOnly = Boolean(Number(variables.readOnly));
  const role = replication ? 'replica' : readOnly ? 'read-only, no source' : 'primary';
  return { clusterId, serverId: Number(variables.serverId), readOnly, gtid: variables.gtid, binlogGtid: variables.binlogGtid, role, replication };
}

/** The `ClusterReport` bootstrap() wants, from a server's state: its cluster, and who its primary is. */
export function clusterReport(state, podName) {
  if (!state.clusterId) return null;
  const primary = state.role === 'primary' ? podName : state.replication?.source;
  return { clusterId: state.clusterId, ...(primary ? { primary } : {}), role: state.role, gtid: state.gtid };
}

/**
 * This pod's own report, as its sidecar serves it on `GET /report`: what its database says
 * (cluster, role, primary) and whether the pod is draining, which only the sidecar knows.
 */
export async function ownReport(admin, { podName, statefulSet, podAt, draining }) {
  const report = await withConnection(admin, async (connection) => clusterReport(await readServerState(connection, { statefulSet, podAt }), podName));
  return { ...report, draining };
}

/**
 * The bootstrap probe (and the split checks'): ask `peer`'s sidecar for its report. A sidecar
 * whose database does not answer says 503, and the peer counts as "could not be asked".
 */
export async function askPeer(peer, signal, { sidecarPort }) {
  const response = await fetch(`http://${peer.addresses[0]}:${sidecarPort}/report`, { signal });
  if (!response.ok) throw new Error(`${peer.name}'s sidecar answered ${response.status}: ${(await response.text()).trim()}`);
  return response.json();
}

/** The readiness check: `peer`'s database accepts a login and answers a ping. */
export function databaseAnswers(peer, signal, { credentials }) {
  return withConnection(peerConnection(peer.addresses[0], peer.port, credentials), async (connection) => (await connection.ping(), true), signal);
}
