// Cloning with mariadb-backup, streamed, as the Kubernetes tutorial does with xtrabackup: the
// donor's sidecar streams a hot physical backup of its data dir (xbstream), the joiner unpacks
// it with mbstream and prepares it. The backup records the donor's GTID position at the moment it
// was consistent (xtrabackup_binlog_info), which is where the joiner starts replicating.
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exitOf, runCommand, streamInto } from './command.mjs';
import { ADMIN_USER } from './sql.mjs';

/** Donor: stream a backup of the local server into `response`; destroy it if the backup fails. */
export async function sendBackup(response, { tools, socketPath, dataDir }) {
  const backup = spawn(
    tools['mariadb-backup'],
    ['--no-defaults', '--backup', '--stream=xbstream', `--socket=${socketPath}`, `--user=${ADMIN_USER}`, `--datadir=${dataDir}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const done = exitOf(backup, 'mariadb-backup --backup');
  response.on('close', () => backup.exitCode === null && backup.kill('SIGTERM'));
  response.writeHead(200, { 'content-type': 'application/octet-stream' });
  // Ended only when the backup succeeded: a response cut short is how the joiner learns it failed.
  backup.stdout.pipe(response, { end: false });
  try {
    await done;
    response.end();
  } catch (error) {
    response.destroy();
    throw error;
  }
}

/** Joiner: unpack the stream into `dataDir`, prepare it, and return the GTID position it stopped at. */
export async function receiveBackup(body, { tools, dataDir, signal }) {
  await mkdir(dataDir, { recursive: true });
  const unpack = spawn(tools.mbstream, ['-x', '-C', dataDir], { stdio: ['pipe', 'ignore', 'pipe'], signal });
  await streamInto(body, unpack, 'mbstream -x', signal);
  await runCommand(tools['mariadb-backup'], ['--no-defaults', '--prepare', `--target-dir=${dataDir}`], { signal });
  return { gtid: await backupGtid(dataDir) };
}

/** `mysql-bin.000001<TAB>531<TAB>0-100-6`: the GTID column (absent when the donor had written nothing). */
async function backupGtid(dataDir) {
  for (const name of ['mariadb_backup_binlog_info', 'xtrabackup_binlog_info']) {
    try {
      const [, , gtid = ''] = (await readFile(join(dataDir, name), 'utf8')).trim().split('\t');
      return gtid;
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
  }
  return '';
}
