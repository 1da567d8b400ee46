/**
 * examples/prometheus-metrics: run it as its README says (against the built package), with
 * `--serve`, scrape its /metrics over loopback as Prometheus would, and check the discovery's
 * series: every metric of the OpenTelemetry subpath under its Prometheus name and type, with the
 * Service and namespace as labels, and values that match the story it ran (4 pods, one failed
 * poll, fresh again).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { METRICS } from '../src/opentelemetry/index';

const root = join(import.meta.dirname, '..');
const example = join(root, 'examples', 'prometheus-metrics', 'run.mjs');
const DEADLINE_MS = 60_000;
const children = new Set<ChildProcess>();

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

/** Start the example; resolve with its process and output once a line matches `ready`. */
function startExample(args: string[], ready: RegExp): Promise<{ child: ChildProcess; output: () => string; match: RegExpExecArray }> {
  expect(existsSync(join(root, 'dist', 'opentelemetry', 'index.mjs')), 'the package is built (npm test builds it first)').toBe(true);
  const child = spawn(process.execPath, [example, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${ready} within ${DEADLINE_MS} ms:\n${stdout}\n${stderr}`)), DEADLINE_MS);
    child.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = ready.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, output: () => stdout, match });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the example exited (${code}) before a line matching ${ready}:\n${stdout}\n${stderr}`));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

/** The samples of a Prometheus text exposition: `name{labels}` → value; and `# TYPE`/`# HELP` by name. */
function parseExposition(text: string): { samples: Map<string, number>; types: Map<string, string>; help: Map<string, string> } {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    const comment = /^# (TYPE|HELP) (\S+) (.*)$/.exec(line);
    if (comment) (comment[1] === 'TYPE' ? types : help).set(comment[2] as string, comment[3] as string);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (sample) samples.set(sample[1] as string, Number(sample[2]));
  }
  return { samples, types, help };
}

const prometheusName = (name: string, unit: string, counter: boolean): string =>
  `${name.replaceAll('.', '_')}${unit === 's' ? '_seconds' : ''}${counter ? '_total' : ''}`;
const OF_MYSQL = 'headless_discovery_service="mysql",k8s_namespace_name="default"';

describe('examples/prometheus-metrics', () => {
  it('serves every discovery metric on /metrics, with the values of what it ran', async () => {
    const { child, match } = await startExample(['--serve'], /── serving (http:\/\/127\.0\.0\.1:\d+\/metrics)/);
    const response = await fetch(match[1] as string);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types, help } = parseExposition(await response.text());

    for (const definition of Object.values(METRICS)) {
      const name = prometheusName(definition.name, definition.unit, definition.kind === 'counter');
      expect(types.get(name), name).toBe(definition.kind === 'counter' ? 'counter' : 'gauge');
      expect(help.get(name), name).toBe(definition.description);
    }
    const value = (series: string): number | undefined => samples.get(series);
    expect(value(`headless_discovery_polls_total{${OF_MYSQL},outcome="ok"}`)).toBeGreaterThanOrEqual(3);
    expect(value(`headless_discovery_polls_total{${OF_MYSQL},outcome="failed"}`)).toBe(1);
    expect(value(`headless_discovery_members{${OF_MYSQL},state="ready"}`)).toBe(4);
    expect(value(`headless_discovery_members_missing{${OF_MYSQL}}`)).toBe(0);
    expect(value(`headless_discovery_stale{${OF_MYSQL}}`)).toBe(0);
    expect(value(`headless_discovery_dns_lookup_rcodes_total{${OF_MYSQL},rcode="SERVFAIL"}`)).toBeGreaterThanOrEqual(1);
    expect(value(`headless_discovery_dns_messages_total{${OF_MYSQL},network_transport="udp"}`)).toBeGreaterThanOrEqual(4);
    expect(value(`headless_discovery_poll_time_seconds_total{${OF_MYSQL}}`)).toBeGreaterThan(0);

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('tells its story and ends by itself without --serve', async () => {
    const { child, output } = await startExample([], /── done\n/);
    expect(await exited(child)).toBe(0);
    const text = output();
    expect(text).toMatch(/── scale to 4\n(?:.*\n)*?.*headless_discovery_members\{…state="ready"\} 4\n/);
    expect(text).toMatch(/── DNS answers SERVFAIL[^\n]*\n(?:.*\n)*?.*headless_discovery_stale\{…\} 1\n/);
    expect(text).toMatch(/── DNS back\n(?:.*\n)*?.*headless_discovery_stale\{…\} 0\n/);
  });
});
