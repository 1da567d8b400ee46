/**
 * self and ordinals: this pod missing from its Service, the seed missing, gaps, and an
 * ordinalStart that does not match the StatefulSet.
 */
import { describe, expect, it } from 'vitest';
import { fakeCluster, findingOf, podEnvironment, run } from './helpers';

const PORTS = [{ name: 'mysql', port: 3306 }];

describe('self', () => {
  it('fails when this pod is not listed, with the readiness / publishNotReadyAddresses hint', async () => {
    const cluster = await fakeCluster();
    const mysql = cluster.defineService({ name: 'mysql', ports: PORTS, replicas: 3 });
    mysql.setReady('mysql-2', false);

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' }, { environment: podEnvironment({ POD_NAME: 'mysql-2' }) });

    expect(diagnosis.ok).toBe(false);
    const self = findingOf(diagnosis, 'self');
    expect(self.status).toBe('fail');
    expect(self.title).toBe('This pod (mysql-2) is listed');
    expect(self.evidence).toContain('this pod: mysql-2 (from env:POD_NAME)');
    expect(self.evidence).toContain(`A mysql-2.mysql.default.svc.cluster.local. @${cluster.nameserver} → NXDOMAIN, negative TTL 5 s`);
    expect(self.evidence).toContain('not among the 2 per-pod names');
    expect(self.fix.join('\n')).toContain(`is this pod Ready? kubectl get pod mysql-2 -n default -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'`);
    expect(self.fix.join('\n')).toContain('set publishNotReadyAddresses: true on the headless Service');
    expect(findingOf(diagnosis, 'ordinals').status).toBe('pass');
  });

  it('takes the pod name from HOSTNAME when POD_NAME is not set', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: PORTS, replicas: 2 });

    const self = findingOf(
      await run(cluster.nameserver, { port: 'mysql' }, { environment: podEnvironment({ POD_NAME: undefined, HOSTNAME: 'mysql-1' }) }),
      'self',
    );

    expect(self.status).toBe('pass');
    expect(self.evidence[0]).toBe('this pod: mysql-1 (from env:HOSTNAME)');
  });
});

describe('ordinals', () => {
  it('fails when the seed is not ready (ordinalStart 0, mysql-0 missing)', async () => {
    const cluster = await fakeCluster();
    const mysql = cluster.defineService({ name: 'mysql', ports: PORTS, replicas: 3 });
    mysql.setReady('mysql-0', false);

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' });

    expect(diagnosis.ok).toBe(false);
    const ordinals = findingOf(diagnosis, 'ordinals');
    expect(ordinals.status).toBe('fail');
    expect(ordinals.evidence).toContain('listed ordinals: 1, 2');
    expect(ordinals.evidence).toContain('seed mysql-0: missing');
    expect(ordinals.fix[0]).toBe('the seed mysql-0 is not ready or does not exist: kubectl get pod mysql-0 -n default');
    expect(ordinals.fix.join('\n')).toContain('.spec.ordinals.start');
    expect(ordinals.fix.join('\n')).toContain('set the ordinalStart option');
    expect(ordinals.evidence.join('\n')).not.toContain('gaps');
  });

  it('warns on a gap (mysql-1 missing between mysql-0 and mysql-2)', async () => {
    const cluster = await fakeCluster();
    const mysql = cluster.defineService({ name: 'mysql', ports: PORTS, replicas: 4 });
    mysql.deletePod('mysql-1');

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' }, { environment: podEnvironment({ POD_NAME: 'mysql-3' }) });

    const ordinals = findingOf(diagnosis, 'ordinals');
    expect(ordinals.status).toBe('warn');
    expect(ordinals.evidence).toContain('listed ordinals: 0, 2, 3');
    expect(ordinals.evidence).toContain('gaps: mysql-1');
    expect(ordinals.fix[0]).toMatch(/^mysql-1: not ready, or not created yet .*kubectl get pods -n default -l <selector from the Service> -o wide$/);
    expect(diagnosis.ok).toBe(true);
  });

  it('fails with the lowest listed ordinal when the StatefulSet starts at 1 but ordinalStart is 0', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: PORTS, replicas: 3, ordinalStart: 1 });

    const ordinals = findingOf(await run(cluster.nameserver, { port: 'mysql' }), 'ordinals');

    expect(ordinals.status).toBe('fail');
    expect(ordinals.fix.join('\n')).toContain('the lowest listed is 1');
  });

  it('passes with ordinalStart set to the StatefulSet\'s start', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: PORTS, replicas: 3, ordinalStart: 1 });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql', ordinalStart: 1 });

    expect(findingOf(diagnosis, 'ordinals')).toMatchObject({ status: 'pass', title: 'Ordinals of mysql are contiguous from 1, seed mysql-1 listed' });
    expect(findingOf(diagnosis, 'ordinals').evidence[0]).toBe("StatefulSet: mysql (from this pod's name); ordinalStart: 1 (from the ordinalStart option)");
    expect(diagnosis.ok).toBe(true);
  });
});
