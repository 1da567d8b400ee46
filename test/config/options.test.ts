import { describe, expect, it } from 'vitest';
import { createDiscovery, InvalidOptionError, type DiscoveryOptions } from '../../src/index';
import type { EnvironmentSources } from '../../src/config/options';
import { resolveOptions } from '../../src/config/resolve-options';

const RESOLV_CONF = [
  'nameserver 10.96.0.10',
  'search prod.svc.kube.example svc.kube.example kube.example',
  'options ndots:5 timeout:2 attempts:3',
].join('\n');

/** A pod's environment, without touching the real files of this machine. */
function pod(env: Record<string, string | undefined> = {}, files: Record<string, string> = {}): EnvironmentSources {
  return {
    env: { POD_NAME: 'mysql-2', POD_NAMESPACE: 'prod', ...env },
    hostname: () => 'laptop',
    readFile: (path: string) => files[path],
    resolvConfPath: '/etc/resolv.conf',
    namespacePath: '/var/run/secrets/kubernetes.io/serviceaccount/namespace',
  };
}

const base = (environment = pod({}, { '/etc/resolv.conf': RESOLV_CONF })): DiscoveryOptions => ({ service: 'mysql', environment });

describe('defaults from the pod environment', () => {
  it('reads no file, and not the host name, when the options say everything the environment would', () => {
    const read: string[] = [];
    const environment: EnvironmentSources = {
      env: {},
      hostname: () => {
        read.push('hostname');
        return 'laptop';
      },
      readFile: (path) => {
        read.push(path);
        return undefined;
      },
    };
    const config = resolveOptions({
      service: 'mysql',
      namespace: 'db',
      clusterDomain: 'cluster.local',
      podName: 'mysql-0',
      nameservers: ['127.0.0.1:53'],
      dnsTimeoutMs: 1000,
      dnsAttempts: 1,
      environment,
    });
    expect(config).toMatchObject({ namespace: 'db', podName: 'mysql-0', dnsTimeoutMs: 1000, dnsAttempts: 1 });
    expect(read).toEqual([]);
  });

  it('reads resolv.conf once however many values come from it', () => {
    const read: string[] = [];
    const files: Record<string, string> = { '/etc/resolv.conf': RESOLV_CONF };
    resolveOptions({ service: 'mysql', environment: { ...pod(), readFile: (path) => (read.push(path), files[path]) } });
    expect(read.filter((path) => path === '/etc/resolv.conf')).toHaveLength(1);
  });

  it('takes identity, namespace, zone, nameservers and resolver options from the pod', () => {
    const config = resolveOptions(base());
    expect(config).toMatchObject({
      service: 'mysql',
      namespace: 'prod',
      clusterDomain: 'kube.example',
      serviceDomain: 'mysql.prod.svc.kube.example',
      podName: 'mysql-2',
      statefulSet: 'mysql',
      ordinalStart: 0,
      dnsTimeoutMs: 2000,
      dnsAttempts: 3,
      port: { kind: 'none' },
      sources: ['address'],
      family: 'both',
      maxStaleMs: null,
      readiness: null,
      timing: { intervalMs: 5000, fastIntervalMs: 1000, minIntervalMs: 1000, maxIntervalMs: 60_000, jitter: 0.1 },
      retry: { retries: 2 },
      policy: { leaveAfterPolls: 2, leaveAfterMs: 0, maxRemovalFraction: 0.5, includeNotReady: false, expectedReplicas: null },
    });
    expect(config.nameservers).toEqual([{ address: '10.96.0.10', port: 53, family: 4 }]);
  });

  it('derives the StatefulSet from the pod name, and falls back to the service name', () => {
    expect(resolveOptions({ ...base(), environment: pod({ POD_NAME: 'db-7' }, { '/etc/resolv.conf': RESOLV_CONF }) }).statefulSet).toBe('db');
    expect(resolveOptions({ ...base(), environment: pod({ POD_NAME: 'api-7d9f8-xk2p' }, { '/etc/resolv.conf': RESOLV_CONF }) }).statefulSet).toBe(
      'mysql',
    );
  });

  it('lets every option override the environment', () => {
    const config = resolveOptions({
      ...base(),
      namespace: 'default',
      clusterDomain: 'cluster.local.',
      podName: 'x-1',
      statefulSet: 'mysql',
      nameservers: ['127.0.0.1:5353', '[::1]:5353'],
      dnsTimeoutMs: 100,
      dnsAttempts: 1,
    });
    expect(config.serviceDomain).toBe('mysql.default.svc.cluster.local');
    expect(config.podName).toBe('x-1');
    expect(config.nameservers.map((server) => `${server.address}/${server.port}`)).toEqual(['127.0.0.1/5353', '::1/5353']);
  });

  it('reads named and numeric ports', () => {
    expect(resolveOptions({ ...base(), port: 'mysql' }).port).toEqual({ kind: 'named', name: 'mysql', protocol: 'tcp' });
    expect(resolveOptions({ ...base(), port: 'gossip', protocol: 'udp' }).port).toEqual({ kind: 'named', name: 'gossip', protocol: 'udp' });
    expect(resolveOptions({ ...base(), port: 3306 }).port).toEqual({ kind: 'number', number: 3306 });
    expect(resolveOptions({ ...base(), port: '3306' }).port).toEqual({ kind: 'number', number: 3306 });
  });

  it('defaults the sources from the port: SRV first with a named port, A/AAAA only without', () => {
    expect(resolveOptions({ ...base(), port: 'mysql' }).sources).toEqual(['srv', 'address']);
    expect(resolveOptions({ ...base(), port: 3306 }).sources).toEqual(['address']);
  });

  it('reads expectedReplicas and static peers from the environment', () => {
    const environment = pod(
      { POD_NAME: 'mysql-2', HEADLESS_DISCOVERY_EXPECTED_REPLICAS: '5', HEADLESS_DISCOVERY_STATIC_PEERS: 'db-0.db.prod.svc.kube.example:3306, 10.0.0.7 [fd00::7]:99' },
      { '/etc/resolv.conf': RESOLV_CONF },
    );
    const config = resolveOptions({ ...base(environment), sources: ['address', 'ordinals', 'static'] });
    expect(config.policy.expectedReplicas).toBe(5);
    expect(config.staticPeers).toEqual([
      { host: 'db-0.db.prod.svc.kube.example', port: 3306 },
      { host: '10.0.0.7', port: null },
      { host: 'fd00::7', port: 99 },
    ]);
  });

  it('takes nameservers from HEADLESS_DISCOVERY_NAMESERVERS over resolv.conf, and names the variable when it is wrong', () => {
    const env = (value: string) => pod({ POD_NAME: 'mysql-2', HEADLESS_DISCOVERY_NAMESERVERS: value }, { '/etc/resolv.conf': RESOLV_CONF });
    expect(resolveOptions(base(env('127.0.0.1:5353, [::1]:53'))).nameservers.map((server) => `${server.address}/${server.port}`)).toEqual([
      '127.0.0.1/5353',
      '::1/53',
    ]);
    expect(() => resolveOptions(base(env('kube-dns')))).toThrow(
      expect.objectContaining({ option: 'nameservers (from env:HEADLESS_DISCOVERY_NAMESERVERS)[0]' }),
    );
  });

  it('derives the interval family from intervalMs and keeps it ordered', () => {
    expect(resolveOptions({ ...base(), intervalMs: 300 }).timing).toEqual({ intervalMs: 300, fastIntervalMs: 300, minIntervalMs: 300, maxIntervalMs: 60_000, jitter: 0.1 });
    expect(resolveOptions({ ...base(), intervalMs: 120_000 }).timing.maxIntervalMs).toBe(120_000);
  });

  it('accepts every readiness form', () => {
    const check = async (): Promise<boolean> => true;
    expect(resolveOptions({ ...base(), port: 3306, readiness: { tcp: true } }).readiness?.probe).toEqual({ kind: 'tcp', port: null });
    expect(resolveOptions({ ...base(), port: 'mysql', readiness: { http: { path: '/ready', port: 8080 } } }).readiness?.probe).toMatchObject({ kind: 'http', path: '/ready', port: 8080 });
    expect(resolveOptions({ ...base(), readiness: check }).readiness?.probe).toEqual({ kind: 'custom', check });
  });
});

