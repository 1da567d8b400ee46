// The replication statements the sidecar (and, for a failover, the operator) runs on the pod's
// own server, as its administrator. MariaDB GTIDs: a replica asks its source for everything after
// its gtid_slave_pos (MASTER_USE_GTID = slave_pos), so it resumes where it stopped, from any
// source that has those transactions in its binary log.

/**
 * A fresh clone: start replicating after the clone's GTID position. Its binary log starts empty;
 * giving it the clone's GTID state too means whoever later clones from this pod, or replicates
 * from it after a failover, starts from the right place.
 */
export async function adoptClonePosition(connection, gtid) {
  await connection.query('RESET MASTER');
  if (gtid) await connection.query('SET GLOBAL gtid_binlog_state = ?', [gtid]);
  await connection.query('SET GLOBAL gtid_slave_pos = ?', [gtid]);
}

/** Replicate from `host:port` with the replication user, read-only; the source may be new or moved. */
export async function replicateFrom(connection, { host, port, credentials }) {
  await connection.query('SET GLOBAL read_only = ON');
  await connection.query('STOP SLAVE');
  await connection.query(
    'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1',
    [host, port, credentials.user, credentials.password],
  );
  await connection.query('START SLAVE');
}

/** Take writes: no replication source, read_only off. Also what promoting a replica means. */
export async function actAsPrimary(connection) {
  await connection.query('STOP SLAVE');
  await connection.query('RESET SLAVE ALL');
  await connection.query('SET GLOBAL read_only = OFF');
}

/** Hold the cluster's data, read-only, replicating from nobody (until a failover says whom). */
export async function stayReadOnly(connection) {
  await connection.query('SET GLOBAL read_only = ON');
}
