// The pod's PersistentVolume: the MariaDB data dir, and next to it the small files the bootstrap
// needs, since nothing can be read out of InnoDB without starting the server:
//
// - cluster.json: the cluster this data belongs to, written once the data dir is complete (after
//   mariadb-install-db, or after a clone was prepared). It is `local` for bootstrap(). A data dir
//   without it was interrupted half-way and is thrown away.
// - formed-latch.json: the library's formed latch (`FormedLatch`), written by the decision's
//   `confirm()` once the pod has joined (its role applied): "this pod has been a member of cluster
//   X". A pod whose volume holds it never initializes again, whatever its data looks like; it is
//   kept when a half-done data dir is thrown away, and lost with the volume, like the data.
// - position.json: the GTID position a fresh clone stopped at, for the sidecar to start
//   replicating from; removed once applied, so it is applied at most once (as the tutorial
//   renames xtrabackup_binlog_info).
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const dataDirOf = (volume) => join(volume, 'data');
export const incomingDirOf = (volume) => join(volume, 'incoming');
export const latchFileOf = (volume) => join(volume, 'formed-latch.json');
const clusterFile = (volume) => join(volume, 'cluster.json');
const positionFile = (volume) => join(volume, 'position.json');

async function readJson(path) {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
}

async function writeJson(path, value) {
  await writeFile(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

/** `{ clusterId, … }` when the volume holds a complete data dir of a cluster, else null (and any half-done work is removed). */
export async function readLocalState(volume) {
  await mkdir(volume, { recursive: true });
  const state = await readJson(clusterFile(volume));
  if (!state) {
    await rm(dataDirOf(volume), { recursive: true, force: true });
    await rm(positionFile(volume), { force: true });
  }
  await rm(incomingDirOf(volume), { recursive: true, force: true });
  return state;
}

/**
 * Move a completed data dir from incoming/ into place and record whose it is, the clone's
 * position first: until cluster.json exists, readLocalState() throws all of it away.
 */
export async function commitDataDir(volume, state, position = null) {
  if (position) await writeJson(positionFile(volume), position);
  await rename(incomingDirOf(volume), dataDirOf(volume));
  await writeJson(clusterFile(volume), state);
}

export const readPendingPosition = (volume) => readJson(positionFile(volume));
export const clearPendingPosition = (volume) => rm(positionFile(volume), { force: true });
