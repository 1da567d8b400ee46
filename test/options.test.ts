import { describe, expect, it } from 'vitest';
import { createDiscovery, InvalidOptionError, type DiscoveryOptions } from '../src/index';
import type { EnvironmentSources } from '../src/environment';
import { resolveOptions } from '../src/options';

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
      intervalMs: 5000,
      jitter: 0.1,
      port: { kind: 'none' },
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
