// The application's data, and the checks on it: a client writes rows on the primary over TCP as
// an ordinary user (no privilege to bypass read_only), and every pod's own database, read on its
// socket, must end up holding exactly the rows written, in order.
import { adminConnection, peerConnection, withConnection } from './sql.mjs';

/** Run once on the first primary, by the operator; replicated to everyone like any other change. */
export async function createAppSchema(primary, app) {
  await withConnection(adminConnection(primary.socketPath), async (connection) => {
    await connection.query('CREATE DATABASE app');
    await connection.query('CREATE TABLE app.notes (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(200) NOT NULL) ENGINE=InnoDB');
    await connection.query("CREATE USER ?@'%' IDENTIFIED BY ?", [app.user, app.password]);
    await connection.query("GRANT SELECT, INSERT ON app.* TO ?@'%'", [app.user]);
  });
}

/** Insert `count` rows on `pod` as the app user; returns them as `id:note`. */
export async function writeRows(pod, { port, app }, label, count) {
  return withConnection(peerConnection(pod.address, port, app), async (connection) => {
    const written = [];
    for (let index = 1; index <= count; index++) {
      const note = `${label} #${index}`;
      const [result] = await connection.query('INSERT INTO app.notes (note) VALUES (?)', [note]);
      written.push(`${result.insertId}:${note}`);
    }
    return written;
  });
}

/** The rows `pod`'s own database holds, as `id:note` (none before the app's table exists). */
export async function readRows(pod) {
  return withConnection(adminConnection(pod.socketPath), async (connection) => {
    try {
      const [rows] = await connection.query('SELECT id, note FROM app.notes ORDER BY id');
      return rows.map((row) => `${row.id}:${row.note}`);
    } catch (error) {
      if (error.code === 'ER_NO_SUCH_TABLE' || error.code === 'ER_BAD_DB_ERROR') return [];
      throw error;
    }
  });
}

/** The error a write to `pod` gets, or null if it was accepted (a check that `pod` is read-only). */
export async function refusedWrite(pod, { port, app }) {
  try {
    await writeRows(pod, { port, app }, 'must be refused', 1);
    return null;
  } catch (error) {
    return error.code ?? error.message;
  }
}

/** Wait until every running pod holds exactly `expected`; resolves with what each one holds. */
export async function expectRowsEverywhere(statefulSet, expected) {
  const wanted = expected.join('\n');
  let seen = {};
  const check = async () => {
    seen = {};
    for (const pod of statefulSet.running) seen[pod.name] = await readRows(pod);
    return Object.values(seen).every((rows) => rows.join('\n') === wanted);
  };
  try {
    await statefulSet.wait(`every pod holds the ${expected.length} rows written`, check, { timeoutMs: 90_000, intervalMs: 200 });
  } catch (error) {
    const counts = Object.entries(seen).map(([name, rows]) => `${name}: ${rows.join('\n') === wanted ? 'all' : rows.length} rows`);
    error.message += ` — ${counts.join(', ') || 'no pod could be read'}`;
    throw error;
  }
  return seen;
}
