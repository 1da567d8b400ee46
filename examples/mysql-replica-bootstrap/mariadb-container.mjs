// The mariadb container of one pod: `mariadbd --defaults-file=<my.cnf the init step wrote>`, in
// the foreground, logging to mariadbd.err in the pod's run dir. SIGTERM is a clean shutdown;
// SIGINT it ignores, so a Ctrl-C in the terminal leaves the stopping to run.mjs.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export function startMariadb({ tools, runDir }) {
  const child = spawn(tools.mariadbd, [`--defaults-file=${join(runDir, 'my.cnf')}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = `${stderr}${chunk}`.slice(-4000)));
  const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    exited,
    /** The last lines mariadbd wrote, for a failure message. */
    async logTail(lines = 8) {
      const log = await readFile(join(runDir, 'mariadbd.err'), 'utf8').catch(() => '');
      return `${log}${stderr}`.trim().split('\n').slice(-lines).join('\n');
    },
  };
}
