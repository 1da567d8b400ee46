/**
 * What `watch` says about polling (in flight, when the last poll ended, when the next is due) and
 * about an empty membership (what the last poll asked and what DNS answered, then the library's
 * diagnosis), on a terminal and as NDJSON. Runs the command in-process against the fake cluster
 * DNS and a blackhole nameserver on loopback.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index';
import { startBlackhole, type Blackhole } from '../helpers/faulty-dns';
import { recordedStream, stopSignal, type RecordedStream } from './streams';

let cluster: FakeCluster;
let blackhole: Blackhole;
beforeEach(async () => {
  cluster = await createFakeCluster();
  blackhole = await startBlackhole();
});
afterEach(async () => {
  await Promise.all([cluster.close(), blackhole.close()]);
});

const TIME = '\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
const SECONDS = '\\d+(\\.\\d)? s';

/** Run `watch` in-process; `stop()` ends it as Ctrl-C would. */
function watch(args: string[], terminal: boolean, env: Record<string, string> = {}) {
  const stdout = recordedStream(terminal);
  const stderr = recordedStream(false);
  const { stopped, stop } = stopSignal();
  const exited = main(['watch', ...args, '--pod-name', 'vm'], env, { stdout, stderr, stopped });
  return { stdout, stderr, exited, stop };
}

