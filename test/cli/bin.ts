/**
 * Running the real `headless-discovery` bin (from `dist/`, as npm installs it) as a child
 * process: to completion, or as a `watch` whose NDJSON records a test waits for (with a
 * generous deadline, never a fixed sleep). The child's environment is only what a test gives
 * (and PATH): no HOME, so no `~/.kube/config` of the machine is ever read.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

export const root = join(import.meta.dirname, '..', '..');
export const bin = join(root, 'dist', 'cli.js');
const run = promisify(execFile);

/** What a finished run printed, and its exit code. */
export interface BinResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the bin to completion; never rejects on a non-zero exit. */
export async function cli(args: string[], env: Record<string, string> = {}): Promise<BinResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** An NDJSON record of `watch`. */
export type WatchRecord = Record<string, unknown>;

/** A running `watch`. */
export interface WatchSession {
  readonly child: ChildProcess;
  /** Every record so far, in order. */
  readonly records: WatchRecord[];
  /** The first record (seen or still to come) for which `test` holds; rejects after `timeoutMs`. */
  next(test: (record: WatchRecord) => boolean, timeoutMs?: number): Promise<WatchRecord>;
  /** The first record after the `index`-th for which `test` holds. */
  after(index: number, test: (record: WatchRecord) => boolean, timeoutMs?: number): Promise<WatchRecord>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  /** Send `signal` (Ctrl-C by default) and resolve with the exit code; rejects, with what stderr said, if it has not exited after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/** Start `watch` and read its NDJSON records as they come; `children` collects it for the test's cleanup. */
export function watch(args: string[], env: Record<string, string>, children: ChildProcess[]): WatchSession {
  const child = spawn(process.execPath, [bin, 'watch', ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const records: WatchRecord[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const waiters: Array<{ from: number; test: (record: WatchRecord) => boolean; resolve: (record: WatchRecord) => void }> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const record = JSON.parse(line) as WatchRecord;
    records.push(record);
    for (const waiter of [...waiters]) {
      if (records.length - 1 >= waiter.from && waiter.test(record)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(record);
      }
    }
  });
  const after = (index: number, test: (record: WatchRecord) => boolean, timeoutMs = 20_000): Promise<WatchRecord> => {
    const seen = records.slice(index + 1).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching record within ${timeoutMs} ms; got ${JSON.stringify(records).slice(0, 4000)}; stderr: ${stderr.slice(0, 2000)}`)), timeoutMs);
      waiters.push({ from: index + 1, test, resolve: (record) => (clearTimeout(timer), resolve(record)) });
    });
  };
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = (signal: NodeJS.Signals = 'SIGINT', timeoutMs = 20_000): Promise<number | null> => {
    child.kill(signal);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch did not exit within ${timeoutMs} ms of ${signal}; stderr: ${stderr.slice(0, 2000)}`)), timeoutMs);
      void exited.then((code) => (clearTimeout(timer), resolve(code)));
    });
  };
  return { child, records, next: (test, timeoutMs) => after(-1, test, timeoutMs), after, exited, stop };
}

/** The name of a record's `peer`. */
export const peerName = (record: WatchRecord): unknown => (record['peer'] as { name?: string } | undefined)?.name;
