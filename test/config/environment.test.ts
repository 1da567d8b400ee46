import { describe, expect, it } from 'vitest';
import { NAMESPACE_PATH, RESOLV_CONF_PATH } from '../../src/config/defaults';
import { readEnvironment } from '../../src/config/environment';

function sources(env: Record<string, string | undefined>, files: Record<string, string>, hostname = 'node-host') {
  return { env, hostname: () => hostname, readFile: (path: string) => files[path] };
}

const KUBE_EXAMPLE = 'nameserver 10.32.0.10\nsearch prod.svc.kube.example svc.kube.example kube.example\noptions ndots:5\n';

describe('readEnvironment', () => {
  it('reads a pod: POD_NAME, POD_NAMESPACE and the zone from the search list', () => {
    const environment = readEnvironment(sources({ POD_NAME: 'web-2', POD_NAMESPACE: 'prod' }, { [RESOLV_CONF_PATH]: KUBE_EXAMPLE }));
    expect(environment.podName).toEqual({ value: 'web-2', from: 'env:POD_NAME' });
    expect(environment.namespace).toEqual({ value: 'prod', from: 'env:POD_NAMESPACE' });
    expect(environment.clusterDomain).toEqual({ value: 'kube.example', from: `file:${RESOLV_CONF_PATH}` });
    expect(environment.nameservers.value).toEqual([{ address: '10.32.0.10', port: 53, family: 4 }]);
    expect(environment.resolverOptions.value).toEqual({ ndots: 5 });
  });

  it('falls back to HOSTNAME, then the host name, cut at the first dot (setHostnameAsFQDN)', () => {
    expect(readEnvironment(sources({ HOSTNAME: 'web-1.web.prod.svc.kube.example' }, {})).podName).toEqual({ value: 'web-1', from: 'env:HOSTNAME' });
    expect(readEnvironment(sources({}, {}, 'web-0')).podName).toEqual({ value: 'web-0', from: 'hostname' });
  });

  it('reads the namespace from the service-account file, else uses default', () => {
    expect(readEnvironment(sources({}, { [NAMESPACE_PATH]: 'team-a\n' })).namespace).toEqual({ value: 'team-a', from: `file:${NAMESPACE_PATH}` });
    expect(readEnvironment(sources({}, {})).namespace).toEqual({ value: 'default', from: 'default' });
  });

  it('finds the zone from svc.<zone> when the namespace entry is absent, else uses cluster.local', () => {
    expect(readEnvironment(sources({ POD_NAMESPACE: 'other' }, { [RESOLV_CONF_PATH]: KUBE_EXAMPLE })).clusterDomain.value).toBe('kube.example');
    expect(readEnvironment(sources({}, { [RESOLV_CONF_PATH]: 'nameserver 1.1.1.1\nsearch corp.example\n' })).clusterDomain).toEqual({
      value: 'cluster.local',
      from: 'default',
    });
  });

  it('survives a missing resolv.conf and says so', () => {
    const environment = readEnvironment(sources({}, {}));
    expect(environment.nameservers).toEqual({ value: [], from: `missing file:${RESOLV_CONF_PATH}` });
  });

  it('honours custom file paths and LOCALDOMAIN / RES_OPTIONS', () => {
    const environment = readEnvironment({
      ...sources({ LOCALDOMAIN: 'ns1.svc.cluster-domain.example', RES_OPTIONS: 'timeout:3', POD_NAMESPACE: 'ns1' }, { '/custom/resolv.conf': 'nameserver ::1\n' }),
      resolvConfPath: '/custom/resolv.conf',
    });
    expect(environment.clusterDomain).toEqual({ value: 'cluster-domain.example', from: 'env:LOCALDOMAIN' });
    expect(environment.resolverOptions.value).toEqual({ timeoutMs: 3000 });
    expect(environment.nameservers.value).toEqual([{ address: '::1', port: 53, family: 6 }]);
  });
});