/** The NDJSON records written so far. */
function records(stdout: RecordedStream): Array<Record<string, unknown>> {
  return stdout
    .text()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function recordWhere(stdout: RecordedStream, test: (record: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return stdout.writeWhere((write) => write.split('\n').filter(Boolean).some((line) => test(JSON.parse(line) as Record<string, unknown>))).then(
    () => records(stdout).find(test) as Record<string, unknown>,
  );
}

describe('watch on a terminal', () => {
  it('shows a poll in flight and for how long, then when the last one ended and when the next is due', async () => {
    const run = watch(['mysql', '--nameserver', blackhole.nameserver, '--timeout', '300', '--attempts', '1', '--interval', '200'], true);

    await run.stdout.writeWhere((frame) => new RegExp(`\\npolls: one in flight for ${SECONDS} \\(since ${TIME}\\), none has ended yet\\x1b`).test(frame));
    await run.stdout.writeWhere((frame) => new RegExp(`\\npolls: last ended ${SECONDS} ago \\(${TIME}\\), next (in ${SECONDS}|due now) \\(${TIME}\\)\\x1b`).test(frame));
    await run.stdout.writeWhere((frame) => new RegExp(`\\npolls: one in flight for ${SECONDS} \\(since ${TIME}\\), the previous ended ${SECONDS} ago \\(${TIME}\\)\\x1b`).test(frame));
    run.stop();

    expect(await run.exited).toBe(0);
    expect(run.stdout.text()).toMatch(/ERR_DNS_TIMEOUT: A lookup of mysql\.default\.svc\.cluster\.local\. timed out after 1 query/);
  });

  it('with no peers, names the query the last poll asked and its answer, then the diagnosis and its code', async () => {
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const run = watch(['mysql', '--port', 'sql', '--nameserver', cluster.nameserver, '--interval', '100'], true);

    const asked = 'the last poll asked: SRV _sql._tcp.mysql.default.svc.cluster.local. → NXDOMAIN (no such name)';
    const before = await run.stdout.writeWhere((frame) => frame.includes(asked));
    expect(before.write).not.toContain('diagnosis:');
    expect(before.write).toContain('(no peers; the seed would be mysql-0.mysql.default.svc.cluster.local)');
    const diagnosed = await run.stdout.writeWhere((frame) => frame.includes('\ndiagnosis: '));
    run.stop();

    expect(diagnosed.write).toContain(asked);
    expect(diagnosed.write).toMatch(/\ndiagnosis: ERR_PORT_NOT_FOUND \(SRV _sql\._tcp\.mysql\.default\.svc\.cluster\.local\. → nxdomain\): .*no SRV for port "sql"\/tcp/);
    expect(await run.exited).toBe(0);
  });

  it('says nothing about the query once there are peers', async () => {
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const run = watch(['mysql', '--port', 'mysql', '--nameserver', cluster.nameserver, '--interval', '100'], true);

    const frame = await run.stdout.writeWhere((write) => write.includes('snapshot'));
    run.stop();

    expect(frame.write).not.toContain('the last poll asked');
    expect(frame.write).not.toContain('diagnosis:');
    expect(await run.exited).toBe(0);
  });
});

describe('watch as NDJSON', () => {
  it('carries the polling state in every record: in flight during the first poll, ended with the next one due at the snapshot', async () => {
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const run = watch(['mysql', '--port', 'mysql', '--nameserver', cluster.nameserver, '--interval', '5000'], false);

    const snapshot = await recordWhere(run.stdout, (record) => record['event'] === 'snapshot');
    run.stop();
    expect(await run.exited).toBe(0);

    const all = records(run.stdout);
    for (const record of all) expect(Object.keys(record['polling'] as object)).toEqual(['inFlight', 'lastStartedAt', 'lastEndedAt', 'nextAt']);
    const join = all.find((record) => record['event'] === 'join');
    expect(join?.['polling']).toMatchObject({ inFlight: true, lastEndedAt: null, nextAt: null });
    const polling = snapshot['polling'] as { inFlight: boolean; lastStartedAt: string; lastEndedAt: string; nextAt: string };
    expect(polling.inFlight).toBe(false);
    expect(Date.parse(polling.lastEndedAt)).toBeGreaterThanOrEqual(Date.parse(polling.lastStartedAt));
    expect(Date.parse(polling.nextAt)).toBeGreaterThan(Date.parse(polling.lastEndedAt));
    expect(snapshot['lookups']).toBeUndefined();
    expect(all.map((record) => record['event'])).toEqual(['join', 'join', 'seed', 'snapshot']);
  });

  it('with no peers, the snapshot lists what was asked, and the diagnosis arrives as an error record with its query', async () => {
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const run = watch(['mysqll', '--port', 'mysql', '--nameserver', cluster.nameserver, '--interval', '100'], false);

    const snapshot = await recordWhere(run.stdout, (record) => record['event'] === 'snapshot');
    const error = await recordWhere(run.stdout, (record) => record['event'] === 'error' && record['code'] === 'ERR_SERVICE_NOT_FOUND');
    run.stop();

    expect(snapshot['lookups']).toEqual([{ type: 'SRV', name: '_mysql._tcp.mysqll.default.svc.cluster.local.', outcome: 'nxdomain', records: 0 }]);
    expect(error).toMatchObject({ queryName: 'mysqll.default.svc.cluster.local.', queryType: 'A', outcome: 'nxdomain' });
    expect(error['message']).toContain('kubectl get svc mysqll -n default -o yaml');
    expect(await run.exited).toBe(0);
  });

  it('reads --timeout and --attempts from their variables: the error record says one query, timed out', async () => {
    const run = watch(['mysql', '--nameserver', blackhole.nameserver, '--interval', '200'], false, {
      HEADLESS_DISCOVERY_DNS_TIMEOUT_MS: '200',
      HEADLESS_DISCOVERY_DNS_ATTEMPTS: '1',
    });

    const error = await recordWhere(run.stdout, (record) => record['event'] === 'error');
    run.stop();

    expect(error).toMatchObject({ code: 'ERR_DNS_TIMEOUT', queryType: expect.stringMatching(/^(A|AAAA)$/), server: blackhole.nameserver, transport: null, rcode: null, queries: 1 });
    expect(error['durationMs']).toBeGreaterThanOrEqual(200);
    expect(error['durationMs']).toBeLessThan(5000);
    expect(await run.exited).toBe(0);
  });
});
