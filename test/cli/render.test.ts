/**
 * What `watch` prints on a terminal and as NDJSON, from memberships built by the real reconcile step.
 */
import { describe, expect, it } from 'vitest';
import { parseReadiness, toDiscoveryOptions, UsageError } from '../../src/cli/args';
import { eventLine, ndjson, peerTable, stateLine } from '../../src/cli/render';
import { DEFAULT_POLICY } from '../../src/config/defaults';
import { initialState, reconcile } from '../../src/membership/reconcile';
import type { Membership } from '../../src/membership/types';

const DOMAIN = 'mysql.default.svc.cluster.local';
const context = { statefulSet: 'mysql', ordinalStart: 0, podName: 'mysql-1', serviceDomain: DOMAIN };

function membership(pods: number[], ready: (name: string) => boolean = () => true): Membership {
  const observation = {
    ok: true as const,
    source: 'srv' as const,
    endpoints: pods.map((n) => ({ host: `mysql-${n}.${DOMAIN}`, addresses: [`10.0.0.${n + 1}`], port: 3306 })),
    ttl: 5,
    queries: 1,
  };
  return reconcile(initialState(context, { ...DEFAULT_POLICY, expectedReplicas: 3 }), observation, ready, context, { ...DEFAULT_POLICY, expectedReplicas: 3 }, Date.UTC(2026, 0, 1)).membership;
}

describe('the terminal view', () => {
  it('aligns a table with the seed and self marked', () => {
    const lines = peerTable(membership([0, 1, 2], (name) => name !== 'mysql-2'));
    expect(lines[0]).toMatch(/^\s+ORD\s+NAME\s+ADDRESSES\s+PORT\s+READY\s+SOURCES$/);
    expect(lines[1]).toMatch(/^★ +0 +mysql-0 +10\.0\.0\.1 +3306 +yes +srv$/);
    expect(lines[2]).toMatch(/^ › +1 +mysql-1 /);
    expect(lines[3]).toMatch(/mysql-2 .* no +srv$/);
    expect(new Set(lines.map((line) => line.indexOf('mysql')).filter((index) => index >= 0)).size).toBe(1);
  });

  it('says when there are no peers, and what the state is', () => {
    const empty = initialState(context, DEFAULT_POLICY).membership;
    expect(peerTable(empty).at(-1)).toBe(`(no peers; the seed would be mysql-0.${DOMAIN})`);
    expect(stateLine(empty)).toMatch(/^not observed yet/);
    expect(stateLine(membership([0, 1]))).toBe('fresh, degraded (2/3 ready), 2 peers (2 ready), epoch 1, source srv');
    expect(eventLine(new Date(0), 'join', 'mysql-1', membership([0, 1, 2]))).toBe('1970-01-01T00:00:00.000Z  join    mysql-1  [fresh, complete]');
  });

  it('NDJSON records carry stable field names', () => {
    const record = JSON.parse(ndjson(new Date(0), 'join', { peer: { name: 'mysql-2' } }, membership([0, 1, 2]))) as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['time', 'event', 'peer', 'membership']);
    expect(Object.keys(record['membership'] as object)).toEqual(['epoch', 'stale', 'staleSince', 'completeness', 'source', 'seed', 'self', 'peers', 'ready']);
  });
});

describe('arguments', () => {
  it('reads readiness probes', () => {
    expect(parseReadiness('tcp')).toEqual({ tcp: true });
    expect(parseReadiness('tcp:3307')).toEqual({ tcp: { port: 3307 } });
    expect(parseReadiness('http:/ready')).toEqual({ http: { path: '/ready' } });
    expect(parseReadiness('http:8080/healthz')).toEqual({ http: { path: '/healthz', port: 8080 } });
    expect(() => parseReadiness('http:ready')).toThrow(UsageError);
  });

  it('lets flags win over environment variables', () => {
    const options = toDiscoveryOptions(['mysql'], { port: 'mysql', nameserver: ['127.0.0.1:53', '[::1]:53'] }, {
      HEADLESS_DISCOVERY_PORT: 'other',
      HEADLESS_DISCOVERY_NAMESPACE: 'prod',
      HEADLESS_DISCOVERY_INCLUDE_NOT_READY: 'yes',
    });
    expect(options).toEqual({ service: 'mysql', port: 'mysql', namespace: 'prod', nameservers: ['127.0.0.1:53', '[::1]:53'], includeNotReady: true });
    expect(() => toDiscoveryOptions(['a', 'b'], {}, {})).toThrow(/expected one service name/);
    expect(() => toDiscoveryOptions(['a'], {}, { HEADLESS_DISCOVERY_INCLUDE_NOT_READY: 'maybe' })).toThrow(/true or false/);
  });
});
