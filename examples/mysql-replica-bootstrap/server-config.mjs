// The mariadbd configuration of one pod, written by its init step (as the tutorial's init-mysql
// writes server-id.cnf) and read by the server (`mariadbd --defaults-file=…`).
//
// - server-id is 100 + ordinal, as in the Kubernetes tutorial (0 is reserved), so a replica's
//   `Master_Server_Id` names the pod it replicates from.
// - Every pod writes a binary log with the changes it replicates (log-slave-updates) and GTIDs,
//   so any of them can be cloned from, or promoted.
// - It always starts read-only and without replicating (skip-slave-start): the sidecar decides
//   what it is from the bootstrap decision, not from whatever the data dir last did.
import { writeFile } from 'node:fs/promises';

export const SERVER_ID_BASE = 100;

export const serverIdOf = (ordinal) => SERVER_ID_BASE + ordinal;

/** The pod whose server id this is (`mysql-2` for 102), or null for 0 (never connected). */
export const podOfServerId = (serverId, statefulSet) => (serverId > SERVER_ID_BASE - 1 ? `${statefulSet}-${serverId - SERVER_ID_BASE}` : null);

/** Options every mariadbd here gets, the temporary ones of the init step included. */
export function commonOptions({ runAsRoot }) {
  return {
    ...(runAsRoot ? { user: 'root' } : {}),
    'skip-name-resolve': true,
    // Small and quick: a laptop runs five of them next to each other.
    'innodb-buffer-pool-size': '32M',
    'innodb-log-file-size': '8M',
    'max-connections': 64,
  };
}

export function serverOptions({ podName, ordinal, address, port, dataDir, runDir, runAsRoot }) {
  return {
    datadir: dataDir,
    socket: `${runDir}/mysqld.sock`,
    'pid-file': `${runDir}/mysqld.pid`,
    'log-error': `${runDir}/mariadbd.err`,
    'bind-address': address,
    port,
    'server-id': serverIdOf(ordinal),
    'report-host': podName,
    'log-bin': 'mysql-bin',
    'log-slave-updates': true,
    'relay-log': 'relay-bin',
    'binlog-format': 'ROW',
    'gtid-strict-mode': 'ON',
    'read-only': 'ON',
    'skip-slave-start': true,
    ...commonOptions({ runAsRoot }),
  };
}

/** `options` as the `[mariadbd]` group of an option file. */
export function optionFile(options) {
  const lines = Object.entries(options).map(([key, value]) => (value === true ? key : `${key}=${value}`));
  return `[mariadbd]\n${lines.join('\n')}\n`;
}

/** `options` as command-line flags, for the tools that take no option file. */
export const optionFlags = (options) => Object.entries(options).map(([key, value]) => (value === true ? `--${key}` : `--${key}=${value}`));

export async function writeServerConfig(path, options) {
  await writeFile(path, optionFile(options));
}
