/**
 * docs/cli.md shows sessions captured by running the command; re-running the capture must give
 * the same page, so the documented output cannot drift from what the command prints.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('docs/cli.md', () => {
  it('matches what the command prints today', async () => {
    const result = await promisify(execFile)(process.execPath, [join(root, 'scripts', 'capture-cli.mjs'), '--check'], { cwd: root, timeout: 120_000 }).then(
      () => 0,
      (error: { code?: number; stderr?: string }) => error.stderr ?? String(error.code),
    );
    expect(result).toBe(0);
  });
});
