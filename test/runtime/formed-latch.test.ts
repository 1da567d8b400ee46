/**
 * The formed latch on a real file system (a temporary directory): atomic writes, strict reads,
 * and a simulated crash between every step of a write, after which the latch reads as before or
 * as written, complete, never as an error and never half.
 */
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FormedLatch, latchWithFileSystem, type LatchFileHandle, type LatchFileSystem } from '../../src/runtime/formed-latch';

let directory: string;
let path: string;

beforeEach(async () => {
  directory = await fs.mkdtemp(join(tmpdir(), 'formed-latch-'));
  path = join(directory, 'formed-latch.json');
});

afterEach(async () => {
  await fs.rm(directory, { recursive: true, force: true });
});

class Crash extends Error {}

/**
 * The real file system, logging every step, that "crashes" at step `crashAt`: that call and every
 * later one throws, as if the process had died there (no clean-up runs). With `tornWrite`, the
 * crashing `writeFile` first writes half of its data, as a power loss before fsync may leave it.
 */
function crashingFs(crashAt: number, log: string[], tornWrite = false): LatchFileSystem {
  let step = 0;
  let dead = false;
  const at = async <T>(name: string, run: () => Promise<T>, torn?: () => Promise<unknown>): Promise<T> => {
    if (dead) throw new Crash('dead');
    log.push(name);
    if (++step === crashAt) {
      dead = true;
      await torn?.();
      throw new Crash(`crash at ${name}`);
    }
    return run();
  };
  const wrap = (handle: fs.FileHandle, label: string): LatchFileHandle => ({
    stat: () => at(`stat ${label}`, () => handle.stat()),
    readFile: (encoding) => at(`read ${label}`, () => handle.readFile(encoding)),
    writeFile: (data) => at(`write ${label}`, () => handle.writeFile(data), tornWrite ? () => handle.writeFile(data.slice(0, data.length / 2)) : undefined),
    sync: () => at(`fsync ${label}`, () => handle.sync()),
    close: () => (dead ? handle.close().then(() => Promise.reject(new Crash('dead'))) : at(`close ${label}`, () => handle.close())),
  });
  const label = (file: string): string => (file === directory ? 'dir' : file === path ? 'latch' : 'temp');
  return {
    open: (file, flags, mode) => at(`open ${label(file)} ${flags}`, async () => wrap(await fs.open(file, flags, mode), label(file))),
    rename: (from, to) => at(`rename ${label(from)} → ${label(to)}`, () => fs.rename(from, to)),
    unlink: (file) => at(`unlink ${label(file)}`, () => fs.unlink(file)),
    readdir: (dir) => at('readdir', () => fs.readdir(dir)),
    stat: (file) => at(`stat ${label(file)}`, () => fs.stat(file)),
  };
}

const leftovers = async (): Promise<string[]> => (await fs.readdir(directory)).filter((name) => name.endsWith('.tmp'));

