// `initialize`: create the cluster's first data dir. mariadb-install-db writes the system tables;
// then mariadbd --bootstrap (no networking, nothing binlogged) records the cluster's identity in
// meta.cluster, which every clone carries and every pod's probe answers with, and creates the
// replication user from the Secret, which peers use to replicate and to ask this pod questions.
import { mkdir } from 'node:fs/promises';
import { runCommand } from './command.mjs';
import { commonOptions, optionFlags } from './server-config.mjs';
import { ADMIN_USER, escape } from './sql.mjs';

/** An empty data dir with the system tables; the OS user that runs this administers it over the socket. */
export async function installDataDir({ dataDir, tools, runAsRoot, signal }) {
  await mkdir(dataDir, { recursive: true });
  await runCommand(
    tools['mariadb-install-db'],
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=socket',
      ...(runAsRoot ? [] : [`--auth-root-socket-user=${ADMIN_USER}`]),
      '--skip-test-db',
      ...optionFlags(commonOptions({ runAsRoot })),
    ],
    { signal },
  );
}

export async function initializeDataDir({ dataDir, clusterId, podName, replication, tools, runAsRoot }) {
  await installDataDir({ dataDir, tools, runAsRoot });
  const server = optionFlags(commonOptions({ runAsRoot }));
  const account = `${escape(replication.user)}@'%'`;
  const sql = [
    // --bootstrap runs without the grant tables loaded; this loads them so CREATE USER works.
    'FLUSH PRIVILEGES;',
    'CREATE DATABASE meta;',
    'CREATE TABLE meta.cluster (cluster_id VARCHAR(64) NOT NULL PRIMARY KEY, initialized_by VARCHAR(64) NOT NULL, initialized_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB;',
    `INSERT INTO meta.cluster (cluster_id, initialized_by) VALUES (${escape(clusterId)}, ${escape(podName)});`,
    `CREATE USER ${account} IDENTIFIED BY ${escape(replication.password)};`,
    // Replicate; read SHOW SLAVE STATUS and the cluster's identity (the bootstrap probe).
    `GRANT REPLICATION SLAVE, SLAVE MONITOR ON *.* TO ${account};`,
    `GRANT SELECT ON meta.* TO ${account};`,
  ].join('\n');
  // A failed statement makes mariadbd --bootstrap exit 1, with the statement's error on stderr.
  await runCommand(tools.mariadbd, ['--no-defaults', '--bootstrap', `--datadir=${dataDir}`, '--log-warnings=0', ...server], { input: sql });
}
