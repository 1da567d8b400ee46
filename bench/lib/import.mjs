// Cost of importing the package (a fresh process each time) and the size of the packed tarball.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log } from './common.mjs';
import { summarize } from './stats.mjs';

async function loadTinybench() {
  try {
    return (await import('tinybench')).Bench;
  } catch {
    return null;
  }
}

/** Rows that time an empty module the same way: what Node's loader costs before any of our code. */
export const FLOOR_ROWS = new Set(['import (an empty ES module)', 'require (an empty CommonJS module)']);

export async function benchImport(root, { short }) {
  const runs = short ? 5 : 20;
  const floor = mkdtempSync(join(tmpdir(), 'headless-discovery-import-'));
  const emptyEsm = join(floor, 'empty.mjs');
  const emptyCjs = join(floor, 'empty.cjs');
  writeFileSync(emptyEsm, 'export {};\n');
  writeFileSync(emptyCjs, 'module.exports = {};\n');
  try {
    return await benchImportRows(root, runs, { emptyEsm, emptyCjs });
  } finally {
    rmSync(floor, { recursive: true, force: true });
  }
}

async function benchImportRows(root, runs, { emptyEsm, emptyCjs }) {
  const timed = (load) => `const t = performance.now(); ${load}; process.stdout.write(String(performance.now() - t));`;
  const scripts = {
    'node (empty)': ['--input-type=module', '-e', 'process.stdout.write(String(0))'],
    'import (ESM)': ['--input-type=module', '-e', timed("await import('headless-discovery')")],
    'require (CJS)': ['-e', timed("require('headless-discovery')")],
    'import (an empty ES module)': ['--input-type=module', '-e', timed(`await import(${JSON.stringify(pathToFileURL(emptyEsm).href)})`)],
    'require (an empty CommonJS module)': ['-e', timed(`require(${JSON.stringify(emptyCjs)})`)],
  };
  const inside = Object.fromEntries(Object.keys(scripts).map((name) => [name, []]));
  const spawnOnce = (name) => {
    const child = spawnSync(process.execPath, scripts[name], { cwd: root, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`${name}: ${child.stderr}`);
    inside[name].push(Number(child.stdout));
  };
  const Bench = await loadTinybench();
  const rows = [];
  if (Bench) {
    // tinybench drives the iterations (and warm-up) and times each whole child process.
    const bench = new Bench({ iterations: runs, time: 0, warmupIterations: 1, warmupTime: 0, retainSamples: true });
    for (const name of Object.keys(scripts)) bench.add(name, () => spawnOnce(name));
    await bench.run();
    for (const task of bench.tasks) {
      const samples = task.result.latency?.samples ?? task.result.samples ?? [];
      rows.push({ name: task.name, process: summarize(samples), inside: summarize(inside[task.name].slice(-samples.length)) });
    }
  } else {
    for (const name of Object.keys(scripts)) {
      const samples = [];
      spawnOnce(name);
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        spawnOnce(name);
        samples.push(performance.now() - start);
      }
      rows.push({ name, process: summarize(samples), inside: summarize(inside[name].slice(-runs)) });
    }
  }
  let pack = null;
  const npm = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (npm.status === 0) {
    const [info] = JSON.parse(npm.stdout);
    pack = { size: info.size, unpackedSize: info.unpackedSize, entryCount: info.entryCount, filename: info.filename };
  }
  log(`import: ${rows.map((row) => `${row.name} ${row.process.median.toFixed(0)} ms`).join(', ')}; pack ${pack?.size} B`);
  return { runs, harness: Bench ? 'tinybench' : 'performance.now', rows, pack };
}
