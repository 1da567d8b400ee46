/**
 * The `readiness` option: its types, defaults (the Kubernetes probe defaults) and validation.
 * A Service with `publishNotReadyAddresses: true` lists pods before they are ready, so the
 * library probes the peers itself, the way the kubelet would.
 *
 * @module
 */
import { InvalidOptionError } from '../errors';
import { denseArray, ownRecord, rejectUnknownKeys } from '../option-checks';
import type { Peer } from '../membership/types';

/**
 * A readiness check of your own: resolve `true` when `peer` is ready. Anything else (another
 * value, a rejection, or no answer before `signal` aborts at the timeout) counts as not ready.
 */
export type ReadinessCheck = (peer: Peer, signal: AbortSignal) => Promise<boolean>;

/** When and how often peers are probed, with the meaning of the Kubernetes probe fields. */
export interface ReadinessTiming {
  /** Milliseconds between probes of a peer. Default: 10000. Range 100–3600000. */
  periodMs?: number;
  /** Milliseconds before a probe counts as failed. Default: 1000. Range 10–600000. */
  timeoutMs?: number;
  /** Consecutive successes that make a not-ready peer ready. Default: 1. Range 1–100. */
  successThreshold?: number;
  /** Consecutive failures that make a ready peer not ready. Default: 3. Range 1–100. */
  failureThreshold?: number;
  /** Most probes in flight at once, over all peers. Default: 16. Range 1–1024. */
  concurrency?: number;
}

/**
 * How peers are probed: a bare {@link ReadinessCheck}, or timing plus exactly one of
 * `tcp` (connect to the peer's port), `http` (GET a path) or `check` (your function).
 */
export type ReadinessOption =
  | ReadinessCheck
  | (ReadinessTiming & {
      /** Ready when a TCP connection to the peer's first address opens: `true` for the peer's port, or `{ port }`. */
      tcp: true | {
        /** The port to connect to instead of the peer's. */
        port?: number;
      };
    })
  | (ReadinessTiming & {
      /** Ready when `GET http://<address>:<port><path>` answers an expected status. */
      http: {
        /** The request path, starting with `/`. */
        path: string;
        /** The port to ask instead of the peer's. */
        port?: number;
        /** The statuses that mean ready: one or a list. Default: 200–399, as Kubernetes. */
        expectStatus?: number | readonly number[];
        /** Not supported: probes speak plain HTTP. */
        https?: never;
      };
    })
  | (ReadinessTiming & {
      /** Your own check: ready when it resolves `true`. */
      check: ReadinessCheck;
    });

/** The probe to run, resolved from the option. A `null` port means the peer's own port. */
export type ProbeSpec =
  | { readonly kind: 'tcp'; readonly port: number | null }
  | {
      readonly kind: 'http';
      readonly path: string;
      readonly port: number | null;
      /** Statuses that mean ready; `null` means any status from 200 to 399, as Kubernetes does. */
      readonly expectStatus: readonly number[] | null;
    }
  | { readonly kind: 'custom'; readonly check: ReadinessCheck };

/** A validated `readiness` option with every default applied. */
export interface ReadinessConfig {
  readonly probe: ProbeSpec;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
  readonly concurrency: number;
}

/** The Kubernetes probe defaults (`concurrency` is this library's own). */
export const READINESS_DEFAULTS = Object.freeze({
  periodMs: 10_000,
  timeoutMs: 1_000,
  successThreshold: 1,
  failureThreshold: 3,
  concurrency: 16,
});

const TIMING_KEYS = ['periodMs', 'timeoutMs', 'successThreshold', 'failureThreshold', 'concurrency'] as const;
const KIND_KEYS = ['tcp', 'http', 'check'] as const;
const KNOWN_KEYS: readonly string[] = [...KIND_KEYS, ...TIMING_KEYS];
const TCP_KEYS: readonly string[] = ['port'];
const HTTP_KEYS: readonly string[] = ['path', 'port', 'expectStatus'];
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
  const record = asRecord('readiness', value, EXAMPLE);
  rejectUnknown('readiness', record, KNOWN_KEYS);
  const kinds = KIND_KEYS.filter((key) => record[key] !== undefined);
  if (kinds.length !== 1) {
    const got = kinds.length === 0 ? 'none of them' : kinds.join(' and ');
    throw new InvalidOptionError('readiness', `got ${got}; expected exactly one of tcp, http or check: ${EXAMPLE}.`);
  }
  return Object.freeze({
    probe: Object.freeze(resolveProbe(kinds[0] as (typeof KIND_KEYS)[number], record)),
    periodMs: integerIn('periodMs', record.periodMs, READINESS_DEFAULTS.periodMs, 100, 3_600_000),
    timeoutMs: integerIn('timeoutMs', record.timeoutMs, READINESS_DEFAULTS.timeoutMs, 10, 600_000),
    successThreshold: integerIn('successThreshold', record.successThreshold, READINESS_DEFAULTS.successThreshold, 1, 100),
    failureThreshold: integerIn('failureThreshold', record.failureThreshold, READINESS_DEFAULTS.failureThreshold, 1, 100),
    concurrency: integerIn('concurrency', record.concurrency, READINESS_DEFAULTS.concurrency, 1, 1024),
  });
}

function resolveProbe(kind: (typeof KIND_KEYS)[number], record: Record<string, unknown>): ProbeSpec {
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
  const record = asRecord('readiness.tcp', value, 'true or { port: 3306 }');
  rejectUnknown('readiness.tcp', record, TCP_KEYS);
  return { kind: 'tcp', port: optionalPort('readiness.tcp.port', record.port) };
}

function resolveHttp(value: unknown): ProbeSpec {
  const record = asRecord('readiness.http', value, '{ path: "/ready", port?: 8080, expectStatus?: [200, 204] }');
  if (record.https !== undefined) {
    throw new InvalidOptionError('readiness.http.https', 'HTTPS probes are not supported; probe a plain-HTTP port, or use { check } with your own client.');
  }
  rejectUnknown('readiness.http', record, HTTP_KEYS);
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

function integerIn(key: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!isIntegerIn(value, min, max) || Object.is(value, -0)) {
    throw new InvalidOptionError(`readiness.${key}`, `got ${describe(value)}; expected an integer from ${min} to ${max}.`);
  }
  return value;
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function asRecord(option: string, value: unknown, example: string): Record<string, unknown> {
  return ownRecord(option, value, example);
}

function rejectUnknown(option: string, record: Record<string, unknown>, known: readonly string[]): void {
  rejectUnknownKeys(`${option}.`, record, new Set(known));
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  return Array.isArray(value) ? 'an array' : typeof value;
}
