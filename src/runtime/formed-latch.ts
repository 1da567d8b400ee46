/**
 * The formed latch on disk: a small file on the pod's own volume that says "this pod has been a
 * member of cluster X". Written atomically (a temporary file in the same directory, fsync, rename
 * over the latch, fsync of the directory), so that after a crash at any point the path holds the
 * old content or the new one, complete, and a temporary file at most. Read strictly: only a
 * missing file in an existing directory is "no latch"; anything else that is not a complete latch
 * is an error with a stable code.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { clusterIdProblem, parseLatch, serializeLatch, type LatchRecord } from '../bootstrap/latch';
import { InvalidOptionError, LatchError } from '../errors';

/** A latch is a few hundred bytes; anything much larger at its path is not one. */
const MAX_LATCH_BYTES = 64 * 1024;

/** The file operations a latch uses (those of `node:fs/promises`); a test seam, to crash between steps. */
export interface LatchFileSystem {
  open(path: string, flags: string, mode?: number): Promise<LatchFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<{ isDirectory(): boolean }>;
}

/** The file-handle operations a latch uses. */
export interface LatchFileHandle {
  stat(): Promise<{ readonly size: number; isFile(): boolean }>;
  readFile(encoding: 'utf8'): Promise<string>;
  writeFile(data: string): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

const seams = new WeakMap<FormedLatch, LatchFileSystem>();

/** A latch that does its file operations through `fileSystem`: for tests that crash between the steps of a write. */
export function latchWithFileSystem(path: string, fileSystem: LatchFileSystem): FormedLatch {
  const latch = new FormedLatch(path);
  seams.set(latch, fileSystem);
  return latch;
}

/**
 * The formed latch of this pod: a file on its own volume recording the cluster it has been a
 * member of. Give it to `discovery.bootstrap({ latch })`, which reads it before deciding and
 * writes it when you call `confirm()` on the decision; or read it yourself for
 * `decideBootstrap({ latch: await latch.read() })` and `write()` it once your app has joined.
 * Put it on the volume that holds the app's data (so it is lost exactly when the data is), in a
 * directory that exists.
 */
export class FormedLatch {
  /** The latch file's absolute path. */
  readonly path: string;
  #writing: Promise<unknown> = Promise.resolve();

  /** A latch at `path` (resolved against the working directory). Nothing is read or written yet. */
  constructor(path: string) {
    if (typeof path !== 'string' || path.trim() === '') throw new InvalidOptionError('latch', 'expected the path of the latch file, e.g. "/data/formed-latch.json".');
    this.path = resolve(path);
  }

  /**
   * What the latch says: its record, or `null` when the file does not exist (in a directory that
   * does). Rejects with `ERR_LATCH_UNREADABLE` when the file (or its directory) cannot be read, and
   * with `ERR_LATCH_INVALID` when it holds anything but a complete latch: never `null` for those.
   * A temporary file left by an interrupted write is ignored.
   */
  async read(): Promise<LatchRecord | null> {
    const fs = this.#fs;
    let handle: LatchFileHandle;
    try {
      handle = await fs.open(this.path, 'r');
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return this.#absent();
      throw this.#unreadable(error);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new LatchError('ERR_LATCH_UNREADABLE', this.path, `The formed latch ${this.path} is not a regular file.`);
      if (stat.size > MAX_LATCH_BYTES) throw new LatchError('ERR_LATCH_INVALID', this.path, `The formed latch ${this.path} is ${stat.size} bytes: not a latch (at most ${MAX_LATCH_BYTES}).`);
      return parseLatch(await handle.readFile('utf8'), this.path);
    } catch (error) {
      throw error instanceof LatchError ? error : this.#unreadable(error);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /**
   * Record that this pod is a member of `clusterId`, atomically and durably, and resolve with the
   * record. Writing the cluster the latch already names changes nothing. Rejects with
   * `ERR_LATCH_CONFLICT` when the latch names another cluster (a pod is a member of one cluster
   * for the life of its volume: delete the file to move it), with the read errors of `read()`
   * (an unreadable latch is not overwritten), and with `ERR_LATCH_WRITE` when the write fails (the
   * previous state is still in place).
   */
  write(clusterId: string, options: { readonly podName?: string | null } = {}): Promise<LatchRecord> {
    const problem = clusterIdProblem(clusterId);
    if (problem !== undefined) return Promise.reject(new InvalidOptionError('clusterId', `${problem}.`));
    const run = this.#writing.then(() => this.#write(clusterId, options.podName ?? null));
    this.#writing = run.catch(() => undefined);
    return run;
  }

  get #fs(): LatchFileSystem {
    // node:fs/promises is loaded by the first latch read or write, not by importing the library.
    return seams.get(this) ?? (process.getBuiltinModule('node:fs/promises') as unknown as LatchFileSystem);
  }

  async #write(clusterId: string, podName: string | null): Promise<LatchRecord> {
    const existing = await this.read();
    if (existing) {
      if (existing.clusterId === clusterId) return existing;
      throw new LatchError(
        'ERR_LATCH_CONFLICT',
        this.path,
        `The formed latch ${this.path} says this pod has been a member of cluster ${existing.clusterId}; not recording cluster ${clusterId} over it. ` +
          'A pod is a member of one cluster for the life of its volume: delete the latch (and the data) to move it.',
      );
    }
    const record: LatchRecord = { clusterId, podName, writtenAt: new Date().toISOString() };
    const fs = this.#fs;
    const directory = dirname(this.path);
    await this.#removeLeftovers();
    const temporary = join(directory, `${temporaryPrefix(this.path)}${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await fs.open(temporary, 'wx', 0o644);
      try {
        await handle.writeFile(serializeLatch(record));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temporary, this.path);
      // Without this, a power loss right after the rename may bring the old directory entry back.
      const dir = await fs.open(directory, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      return record;
    } catch (error) {
      await fs.unlink(temporary).catch(() => undefined);
      throw new LatchError('ERR_LATCH_WRITE', this.path, `Could not write the formed latch ${this.path}: ${messageOf(error)}. Nothing was recorded.`, { cause: error });
    }
  }

  /** Temporary files of writes that a crash interrupted: harmless, but not left to pile up. */
  async #removeLeftovers(): Promise<void> {
    const fs = this.#fs;
    const directory = dirname(this.path);
    const prefix = temporaryPrefix(this.path);
    const entries = await fs.readdir(directory).catch(() => [] as string[]);
    await Promise.all(entries.filter((name) => name.startsWith(prefix) && name.endsWith('.tmp')).map((name) => fs.unlink(join(directory, name)).catch(() => undefined)));
  }

  /** The file is missing: "no latch" only when its directory exists (else the volume may not be mounted). */
  async #absent(): Promise<null> {
    const directory = dirname(this.path);
    const isDirectory = await this.#fs.stat(directory).then(
      (stat) => stat.isDirectory(),
      () => false,
    );
    if (!isDirectory) {
      throw new LatchError(
        'ERR_LATCH_UNREADABLE',
        this.path,
        `The directory of the formed latch ${this.path} does not exist: is the volume mounted? Create the directory (or put the latch in the volume's mount directory).`,
      );
    }
    return null;
  }

  #unreadable(error: unknown): LatchError {
    return new LatchError('ERR_LATCH_UNREADABLE', this.path, `Could not read the formed latch ${this.path}: ${messageOf(error)}. It is not read as "no latch".`, { cause: error });
  }
}

/** `.formed-latch.json.`: the start of the name of every temporary file of the latch at `path`. */
function temporaryPrefix(path: string): string {
  return `.${basename(path)}.`;
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
