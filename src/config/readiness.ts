/**
 * Validating the `readiness` option (its types are in `options.ts`, its defaults, the
 * Kubernetes probe defaults, in `defaults.ts`). A Service with `publishNotReadyAddresses: true` lists pods before
 * they are ready, so the library probes the peers itself, the way the kubelet would.
 *
 * @module
 */
import { InvalidOptionError } from '../errors';
import type { ProbeSpec, ReadinessCheck, ReadinessConfig } from '../readiness/probe-spec';
import { denseArray, describe, integerIn, ownRecord, rejectUnknownKeys } from './checks';
import { READINESS_DEFAULTS } from './defaults';
import type { ReadinessOption, ReadinessTiming } from './options';

type ObjectForm = Exclude<ReadinessOption, ReadinessCheck>;
type KeysOf<T> = T extends unknown ? keyof T : never;
type KindKey = Exclude<KeysOf<ObjectForm>, keyof ReadinessTiming>;
type TcpForm = Exclude<Extract<ObjectForm, { tcp: unknown }>['tcp'], true>;
type HttpForm = Extract<ObjectForm, { http: unknown }>['http'];

// Written as records so the compiler notices a field added to the types but not here.
const KINDS = { tcp: true, http: true, check: true } as const satisfies Record<KindKey, true>;
const TIMING = { periodMs: true, timeoutMs: true, successThreshold: true, failureThreshold: true, concurrency: true } as const satisfies Record<keyof ReadinessTiming, true>;
const TCP_KEYS = new Set(Object.keys({ port: true } satisfies Record<keyof TcpForm, true>));
const HTTP_KEYS = new Set(Object.keys({ path: true, port: true, expectStatus: true } satisfies Record<Exclude<keyof HttpForm, 'https'>, true>));
const KIND_KEYS = Object.keys(KINDS) as KindKey[];
const KNOWN_KEYS = new Set([...KIND_KEYS, ...Object.keys(TIMING)]);
const MAX_PATH_LENGTH = 2048;
/** A request target Node can send as is: printable ASCII, no whitespace or control characters. */
const HTTP_PATH = /^\/[\x21-\x7e]*$/;
const EXAMPLE = '{ tcp: true }, { http: { path: "/ready" } }, { check: async (peer) => … } or a function';

/**
 * Validate the `readiness` option and apply the defaults; `undefined` (no probing) gives `null`.
 * Throws {@link InvalidOptionError} naming the offending path, e.g. `readiness.http.path`.
 */
export function resolveReadiness(value: unknown): ReadinessConfig | null {
  if (value === undefined) return null;
  if (typeof value === 'function') {
    return Object.freeze({ probe: Object.freeze({ kind: 'custom', check: value as ReadinessCheck }), ...READINESS_DEFAULTS });
  }
  const record = ownRecord('readiness', value, EXAMPLE);
  rejectUnknownKeys('readiness.', record, KNOWN_KEYS);
  const kinds = KIND_KEYS.filter((key) => record[key] !== undefined);
  if (kinds.length !== 1) {
    const got = kinds.length === 0 ? 'none of them' : kinds.join(' and ');
    throw new InvalidOptionError('readiness', `got ${got}; expected exactly one of tcp, http or check: ${EXAMPLE}.`);
  }
  return Object.freeze({
    probe: Object.freeze(resolveProbe(kinds[0] as KindKey, record)),
    periodMs: integerIn('readiness.periodMs', record.periodMs, READINESS_DEFAULTS.periodMs, 100, 3_600_000),
    timeoutMs: integerIn('readiness.timeoutMs', record.timeoutMs, READINESS_DEFAULTS.timeoutMs, 10, 600_000),
    successThreshold: integerIn('readiness.successThreshold', record.successThreshold, READINESS_DEFAULTS.successThreshold, 1, 100),
    failureThreshold: integerIn('readiness.failureThreshold', record.failureThreshold, READINESS_DEFAULTS.failureThreshold, 1, 100),
    concurrency: integerIn('readiness.concurrency', record.concurrency, READINESS_DEFAULTS.concurrency, 1, 1024),
  });
}

function resolveProbe(kind: KindKey, record: Record<string, unknown>): ProbeSpec {
  switch (kind) {
    case 'tcp':
      return resolveTcp(record.tcp);
    case 'http':
      return resolveHttp(record.http);
    case 'check':
      if (typeof record.check !== 'function') {
        throw new InvalidOptionError('readiness.check', `got ${describe(record.check)}; expected a function (peer, signal) => Promise<boolean>.`);
      }
      return { kind: 'custom', check: record.check as ReadinessCheck };
  }
}

function resolveTcp(value: unknown): ProbeSpec {
  if (value === true) return { kind: 'tcp', port: null };
  const record = ownRecord('readiness.tcp', value, 'true or { port: 3306 }');
  rejectUnknownKeys('readiness.tcp.', record, TCP_KEYS);
  return { kind: 'tcp', port: optionalPort('readiness.tcp.port', record.port) };
}

function resolveHttp(value: unknown): ProbeSpec {
  const record = ownRecord('readiness.http', value, '{ path: "/ready", port?: 8080, expectStatus?: [200, 204] }');
  if (record.https !== undefined) {
    throw new InvalidOptionError('readiness.http.https', 'HTTPS probes are not supported; probe a plain-HTTP port, or use { check } with your own client.');
  }
  rejectUnknownKeys('readiness.http.', record, HTTP_KEYS);
  return {
    kind: 'http',
    path: httpPath(record.path),
    port: optionalPort('readiness.http.port', record.port),
    expectStatus: expectStatus(record.expectStatus),
  };
}

function httpPath(value: unknown): string {
  if (typeof value !== 'string' || !HTTP_PATH.test(value) || value.length > MAX_PATH_LENGTH) {
    throw new InvalidOptionError(
      'readiness.http.path',
      `got ${describe(value)}; expected a path starting with "/" of at most ${MAX_PATH_LENGTH} printable ASCII characters, without spaces (percent-encode others), e.g. "/ready".`,
    );
  }
  return value;
}

function expectStatus(value: unknown): readonly number[] | null {
  if (value === undefined) return null;
  const list: readonly unknown[] = Array.isArray(value)
    ? denseArray('readiness.http.expectStatus', value, 100, '[200, 204] (or a single status such as 200)')
    : [value];
  list.forEach((status, index) => {
    if (!isIntegerIn(status, 100, 599)) {
      const option = Array.isArray(value) ? `readiness.http.expectStatus[${index}]` : 'readiness.http.expectStatus';
      throw new InvalidOptionError(option, `got ${describe(status)}; expected an HTTP status, an integer from 100 to 599.`);
    }
  });
  return Object.freeze([...(list as number[])]);
}

function optionalPort(option: string, value: unknown): number | null {
  if (value === undefined) return null;
  if (!isIntegerIn(value, 1, 65_535)) {
    throw new InvalidOptionError(option, `got ${describe(value)}; expected a port number from 1 to 65535 (omit it to use the peer's port).`);
  }
  return value;
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
