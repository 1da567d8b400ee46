/**
 * What importing the built package loads (dist/, as `npm test` builds it), in both builds, each in
 * a fresh process: the doctor's checks, the Kubernetes API client code and the Node modules only
 * they, HTTP probes or latches need (http, https, tls, fs/promises), and the UDP socket module,
 * are loaded on first use, not by the import. Then a `diagnose()` loads its chunk and what it
 * needs, and still works.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dist = process.env['HEADLESS_DISCOVERY_TEST_DIST'] ?? join(root, 'dist');
const run = promisify(execFile);

/** Node's modules that importing the library must not load. */
const DEFERRED_BUILTINS = ['http', 'https', 'tls', 'fs/promises', 'dgram'];

/**
 * Prints one JSON line: the built-ins and the package's own files loaded by the import, then
 * after one `diagnose()` (its DNS is a closed loopback port: every lookup fails at once).
 */
const SCRIPT = `
const path = require('node:path');
const entry = process.argv[1];
const builtins = () => process.moduleLoadList.filter((name) => name.startsWith('NativeModule ')).map((name) => name.slice(13));
// CommonJS files are in require.cache; an ES module's files are not, and are left out (null).
const files = () => entry.endsWith('.mjs') ? null : Object.keys(require.cache).filter((file) => file.startsWith(path.dirname(entry))).map((file) => path.basename(file)).sort();
(async () => {
  const before = new Set(builtins());
  const library = entry.endsWith('.mjs') ? await import(entry) : require(entry);
  const imported = { builtins: builtins().filter((name) => !before.has(name)), files: files() };
  const diagnosis = await library.diagnose(
    { service: 'mysql', namespace: 'db', nameservers: ['127.0.0.1:9'], dnsTimeoutMs: 200, dnsAttempts: 1 },
    { environment: { env: {}, readFile: () => undefined } },
  );
  const diagnosed = { builtins: builtins().filter((name) => !before.has(name)), files: files(), checks: diagnosis.findings.length, ok: diagnosis.ok };
  console.log(JSON.stringify({ imported, diagnosed }));
})().catch((error) => console.log(JSON.stringify({ failed: String((error && error.stack) || error) })));
`;

interface Loaded {
  readonly builtins: string[];
  readonly files: string[] | null;
}

async function importAndDiagnose(build: string): Promise<{ imported: Loaded; diagnosed: Loaded & { checks: number; ok: boolean } }> {
  const { stdout, stderr } = await run(process.execPath, ['-e', SCRIPT, join(dist, build)], { cwd: root, timeout: 60_000 });
  expect(stderr).toBe('');
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  expect(result).not.toHaveProperty('failed');
  return result as never;
}

describe.each(['index.js', 'index.mjs'])('dist/%s', (build) => {
  it('loads neither the doctor, the Kubernetes client code, nor http, https, tls, fs/promises or dgram until they are used', async () => {
    const { imported, diagnosed } = await importAndDiagnose(build);
    for (const name of DEFERRED_BUILTINS) expect(imported.builtins, `importing loaded node:${name}`).not.toContain(name);
    if (imported.files !== null) {
      expect(imported.files).toContain('index.js');
      expect(imported.files.filter((file) => /^(checks|slice-feed)-/.test(file))).toEqual([]);
    }

    // The first diagnose() loads its checks (which read the Kubernetes API over https) and opens UDP sockets.
    expect(diagnosed.checks).toBeGreaterThan(5);
    expect(diagnosed.ok).toBe(false);
    for (const name of ['https', 'tls', 'dgram']) expect(diagnosed.builtins, `diagnose() did not load node:${name}`).toContain(name);
    if (diagnosed.files !== null) expect(diagnosed.files.some((file) => file.startsWith('checks-'))).toBe(true);
  });
});
