/**
 * The bench harness itself (not the speed of anything): run `bench/run.mjs` in its shortest mode
 * against 3 and 30 pods, parse the table it writes, and check the round-trip counts, which are
 * deterministic: ours 1 message per poll when the SRV answer (with the pods' addresses) fits in
 * UDP, 2 when it is truncated and asked again over TCP; the node:dns baseline one SRV query (plus
 * c-ares' own TCP retry when truncated) and one A query per pod — N+1 at 3 pods.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const scratch = join(root, '.ci', 'scratch', 'bench-test');
const run = promisify(execFile);

type Row = Record<string, string>;

/** The first Markdown table after the heading that contains `heading`. */
function tableAfter(markdown: string, heading: string): Row[] {
  const lines = markdown.split('\n');
  let index = lines.findIndex((line) => line.startsWith('#') && line.includes(heading));
  expect(index, `a heading "${heading}"`).toBeGreaterThanOrEqual(0);
  while (index < lines.length && !lines[index]?.startsWith('|')) index++;
  const rows: string[][] = [];
  for (; index < lines.length && lines[index]?.startsWith('|'); index++) {
    rows.push((lines[index] as string).slice(1, -1).split('|').map((cell) => cell.trim()));
  }
  const [header, separator, ...body] = rows;
  expect(header, `a table under "${heading}"`).toBeDefined();
  expect(separator?.every((cell) => /^:?-{3,}:?$/.test(cell))).toBe(true);
  return body.map((cells) => {
    expect(cells).toHaveLength((header as string[]).length);
    return Object.fromEntries((header as string[]).map((name, i) => [name, cells[i] as string]));
  });
}

interface RttResult {
  shape: string;
  pods: number;
  ours: { diagnostics: { total: number; truncated: number }; server: { total: number }; peers: number };
  baseline: { server: { total: number; byType: Record<string, number> }; peers: number };
}

interface ChannelsResult {
  channels: string[];
  registry: boolean;
  before: null | { commit: string };
  rows: { pods: number; samples: number; perPoll: Record<string, number>; ratio: Record<string, { n: number; median: number }> }[];
}

let markdown = '';
let json: { mode: string; rtt: RttResult[]; channels: ChannelsResult };

beforeAll(async () => {
  expect(existsSync(join(root, 'dist', 'index.mjs')), 'the package is built (npm test builds it first)').toBe(true);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  await run(
    process.execPath,
    ['--expose-gc', join(root, 'bench', 'run.mjs'), '--short', '--only', 'rtt,channels', '--sizes', '3,30', '--timing-sizes', '3', '--out', join(scratch, 'benchmarks.md'), '--json', join(scratch, 'results.json')],
    { cwd: root, timeout: 60_000 },
  );
  markdown = readFileSync(join(scratch, 'benchmarks.md'), 'utf8');
  json = JSON.parse(readFileSync(join(scratch, 'results.json'), 'utf8')) as typeof json;
}, 90_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('npm run bench -- --short --only rtt,channels', () => {
  it('writes a page stating the machine and the mode', () => {
    expect(markdown).toMatch(/^# Benchmarks$/m);
    expect(markdown).toContain(`Node ${process.version}`);
    expect(markdown).toContain('short mode');
    expect(json.mode).toBe('short');
  });

  it('writes a round-trip table with one parsable row per size', () => {
    const rows = tableAfter(markdown, 'Round trips per poll');
    expect(rows.map((row) => row['pods'])).toEqual(['3', '30']);
    for (const row of rows) {
      expect(row['ours']).toMatch(/^\d+$/);
      expect(row['baseline']).toMatch(/^\d+$/);
      expect(Number(row['ours/baseline'])).toBeCloseTo(Number(row['ours']) / Number(row['baseline']), 2);
    }
  });

  it('ours: 1 message per steady-state poll: UDP at 3 pods, straight to TCP once the answer is known not to fit', () => {
    const rows = tableAfter(markdown, 'Round trips per poll');
    expect(rows[0]?.['ours']).toBe('1');
    // The CoreDNS shape (the fake cluster: glue for every target); BIND's rows ask the Service's A records too.
    for (const result of json.rtt.filter((row) => row.shape === 'coredns')) {
      const expected = result.ours.diagnostics.truncated > 0 ? 2 : 1;
      expect(result.ours.diagnostics.total).toBe(expected);
      // The diagnostics channel and the server agree.
      expect(result.ours.server.total).toBe(result.ours.diagnostics.total);
      expect(result.ours.peers).toBe(result.pods);
    }
    expect(json.rtt.find((result) => result.shape === 'coredns' && result.pods === 30)?.ours.diagnostics).toMatchObject({ total: 1, tcp: 1, udp: 0 });
  });

  it('baseline: N+1 at 3 pods; one A query per pod, plus c-ares’ TCP retry of a truncated SRV answer', () => {
    const rows = tableAfter(markdown, 'Round trips per poll');
    expect(rows[0]?.['baseline']).toBe('4');
    for (const result of json.rtt) {
      const { byType, total } = result.baseline.server;
      expect(byType['A']).toBe(result.pods);
      expect(byType['SRV']).toBeGreaterThanOrEqual(1);
      expect(byType['SRV']).toBeLessThanOrEqual(2);
      expect(total).toBe(result.pods + (byType['SRV'] ?? 0));
      expect(result.baseline.peers).toBe(result.pods);
      expect(rows.find((row) => row['pods'] === String(result.pods))?.['baseline']).toBe(String(total));
    }
  });

  it('lists the round-trip target in the targets table', () => {
    const targets = tableAfter(markdown, 'Targets');
    expect(targets.some((row) => row['target']?.startsWith('Round trips') && row['']?.includes('met'))).toBe(true);
  });

  it('times the steady poll with no subscriber, with one on every channel, and formatting every message', () => {
    const rows = tableAfter(markdown, 'Diagnostics channels');
    expect(rows.map((row) => row['pods'])).toEqual(['3']);
    const [row] = json.channels.rows;
    expect(row?.samples).toBe(4);
    for (const variant of ['all', 'debug']) expect(row?.ratio[variant]?.n).toBe(4);
    // Every poll publishes on the poll channels once, and at 3 pods sends one SRV question in one message.
    expect(json.channels.registry).toBe(true);
    expect(row?.perPoll).toMatchObject({ 'headless-discovery:poll:start': 1, 'headless-discovery:poll:end': 1, 'headless-discovery:dns:lookup': 1, 'headless-discovery:dns:query': 1 });
    // Without --before, its target says what it needs instead of a verdict.
    expect(json.channels.before).toBeNull();
    const targets = tableAfter(markdown, 'Targets');
    expect(targets.find((target) => target['target']?.startsWith('Steady poll with no subscriber'))?.['measured']).toMatch(/needs `--before/);
  });
});
