/**
 * `npm start` must keep working: it runs `headless-discovery demo` from the built package; run
 * it the same way and check that it tells the story it promises.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

describe('the npm start demo', () => {
  it('runs to completion and shows joins, the seed, an update, an outage and leaves', async () => {
    expect(existsSync(join(root, 'dist', 'cli.js')), 'the package is built (npm test builds it first)').toBe(true);
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts['start']).toBe('node dist/cli.js demo');
    const { stdout } = await run(process.execPath, [join(root, 'dist', 'cli.js'), 'demo'], {
      cwd: root,
      timeout: 60_000,
    });
    for (const expected of [
      /join\s+mysql-0/,
      /seed\s+mysql-0 \(was none\)/,
      /join\s+mysql-4/,
      /update\s+mysql-2: \S+ → \S+/,
      /error\s+ERR_DNS_TIMEOUT/,
      /5 peers kept, stale since/,
      /stale\s+keeping 5 peers/,
      /fresh\s+5 peers/,
      /leave\s+mysql-2/,
      /leave\s+mysql-4/,
      /membership #\d+: ★mysql-0\s+mysql-1\s/,
      /── done/,
    ]) {
      expect(stdout).toMatch(expected);
    }
    expect(stdout).not.toMatch(/leave\s+mysql-[01]\b/);
  });
});
