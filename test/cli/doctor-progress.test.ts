/**
 * `doctor` under a DNS that drops every packet: each finding is printed as soon as its check
 * completes (resolv.conf first, long before the DNS checks give up), a progress line on a
 * terminal names the check that waits, and `--timeout` / `--attempts` (or their variables)
 * reach the resolver. Runs the command in-process against a blackhole nameserver on loopback.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { startBlackhole, type Blackhole } from '../helpers/faulty-dns';
import { recordedStream } from './streams';

const ESCAPE = '\x1b';
let blackhole: Blackhole;
beforeEach(async () => {
  blackhole = await startBlackhole();
});
afterEach(async () => {
  await blackhole.close();
});

function doctor(args: string[], env: Record<string, string> = {}, terminal = false) {
  const stdout = recordedStream(terminal);
  const stderr = recordedStream(terminal, 100);
  let settled = false;
  const exited = main(['doctor', 'mysql', '--nameserver', blackhole.nameserver, '--pod-name', 'mysql-1', ...args], env, { stdout, stderr }).finally(() => {
    settled = true;
  });
  return { stdout, stderr, exited, settled: () => settled };
}

interface JsonFinding {
  readonly check: string;
  readonly status: string;
  readonly evidence: readonly string[];
}

function serviceName(stdout: string): JsonFinding {
  const report = JSON.parse(stdout) as { findings: JsonFinding[] };
  const found = report.findings.find((finding) => finding.check === 'service-name');
  expect(found).toBeDefined();
  return found as JsonFinding;
}

describe('doctor under a DNS that drops packets', () => {
  it('prints the resolv.conf finding before the DNS checks finish, then the rest in order', async () => {
    const run = doctor(['--timeout', '1500', '--attempts', '1']);

    const first = await run.stdout.writeWhere((write) => write.includes('Resolver configuration and pod environment'));

    expect(first.before).toBe('');
    expect(first.write).toMatch(/^headless-discovery doctor mysql\.default\.svc\.cluster\.local\n\n(PASS|WARN)  Resolver configuration/);
    expect(first.write).not.toContain('Service name');
    expect(run.settled()).toBe(false);
    expect(await run.exited).toBe(1);
    const printed = run.stdout.text();
    expect(printed.indexOf('FAIL  Service name mysql.default.svc.cluster.local. resolves')).toBeGreaterThan(printed.indexOf('Resolver configuration'));
    expect(printed).toMatch(/\nPROBLEMS FOUND: \d+ pass, \d+ warn, 1 fail, \d+ skipped\n$/);
  });

  it('shows a progress line on a terminal naming the waiting check and its lookups, and erases it at the end', async () => {
    const run = doctor(['--timeout', '1000', '--attempts', '1'], {}, true);

    const progress = await run.stderr.writeWhere((write) => /… service-name \(\d+\.\d s\): waiting for A mysql\.default\.svc\.cluster\.local\./.test(write));

    expect(progress.write.startsWith('\r\x1b[2K')).toBe(true);
    expect(progress.write.length).toBeLessThan(100 + '\r\x1b[2K'.length);
    expect(await run.exited).toBe(1);
    expect(run.stderr.writes.at(-1)).toBe('\r\x1b[2K');
    expect(run.stdout.text()).not.toContain(ESCAPE);
  });

  it('writes nothing of the progress line when stderr is not a terminal', async () => {
    const run = doctor(['--timeout', '200', '--attempts', '1']);

    expect(await run.exited).toBe(1);
    expect(run.stderr.text()).toBe('');
    expect(run.stdout.text()).not.toContain(ESCAPE);
  });
});

describe('--timeout and --attempts', () => {
  it('reach the resolver from the flags: one query per name, answered by nothing within the timeout', async () => {
    const run = doctor(['--timeout', '200', '--attempts', '1', '--json']);

    expect(await run.exited).toBe(1);
    const finding = serviceName(run.stdout.text());
    expect(finding.status).toBe('fail');
    expect(finding.evidence).toContain(`A mysql.default.svc.cluster.local. @${blackhole.nameserver} → no answer: timed out (1 query sent)`);
    expect(finding.evidence).toContain(`AAAA mysql.default.svc.cluster.local. @${blackhole.nameserver} → no answer: timed out (1 query sent)`);
    const asked = finding.evidence.map((line) => /^asked the nameserver once, 1 message in (\d+) ms$/.exec(line)).find(Boolean);
    expect(asked, finding.evidence.join('\n')).toBeTruthy();
    expect(Number(asked?.[1])).toBeGreaterThanOrEqual(200);
    expect(Number(asked?.[1])).toBeLessThan(5000);
    expect(blackhole.received.map((query) => query.name).sort()).toEqual(['mysql.default.svc.cluster.local', 'mysql.default.svc.cluster.local']);
  });

  it('reach the resolver from HEADLESS_DISCOVERY_DNS_TIMEOUT_MS and HEADLESS_DISCOVERY_DNS_ATTEMPTS, and flags win', async () => {
    const env = { HEADLESS_DISCOVERY_DNS_TIMEOUT_MS: '200', HEADLESS_DISCOVERY_DNS_ATTEMPTS: '2' };
    const fromEnv = doctor(['--json'], env);
    expect(await fromEnv.exited).toBe(1);
    expect(serviceName(fromEnv.stdout.text()).evidence).toContain(`A mysql.default.svc.cluster.local. @${blackhole.nameserver} → no answer: timed out (2 queries sent)`);
    expect(serviceName(fromEnv.stdout.text()).evidence.join('\n')).toMatch(/^asked the nameserver 2 times each, 2 messages in \d+ ms$/m);
    expect(blackhole.received).toHaveLength(4);

    const flagsWin = doctor(['--json', '--attempts', '1'], env);
    expect(await flagsWin.exited).toBe(1);
    expect(serviceName(flagsWin.stdout.text()).evidence).toContain(`A mysql.default.svc.cluster.local. @${blackhole.nameserver} → no answer: timed out (1 query sent)`);
    expect(blackhole.received).toHaveLength(6);
  });

  it.each([
    [['--timeout', 'soon'], {}, /^headless-discovery: --timeout must be a whole number of milliseconds \(e\.g\. 2000\), got "soon"\n$/],
    [['--attempts', '1.5'], {}, /^headless-discovery: --attempts must be a whole number of rounds \(e\.g\. 1\), got "1\.5"\n$/],
    [['--timeout', '5'], {}, /^headless-discovery: --timeout: Invalid option "dnsTimeoutMs": got 5; expected an integer from 10 to 60000\.\n$/],
    [[], { HEADLESS_DISCOVERY_DNS_ATTEMPTS: '0' }, /^headless-discovery: HEADLESS_DISCOVERY_DNS_ATTEMPTS: Invalid option "dnsAttempts": got 0; expected an integer from 1 to 10\.\n$/],
    [[], { HEADLESS_DISCOVERY_DNS_TIMEOUT_MS: '2s' }, /^headless-discovery: HEADLESS_DISCOVERY_DNS_TIMEOUT_MS must be a whole number of milliseconds/],
  ])('%j %j is a usage error naming where the value came from and the form expected', async (args, env, message) => {
    const run = doctor(args, env);

    expect(await run.exited).toBe(2);
    expect(run.stderr.text()).toMatch(message);
    expect(run.stdout.text()).toBe('');
    expect(blackhole.received).toEqual([]);
  });

  it('are read by every command: demo rejects a bad --attempts the same way', async () => {
    const stdout = recordedStream(false);
    const stderr = recordedStream(false);

    expect(await main(['demo', '--attempts', 'many'], {}, { stdout, stderr })).toBe(2);
    expect(stderr.text()).toMatch(/^headless-discovery: --attempts must be a whole number of rounds/);
    expect(await main(['demo', '--timeout', '0'], {}, { stdout, stderr })).toBe(2);
    expect(stderr.text()).toMatch(/--timeout: Invalid option "dnsTimeoutMs": got 0/);
  });
});
