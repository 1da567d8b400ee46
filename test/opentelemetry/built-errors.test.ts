/**
 * The built subpath (dist/, as `npm test` builds it) throws the main entry's error classes, in
 * both builds: it takes them from the package itself instead of bundling a copy, so
 * `error instanceof InvalidOptionError` holds for an error `registerDiscoveryMetrics()` threw.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/** Prints one JSON line: what the subpath threw for something that is not a discovery. */
const SCRIPT = `
const [main, subpath] = process.argv.slice(1);
const load = (entry) => (entry.endsWith('.mjs') ? import(entry) : Promise.resolve(require(entry)));
(async () => {
  const [library, metrics] = await Promise.all([load(main), load(subpath)]);
  try {
    metrics.registerDiscoveryMetrics({});
    console.log(JSON.stringify({ thrown: false }));
  } catch (error) {
    console.log(JSON.stringify({
      code: error.code,
      option: error.option,
      invalidOption: error instanceof library.InvalidOptionError,
      discoveryError: error instanceof library.DiscoveryError,
    }));
  }
})().catch((error) => console.log(JSON.stringify({ failed: String((error && error.stack) || error) })));
`;

describe.each([
  ['index.js', 'opentelemetry/index.js'],
  ['index.mjs', 'opentelemetry/index.mjs'],
])('dist/%s and dist/%s', (main, subpath) => {
  it("throw the same InvalidOptionError class: the subpath's errors are the main entry's", async () => {
    const { stdout, stderr } = await run(process.execPath, ['-e', SCRIPT, join(root, 'dist', main), join(root, 'dist', subpath)], { cwd: root, timeout: 60_000 });
    expect(stderr).toBe('');
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ code: 'ERR_INVALID_OPTION', option: 'discovery', invalidOption: true, discoveryError: true });
  });
});
