// Connections with the mysql2 driver: as the database's administrator over the pod's unix
// socket (the OS user, authenticated by MariaDB's unix_socket plugin, as `kubectl exec … mariadb`
// would be), or to a peer over TCP with the replication user's credentials (from the Secret).
import { userInfo } from 'node:os';
import mysql from 'mysql2/promise';

/** The account mariadb-install-db gives the OS user that ran it (root, or that user). */
export const ADMIN_USER = userInfo().username;

export const adminConnection = (socketPath) => ({ socketPath, user: ADMIN_USER, connectTimeout: 5000 });

export const peerConnection = (host, port, { user, password }) => ({ host, port, user, password, connectTimeout: 3000 });

/** Open a connection, run `use(connection)`, close it (also when `signal` aborts, which rejects). */
export async function withConnection(options, use, signal) {
  signal?.throwIfAborted();
  const connection = await mysql.createConnection({ ...options, multipleStatements: false });
  const onAbort = () => connection.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await use(connection);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (signal?.aborted) connection.destroy();
    else await connection.end().catch(() => connection.destroy());
  }
}

/** The first row of a query, or null. */
export async function firstRow(connection, sql, values) {
  const [rows] = await connection.query(sql, values);
  return rows[0] ?? null;
}

export const escape = mysql.escape;

/** Resolve once a server accepts `options` and answers a ping; retry until `timeoutMs`. */
export async function waitUntilAnswering(options, { signal, timeoutMs = 60_000, what = 'the server' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await withConnection(options, (connection) => connection.ping(), signal);
    } catch (error) {
      signal?.throwIfAborted();
      if (Date.now() > deadline) throw new Error(`${what} did not answer within ${timeoutMs} ms (${error.code ?? error.message})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