describe('invalid options fail at construction with ERR_INVALID_OPTION naming the option', () => {
  const cases: Array<[string, Partial<DiscoveryOptions> | Record<string, unknown>, string]> = [
    ['a service that is not a label', { service: 'My_Service' }, 'service'],
    ['a missing service', { service: undefined }, 'service'],
    ['a service with a path', { service: '../etc' }, 'service'],
    ['a service with a NUL byte', { service: 'my\u0000sql' }, 'service'],
    ['a huge service name', { service: 'a'.repeat(100_000) }, 'service'],
    ['a namespace with dots', { namespace: 'a.b' }, 'namespace'],
    ['an empty nameserver list', { nameservers: [] }, 'nameservers'],
    ['a host name as nameserver', { nameservers: ['127.0.0.1', 'kube-dns'] }, 'nameservers[1]'],
    ['an interval below the floor', { intervalMs: 10 }, 'intervalMs'],
    ['a NaN interval', { intervalMs: Number.NaN }, 'intervalMs'],
    ['a negative ordinalStart', { ordinalStart: -1 }, 'ordinalStart'],
    ['a fractional ordinalStart', { ordinalStart: 1.5 }, 'ordinalStart'],
    ['jitter above one half', { jitter: 0.9 }, 'jitter'],
    ['a port number out of range', { port: 70_000 }, 'port'],
    ['a port name too long', { port: 'a-very-long-port-name' }, 'port'],
    ['a port name without letters', { port: '12-34' }, 'port'],
    ['an unknown protocol', { port: 'mysql', protocol: 'http' as never }, 'protocol'],
    ['a protocol with a numeric port', { port: 3306, protocol: 'tcp' }, 'protocol'],
    ['a zero DNS timeout', { dnsTimeoutMs: 0 }, 'dnsTimeoutMs'],
    ['a signal that is not an AbortSignal', { signal: {} as never }, 'signal'],
    ['an unknown option (a typo)', { interval: 1000 } as never, 'interval'],
    ['a cluster domain with a space', { clusterDomain: 'cluster local' }, 'clusterDomain'],
    ['a pod name with a slash', { podName: 'a/b' }, 'podName'],
    ['an unknown source', { sources: ['dns'] as never }, 'sources[0]'],
    ['a source listed twice', { port: 'mysql', sources: ['srv', 'srv'] }, 'sources[1]'],
    ['an empty source list', { sources: [] }, 'sources'],
    ['srv without a named port', { sources: ['srv'] }, 'sources'],
    ['ordinals without expectedReplicas', { sources: ['ordinals'] }, 'sources'],
    ['static without peers', { sources: ['static'] }, 'staticPeers'],
    ['static peers without the static source', { staticPeers: ['10.0.0.1'] }, 'staticPeers'],
    ['a static peer with a path', { sources: ['static'], staticPeers: ['../etc/passwd'] }, 'staticPeers[0]'],
    ['a static peer with a NUL byte', { sources: ['static'], staticPeers: ['a\u0000.b'] }, 'staticPeers[0]'],
    ['a static peer with a bad port', { sources: ['static'], staticPeers: ['10.0.0.1:0'] }, 'staticPeers[0]'],
    ['a single-label static peer', { sources: ['static'], staticPeers: ['mysql-0'] }, 'staticPeers[0]'],
    ['zero expectedReplicas', { expectedReplicas: 0 }, 'expectedReplicas'],
    ['an unknown family', { family: 5 as never }, 'family'],
    ['zero leaveAfterPolls', { leaveAfterPolls: 0 }, 'leaveAfterPolls'],
    ['a negative leaveAfterMs', { leaveAfterMs: -1 }, 'leaveAfterMs'],
    ['a removal fraction above one', { maxRemovalFraction: 1.5 }, 'maxRemovalFraction'],
    ['includeNotReady as a string', { includeNotReady: 'yes' as never }, 'includeNotReady'],
    ['a zero maxStaleMs', { maxStaleMs: 0 }, 'maxStaleMs'],
    ['a fast interval longer than the interval', { intervalMs: 1000, fastIntervalMs: 2000 }, 'fastIntervalMs'],
    ['a max interval shorter than the interval', { intervalMs: 1000, maxIntervalMs: 500 }, 'maxIntervalMs'],
    ['a floor above the fast interval', { fastIntervalMs: 500, minIntervalMs: 800 }, 'minIntervalMs'],
    ['eleven retries', { retries: 11 }, 'retries'],
    ['a tcp probe with no port known', { readiness: { tcp: true } }, 'readiness.tcp.port'],
    ['a readiness probe of two kinds', { port: 3306, readiness: { tcp: true, http: { path: '/' } } as never }, 'readiness'],
  ];

  it.each(cases)('%s', (_, overrides, option) => {
    let thrown: unknown;
    try {
      createDiscovery({ ...base(), ...overrides } as DiscoveryOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidOptionError);
    expect(thrown).toMatchObject({ code: 'ERR_INVALID_OPTION', option });
    expect((thrown as Error).message).toContain(`"${option}"`);
    expect((thrown as Error).message).toMatch(/expected|known options/i);
    expect((thrown as Error).message.length).toBeLessThan(400);
  });

  it('suggests the option a typo meant', () => {
    expect(() => createDiscovery({ ...base(), intervalMS: 1000 } as never)).toThrow(/did you mean "intervalMs"/);
  });

  it('says where a bad default came from', () => {
    expect(() => resolveOptions(base(pod({ POD_NAMESPACE: 'Bad_NS' }, { '/etc/resolv.conf': RESOLV_CONF })))).toThrow(
      /namespace \(from .*POD_NAMESPACE/,
    );
  });

  it('asks for nameservers when resolv.conf has none', () => {
    expect(() => resolveOptions(base(pod({}, {})))).toThrow(expect.objectContaining({ option: 'nameservers' }));
  });

  it('rejects a non-object', () => {
    expect(() => createDiscovery(undefined as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });
});
