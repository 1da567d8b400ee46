/**
 * An empty membership that DNS explains is reported, once, with its own code, the name asked
 * and what it answered; `discover()` rejects with it unless told an empty result is fine. A
 * report only: the membership stays what DNS said. The fake cluster serves the Service `mysql`
 * in the namespace `db`, and each test gets one thing wrong.
 */
import { describe, expect, it } from 'vitest';
import { createDiscovery, discover, MisconfigurationError, type DiscoveryError } from '../../src/index';
import { EMPTY_POLLS_BEFORE_DIAGNOSIS } from '../../src/runtime/membership-checks';
import { useDiscoveryHarness } from '../helpers/discovery-harness';
import { nextEvent } from '../helpers/events';

const harness = useDiscoveryHarness({ base: { namespace: 'db', podName: 'client', intervalMs: 100, jitter: 0, dnsTimeoutMs: 300, dnsAttempts: 1 } });
const { options, track } = harness;

function defineMysql() {
  return harness.cluster.defineService({ name: 'mysql', namespace: 'db', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
}

/** Every error a discovery reports until `polls` polls have ended after the first diagnosis. */
async function errorsOf(overrides: Parameters<typeof options>[0]): Promise<{ first: MisconfigurationError; all: DiscoveryError[]; peers: number; stale: boolean }> {
  const discovery = track(createDiscovery(options(overrides)));
  const all: DiscoveryError[] = [];
  discovery.on('error', (error) => all.push(error));
  const reported = nextEvent(discovery, 'error', (error) => error instanceof MisconfigurationError);
  await discovery.start();
  const [first] = await reported;
  // A few more polls: the report is not repeated.
  for (let i = 0; i < EMPTY_POLLS_BEFORE_DIAGNOSIS + 2; i++) await discovery.refresh();
  return { first: first as MisconfigurationError, all, peers: discovery.membership.peers.length, stale: discovery.membership.stale };
}

const cases = [
  {
    what: 'a typo in the service name',
    overrides: { service: 'mysq' },
    expected: { code: 'ERR_SERVICE_NOT_FOUND', queryName: 'mysq.db.svc.cluster.local.', queryType: 'A', outcome: 'nxdomain' },
  },
  {
    what: 'a missing namespace (the Service is in db)',
    overrides: { namespace: 'default' },
    expected: { code: 'ERR_SERVICE_NOT_FOUND', queryName: 'mysql.default.svc.cluster.local.', queryType: 'A', outcome: 'nxdomain' },
  },
  {
    what: 'a wrong port name',
    overrides: { port: 'sql' },
    expected: { code: 'ERR_PORT_NOT_FOUND', queryName: '_sql._tcp.mysql.db.svc.cluster.local.', queryType: 'SRV', outcome: 'nxdomain' },
  },
  {
    what: 'a wrong statefulSet',
    overrides: { statefulSet: 'mariadb' },
    expected: { code: 'ERR_NO_MEMBERS', queryName: '_mysql._tcp.mysql.db.svc.cluster.local.', queryType: 'SRV', outcome: 'answer' },
  },
] as const;

describe('a discovery says why it found nobody, once', () => {
  it.each(cases)('$what', async ({ overrides, expected }) => {
    defineMysql();
    const { first, all, peers, stale } = await errorsOf(overrides);
    expect(first).toMatchObject(expected);
    expect(first.message).toContain(expected.queryName.replace(/\.$/, ''));
    expect(all.filter((error) => error.code === expected.code)).toHaveLength(1);
    // Nothing lost, nothing invented: the membership is what DNS said, and fresh.
    expect(peers).toBe(0);
    expect(stale).toBe(false);
  });

  it('names the fix in its message', async () => {
    defineMysql();
    expect((await errorsOf({ port: 'sql' })).first.message).toMatch(/port/i);
    expect((await errorsOf({ statefulSet: 'mariadb' })).first.message).toContain('mysql-0, mysql-1, mysql-2');
  });

  it('says nothing while the membership is not empty, or once it has been', async () => {
    const svc = defineMysql();
    const discovery = track(createDiscovery(options()));
    const errors: string[] = [];
    discovery.on('error', (error) => errors.push(error.code));
    await discovery.start();
    svc.scale(0);
    for (let i = 0; i < EMPTY_POLLS_BEFORE_DIAGNOSIS + 4; i++) await discovery.refresh();
    expect(discovery.membership.peers).toHaveLength(0);
    expect(errors).toEqual([]);
  });

  it('keeps polling after the report: the Service created later is found', async () => {
    const { first } = await errorsOf({ service: 'mysql' });
    expect(first.code).toBe('ERR_SERVICE_NOT_FOUND');
    const discovery = track(createDiscovery(options()));
    discovery.on('error', () => undefined);
    await discovery.start();
    defineMysql();
    const [peer] = await nextEvent(discovery, 'join');
    expect(peer.name).toMatch(/^mysql-\d$/);
  });
});

describe('discover() on an empty result', () => {
  it.each(cases)('rejects on $what', async ({ overrides, expected }) => {
    defineMysql();
    await expect(discover(options(overrides))).rejects.toMatchObject(expected);
  });

  it('with readiness probes too', async () => {
    defineMysql();
    await expect(discover(options({ port: 'sql', readiness: { tcp: { port: 3306 } } }))).rejects.toMatchObject({ code: 'ERR_PORT_NOT_FOUND' });
  });

  it('resolves with the empty membership with allowEmpty: true', async () => {
    defineMysql();
    const membership = await discover({ ...options({ service: 'mysq' }), allowEmpty: true });
    expect(membership.peers).toEqual([]);
    expect(membership.stale).toBe(false);
  });

  it('resolves as before when there are members', async () => {
    defineMysql();
    expect((await discover(options())).peers.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-1', 'mysql-2']);
  });

  it('checks allowEmpty like every option, and only discover() takes it', async () => {
    defineMysql();
    await expect(discover({ ...options(), allowEmpty: 'yes' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'allowEmpty' });
    expect(() => createDiscovery({ ...options(), allowEmpty: true } as never)).toThrow(/allowEmpty/);
  });

  it('rejects a DNS failure with the lookup\'s details, and says nothing of a membership it never had', async () => {
    defineMysql();
    harness.cluster.outage('servfail');
    const rejected = await discover(options()).catch((error: unknown) => error);
    // The SRV source failed, then its fallback (the Service's A records): the last failure is the answer.
    expect(rejected).toMatchObject({ code: 'ERR_DNS_SERVFAIL', rcode: 2, transport: 'udp', server: harness.cluster.nameserver });
    expect((rejected as { queries: number }).queries).toBeGreaterThanOrEqual(1);
    expect((rejected as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
    expect((rejected as Error).message).not.toMatch(/last known|keeping/);
  });
});
