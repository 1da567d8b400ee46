// Run a MariaDB tool to completion: resolve with its stdout, reject with the tail of its stderr
// (what the tool said went wrong) when it exits non-zero or is killed. An abort kills it.
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export function runCommand(file, args, { input, signal, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], signal, env: env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = `${stderr}${chunk}`.slice(-8000)));
    child.on('error', reject);
    child.on('close', (code, killed) => {
      if (code === 0) return resolve(stdout);
      const tail = stderr.trim().split('\n').slice(-6).join('\n');
      reject(new Error(`${file} ${args[0] ?? ''} failed (${killed ?? `exit ${code}`}):\n${tail}`));
    });
    child.stdin.on('error', () => undefined); // a tool that exits early closes its stdin
    child.stdin.end(input ?? '');
  });
}

/** Resolve once `child` exits with 0; reject with `what` and the tail of its stderr otherwise. */
export function exitOf(child, what) {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk) => (stderr = `${stderr}${chunk}`.slice(-8000)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      reject(new Error(`${what} failed (${signal ?? `exit ${code}`}):\n${stderr.trim().split('\n').slice(-6).join('\n')}`));
    });
  });
}

/**
 * Pipe a fetch body (through `through`, if given) into `child`'s stdin and wait for it to exit 0.
 * When the tool fails, its own error is the one worth reporting, not the EPIPE it caused.
 */
export async function streamInto(body, child, what, signal, ...through) {
  const exited = exitOf(child, what);
  const [piped, tool] = await Promise.allSettled([pipeline(Readable.fromWeb(body), ...through, child.stdin, { signal }), exited]);
  if (tool.status === 'rejected') throw tool.reason;
  if (piped.status === 'rejected') throw piped.reason;
}