describe('FormedLatch', () => {
  it('reads null when the file does not exist, then what was written', async () => {
    const latch = new FormedLatch(path);
    expect(latch.path).toBe(path);
    expect(await latch.read()).toBeNull();
    const record = await latch.write('c-1', { podName: 'kv-0' });
    expect(record).toMatchObject({ clusterId: 'c-1', podName: 'kv-0' });
    expect(await new FormedLatch(path).read()).toEqual(record);
    expect(await leftovers()).toEqual([]);
  });

  it('writes through a temporary file in the same directory: fsync, rename, fsync of the directory', async () => {
    const log: string[] = [];
    await latchWithFileSystem(path, crashingFs(0, log)).write('c-1');
    expect(log.filter((step) => !step.startsWith('close'))).toEqual([
      'open latch r',
      'stat dir',
      'readdir',
      'open temp wx',
      'write temp',
      'fsync temp',
      'rename temp → latch',
      'open dir r',
      'fsync dir',
    ]);
  });

  it('a crash at any step of a write leaves the old state or the new one, complete, and no error', async () => {
    const steps = 12;
    for (let crashAt = 1; crashAt <= steps; crashAt++) {
      for (const tornWrite of [false, true]) {
        await fs.rm(path, { force: true });
        const log: string[] = [];
        const crashed = await latchWithFileSystem(path, crashingFs(crashAt, log, tornWrite))
          .write('c-1')
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        // After the "reboot", a latch on the real file system.
        const after = await new FormedLatch(path).read();
        if (after !== null) expect(after.clusterId).toBe('c-1');
        if (log.at(-1)?.startsWith('rename') && crashed) expect(after).toBeNull();
        if (log.includes('fsync dir') && !crashed) expect(after?.clusterId).toBe('c-1');
        // Whatever was left behind, the next write succeeds and cleans up.
        expect((await new FormedLatch(path).write('c-1')).clusterId).toBe('c-1');
        expect(await leftovers()).toEqual([]);
      }
    }
  });

  it('ignores a truncated temporary file left by a crash', async () => {
    await fs.writeFile(join(directory, '.formed-latch.json.123.abc.tmp'), '{"kind":"headless-discovery/formed-la');
    expect(await new FormedLatch(path).read()).toBeNull();
    await new FormedLatch(path).write('c-1');
    expect(await leftovers()).toEqual([]);
  });

  it('a truncated or empty latch is ERR_LATCH_INVALID, never "no latch", and is not overwritten', async () => {
    const latch = new FormedLatch(path);
    const text = await latch.write('c-1').then(() => fs.readFile(path, 'utf8'));
    for (const broken of [text.slice(0, text.length / 2), '']) {
      await fs.writeFile(path, broken);
      await expect(latch.read()).rejects.toMatchObject({ code: 'ERR_LATCH_INVALID', path });
      await expect(latch.write('c-1')).rejects.toMatchObject({ code: 'ERR_LATCH_INVALID' });
      expect(await fs.readFile(path, 'utf8')).toBe(broken);
    }
    await fs.writeFile(path, 'x'.repeat(70_000));
    await expect(latch.read()).rejects.toMatchObject({ code: 'ERR_LATCH_INVALID' });
  });

  it('a latch that cannot be read is ERR_LATCH_UNREADABLE: a missing directory, a directory at its path, a refused open', async () => {
    await expect(new FormedLatch(join(directory, 'not-mounted', 'latch.json')).read()).rejects.toMatchObject({ code: 'ERR_LATCH_UNREADABLE' });
    await expect(new FormedLatch(join(directory, 'not-mounted', 'latch.json')).read()).rejects.toThrow('is the volume mounted?');
    await fs.mkdir(path);
    await expect(new FormedLatch(path).read()).rejects.toMatchObject({ code: 'ERR_LATCH_UNREADABLE' });
    await fs.rmdir(path);
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const refusing: LatchFileSystem = { ...crashingFs(0, []), open: () => Promise.reject(denied) };
    const error = await latchWithFileSystem(path, refusing).read().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_LATCH_UNREADABLE', cause: denied });
  });

  it('records one cluster for the life of the volume: the same id again is a no-op, another is ERR_LATCH_CONFLICT', async () => {
    const latch = new FormedLatch(path);
    const first = await latch.write('c-1');
    const before = await fs.stat(path);
    expect(await latch.write('c-1')).toEqual(first);
    expect((await fs.stat(path)).mtimeMs).toBe(before.mtimeMs);
    await expect(latch.write('c-2')).rejects.toMatchObject({ code: 'ERR_LATCH_CONFLICT', path });
    expect(await latch.read()).toEqual(first);
  });

  it('concurrent writes are serialized: one wins, the other conflicts', async () => {
    const latch = new FormedLatch(path);
    const results = await Promise.allSettled([latch.write('c-1'), latch.write('c-2'), latch.write('c-1')]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await latch.read())?.clusterId).toBe('c-1');
  });

  it('a failed write is ERR_LATCH_WRITE, records nothing and leaves no temporary file', async () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const real = crashingFs(0, []);
    const failing: LatchFileSystem = {
      ...real,
      open: async (file, flags, mode) => {
        const handle = await real.open(file, flags, mode);
        return flags === 'wx' ? { ...handle, writeFile: () => Promise.reject(full) } : handle;
      },
    };
    const error = await latchWithFileSystem(path, failing).write('c-1').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_LATCH_WRITE', cause: full });
    expect(await new FormedLatch(path).read()).toBeNull();
    expect(await leftovers()).toEqual([]);
  });

  it('rejects a bad path or cluster id as ERR_INVALID_OPTION', async () => {
    expect(() => new FormedLatch('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'latch' }));
    await expect(new FormedLatch(path).write('')).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'clusterId' });
    await expect(new FormedLatch(path).write('a\nb')).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });
});
