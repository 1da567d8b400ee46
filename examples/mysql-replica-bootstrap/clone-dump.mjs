// Cloning without mariadb-backup: a consistent logical dump (mariadb-dump --single-transaction)
// of the donor's databases and users, with the GTID position it is consistent with (--gtid
// --master-data=2 writes it as a comment). The joiner loads it into a fresh data dir through a
// temporary server that listens on a unix socket only, as database images do for init scripts.
// Slower than a physical backup, and it locks the donor's tables briefly; it needs only the
// server packages.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { exitOf, streamInto } from './command.mjs';
import { installDataDir } from './initialize.mjs';
import { commonOptions, optionFlags } from './server-config.mjs';
import { ADMIN_USER, adminConnection, waitUntilAnswering, withConnection } from './sql.mjs';

const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'];

/** Donor: stream a dump of every non-system database and the users into `response`. */
export async function sendDump(response, { tools, socketPath }) {
  const databases = await withConnection(adminConnection(socketPath), async (connection) => {
    const [rows] = await connection.query('SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name NOT IN (?)', [SYSTEM_SCHEMAS]);
    return rows.map((row) => row.name);
  });
  const dump = spawn(
    tools['mariadb-dump'],
    [
      '--no-defaults',
      `--socket=${socketPath}`,
      `--user=${ADMIN_USER}`,
      '--single-transaction',
      '--gtid',
      '--master-data=2',
      '--routines',
      '--events',
      '--triggers',
      '--system=users',
      '--insert-ignore', // CREATE USER IF NOT EXISTS: the fresh data dir has root already
      '--databases',
      ...databases,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const done = exitOf(dump, 'mariadb-dump');
  response.on('close', () => dump.exitCode === null && dump.kill('SIGTERM'));
  response.writeHead(200, { 'content-type': 'application/sql' });
  dump.stdout.pipe(response, { end: false });
  try {
    await done;
    response.end();
  } catch (error) {
    response.destroy();
    throw error;
  }
}

/** Joiner: load the dump into a fresh data dir at `dataDir`; return the GTID position it is consistent with. */
export async function receiveDump(body, { tools, dataDir, runDir, runAsRoot, signal }) {
  await installDataDir({ dataDir, tools, runAsRoot, signal });
  const server = optionFlags(commonOptions({ runAsRoot }));
  const socketPath = join(runDir, 'load.sock');
  const loader = spawn(tools.mariadbd, ['--no-defaults', `--datadir=${dataDir}`, '--skip-networking', `--socket=${socketPath}`, `--pid-file=${join(runDir, 'load.pid')}`, ...server], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const loaderExit = exitOf(loader, 'the temporary mariadbd');
  const exitedEarly = loaderExit.then(() => {
    throw new Error('the temporary mariadbd exited before the dump was loaded');
  });
  exitedEarly.catch(() => undefined);
  try {
    await Promise.race([waitUntilAnswering(adminConnection(socketPath), { signal, what: 'the temporary mariadbd' }), exitedEarly]);
    const scan = dumpScanner();
    const client = spawn(tools.mariadb, ['--no-defaults', `--socket=${socketPath}`, `--user=${ADMIN_USER}`], { stdio: ['pipe', 'ignore', 'pipe'], signal });
    await streamInto(body, client, 'loading the dump (mariadb)', signal, scan);
    if (!scan.completed) throw new Error('the dump ended before "-- Dump completed": the donor stopped half-way');
    return { gtid: scan.gtid };
  } finally {
    loader.kill('SIGTERM');
    await loaderExit.catch(() => undefined);
  }
}

/** Passes the dump through, noting its GTID position and whether it reached its last line. */
function dumpScanner() {
  let partial = '';
  const scanner = new Transform({
    transform(chunk, _encoding, callback) {
      const lines = (partial + chunk.toString('latin1')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) inspect(line);
      callback(null, chunk);
    },
    flush(callback) {
      inspect(partial);
      callback();
    },
  });
  scanner.gtid = '';
  scanner.completed = false;
  const inspect = (line) => {
    const position = /^-- SET GLOBAL gtid_slave_pos='([^']*)'/.exec(line);
    if (position) scanner.gtid = position[1];
    if (line.startsWith('-- Dump completed')) scanner.completed = true;
  };
  return scanner;
}
