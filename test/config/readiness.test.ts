import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { READINESS_DEFAULTS } from '../../src/config/defaults';
import { resolveReadiness } from '../../src/config/readiness';
import type { ReadinessCheck } from '../../src/readiness/probe-spec';

const check: ReadinessCheck = async () => true;

/** The error `resolveReadiness(value)` throws; fails the test when it does not throw one. */
function failure(value: unknown): InvalidOptionError {
  try {
    resolveReadiness(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
}

describe('resolveReadiness: accepted values', () => {
  it('returns null when the option is absent', () => {
    expect(resolveReadiness(undefined)).toBeNull();
  });

  it('uses the Kubernetes probe defaults', () => {
    expect(READINESS_DEFAULTS).toEqual({
      periodMs: 10_000,
      timeoutMs: 1_000,
      successThreshold: 1,
      failureThreshold: 3,
      concurrency: 16,
    });
    expect(resolveReadiness({ tcp: true })).toEqual({ probe: { kind: 'tcp', port: null }, ...READINESS_DEFAULTS });
  });

  it('takes a bare function as a custom check with the defaults', () => {
    expect(resolveReadiness(check)).toEqual({ probe: { kind: 'custom', check }, ...READINESS_DEFAULTS });
  });

  it('resolves tcp with and without a port', () => {
    expect(resolveReadiness({ tcp: {} })?.probe).toEqual({ kind: 'tcp', port: null });
    expect(resolveReadiness({ tcp: { port: 3306 } })?.probe).toEqual({ kind: 'tcp', port: 3306 });
  });

  it('resolves http, with expectStatus as a list or null', () => {
    expect(resolveReadiness({ http: { path: '/ready' } })?.probe).toEqual({
      kind: 'http',
      path: '/ready',
      port: null,
      expectStatus: null,
    });
    expect(resolveReadiness({ http: { path: '/healthz?full=1', port: 8080, expectStatus: 204 } })?.probe).toEqual({
      kind: 'http',
      path: '/healthz?full=1',
      port: 8080,
      expectStatus: [204],
    });
    expect(resolveReadiness({ http: { path: '/', expectStatus: [200, 299] } })?.probe).toMatchObject({
      expectStatus: [200, 299],
    });
  });

  it('resolves check', () => {
    expect(resolveReadiness({ check })?.probe).toEqual({ kind: 'custom', check });
  });

  it('takes every timing field, at both ends of its range', () => {
    const low = { periodMs: 100, timeoutMs: 10, successThreshold: 1, failureThreshold: 1, concurrency: 1 };
    const high = { periodMs: 3_600_000, timeoutMs: 600_000, successThreshold: 100, failureThreshold: 100, concurrency: 1024 };
    expect(resolveReadiness({ tcp: true, ...low })).toEqual({ probe: { kind: 'tcp', port: null }, ...low });
    expect(resolveReadiness({ check, ...high })).toEqual({ probe: { kind: 'custom', check }, ...high });
  });

  it('allows a timeout longer than the period, as Kubernetes does', () => {
    expect(resolveReadiness({ tcp: true, periodMs: 1000, timeoutMs: 5000 })).toMatchObject({ periodMs: 1000, timeoutMs: 5000 });
  });

  it('returns a frozen config', () => {
    const config = resolveReadiness({ http: { path: '/ready', expectStatus: [200] } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config?.probe)).toBe(true);
  });
});

describe('resolveReadiness: rejected values name the option path', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['null', null, 'readiness', /got null; expected/],
    ['a string', 'tcp', 'readiness', /got "tcp"; expected/],
    ['a number', 5, 'readiness', /got 5/],
    ['an array', [], 'readiness', /got an array/],
    ['no kind', { periodMs: 1000 }, 'readiness', /exactly one of tcp, http or check/],
    ['two kinds', { tcp: true, check }, 'readiness', /got tcp and check/],
    ['an unknown key', { tcp: true, interval: 5 }, 'readiness.interval', /unknown option; expected one of the documented options/],
    ['periodMs too low', { tcp: true, periodMs: 99 }, 'readiness.periodMs', /got 99; expected an integer from 100 to 3600000\./],
    ['periodMs too high', { tcp: true, periodMs: 3_600_001 }, 'readiness.periodMs', /from 100 to 3600000/],
    ['periodMs not an integer', { tcp: true, periodMs: 1000.5 }, 'readiness.periodMs', /got 1000\.5/],
    ['periodMs a string', { tcp: true, periodMs: '1000' }, 'readiness.periodMs', /got "1000"/],
    ['timeoutMs negative', { tcp: true, timeoutMs: -1 }, 'readiness.timeoutMs', /got -1; expected an integer from 10 to 600000\./],
    ['timeoutMs too high', { tcp: true, timeoutMs: 600_001 }, 'readiness.timeoutMs', /from 10 to 600000/],
    ['timeoutMs NaN', { tcp: true, timeoutMs: Number.NaN }, 'readiness.timeoutMs', /got NaN/],
    ['successThreshold 0', { tcp: true, successThreshold: 0 }, 'readiness.successThreshold', /from 1 to 100/],
    ['failureThreshold 101', { tcp: true, failureThreshold: 101 }, 'readiness.failureThreshold', /from 1 to 100/],
    ['concurrency 0', { tcp: true, concurrency: 0 }, 'readiness.concurrency', /from 1 to 1024/],
    ['concurrency 1025', { tcp: true, concurrency: 1025 }, 'readiness.concurrency', /from 1 to 1024/],
    ['tcp false', { tcp: false }, 'readiness.tcp', /got false; expected true or \{ port/],
    ['tcp port 0', { tcp: { port: 0 } }, 'readiness.tcp.port', /got 0; expected a port number from 1 to 65535/],
    ['tcp port 65536', { tcp: { port: 65_536 } }, 'readiness.tcp.port', /65535/],
    ['tcp port a string', { tcp: { port: '80' } }, 'readiness.tcp.port', /got "80"/],
    ['an unknown tcp key', { tcp: { host: 'x' } }, 'readiness.tcp.host', /unknown option; expected one of the documented options \(did you mean "port"\?\)/],
    ['http true', { http: true }, 'readiness.http', /got true/],
    ['http without a path', { http: {} }, 'readiness.http.path', /got undefined; expected a path starting with "\/"/],
    ['a relative path', { http: { path: 'ready' } }, 'readiness.http.path', /got "ready"/],
    ['a path with a space', { http: { path: '/a b' } }, 'readiness.http.path', /without spaces/],
    ['a path with a tab', { http: { path: '/a\tb' } }, 'readiness.http.path', /printable ASCII/],
    ['a path with a newline', { http: { path: '/a\r\nX-Injected: 1' } }, 'readiness.http.path', /printable ASCII/],
    ['a path with a control character', { http: { path: '/a\u0000' } }, 'readiness.http.path', /printable ASCII/],
    ['a path with non-ASCII', { http: { path: '/café' } }, 'readiness.http.path', /percent-encode/],
    ['a path too long', { http: { path: `/${'a'.repeat(2048)}` } }, 'readiness.http.path', /at most 2048/],
    ['http port 0', { http: { path: '/', port: 0 } }, 'readiness.http.port', /from 1 to 65535/],
    ['expectStatus 99', { http: { path: '/', expectStatus: 99 } }, 'readiness.http.expectStatus', /got 99; expected an HTTP status, an integer from 100 to 599\./],
    ['expectStatus 600 in a list', { http: { path: '/', expectStatus: [200, 600] } }, 'readiness.http.expectStatus[1]', /got 600/],
    ['expectStatus a string', { http: { path: '/', expectStatus: '200' } }, 'readiness.http.expectStatus', /got "200"/],
    ['expectStatus empty', { http: { path: '/', expectStatus: [] } }, 'readiness.http.expectStatus', /empty array/],
    ['https', { http: { path: '/', https: true } }, 'readiness.http.https', /not supported/],
    ['an unknown http key', { http: { path: '/', method: 'HEAD' } }, 'readiness.http.method', /unknown option; expected one of the documented options: path, port, expectStatus/],
    ['check not a function', { check: true }, 'readiness.check', /got true; expected a function/],
  ];

  it.each(cases)('rejects %s', (_label, value, option, message) => {
    const error = failure(value);
    expect(error.code).toBe('ERR_INVALID_OPTION');
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`"${option}"`);
  });

  it('accepts a path of exactly 2048 characters', () => {
    const path = `/${'a'.repeat(2047)}`;
    expect(resolveReadiness({ http: { path } })?.probe).toMatchObject({ path });
  });
});
