/**
 * Hostile option values: every option of `createDiscovery` is given values no caller should pass
 * (1 MB strings, NUL bytes, `../`, negative numbers, NaN, ±Infinity, -0, floats for integers,
 * objects, arrays and functions for scalars, prototype-pollution-shaped objects). Each must be
 * rejected *at construction* with `code: 'ERR_INVALID_OPTION'`, an `option` that names the option
 * and a message short enough to log (< 400 characters) — never accepted, and never left to fail
 * at the first poll: the nameservers point at a raw loopback server, which must receive nothing.
 *
 * Where the input space is large, fast-check generates values and an independent statement of
 * the documented ranges (docs/options.md) says which ones must be accepted.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createDiscovery, InvalidOptionError, type Discovery, type DiscoveryOptions } from '../../src/index';
import type { EnvironmentSources } from '../../src/config/options';
import { resolveOptions } from '../../src/config/resolve-options';
import { response, startRawDnsServer, type RawDnsServer } from '../helpers/raw-dns-server';

const MAX_MESSAGE = 400;
const MB = 1 << 20;

/** A pod environment that reads nothing from this machine. */
const HERMETIC: EnvironmentSources = { env: {}, readFile: () => undefined, hostname: () => 'mysql-0', resolvConfPath: '/nonexistent/resolv.conf' };

// NXDOMAIN at once: if a hostile value is (wrongly) accepted, its first poll ends quickly.
const server: RawDnsServer = await startRawDnsServer((query) => response(query, { rcode: 3 }));

afterAll(async () => {
  await server.close();
});

function base(): Record<string, unknown> {
  return {
    service: 'mysql',
    namespace: 'default',
    clusterDomain: 'cluster.local',
    port: 'mysql',
    podName: 'mysql-0',
    nameservers: [server.nameserver],
    environment: HERMETIC,
  };
}

/** True when `reported` (e.g. `nameservers[3]`, `readiness.http.path`) names `option`. */
function names(reported: string, option: string): boolean {
  // A very long key is reported shortened (`xxxx…`), so the error stays small.
  if (reported.endsWith('…') && option.startsWith(reported.slice(0, -1))) return true;
  return reported === option || reported.startsWith(`${option}.`) || reported.startsWith(`${option}[`) || reported.startsWith(`${option} (`);
}

/** A printable label for a value (never the whole 1 MB string). */
function show(value: unknown): string {
  if (typeof value === 'string') return value.length > 30 ? `string(${value.length})` : JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'function') return 'function';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return 'symbol';
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 60)}…` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Never send a query off this machine: a wrongly accepted value is started only when every nameserver is on loopback. */
function onlyLoopback(options: unknown): boolean {
  try {
    return resolveOptions(options as DiscoveryOptions).nameservers.every((server) => server.address === '::1' || /^127\./.test(server.address));
  } catch {
    return false;
  }
}

interface Verdict {
  readonly error: unknown;
  readonly discovery: Discovery | undefined;
}

function construct(options: unknown): Verdict {
  try {
    return { error: undefined, discovery: createDiscovery(options as DiscoveryOptions) };
  } catch (error) {
    return { error, discovery: undefined };
  }
}

/**
 * `options` must be rejected at construction, naming `option`. If it is accepted (a bug), the
 * discovery is started so the failure also says whether the value would only have failed at
 * the first poll, and closed.
 */
async function expectRejected(option: string, options: unknown): Promise<void> {
  const queriesBefore = server.queries.length;
  const { error, discovery } = construct(options);
  let firstPoll = 'not started';
  if (discovery && onlyLoopback(options)) {
    discovery.on('error', () => undefined);
    try {
      const membership = await discovery.start();
      firstPoll = `first poll ended ${membership.stale ? 'stale' : 'fresh'}`;
    } catch (caught) {
      firstPoll = `first poll failed: ${String(caught)}`;
    } finally {
      await discovery.close();
    }
  } else {
    void discovery?.close();
  }
  expect(discovery, `accepted at construction (${firstPoll})`).toBeUndefined();
  expect(error).toBeInstanceOf(InvalidOptionError);
  const invalid = error as InvalidOptionError;
  expect(invalid.code).toBe('ERR_INVALID_OPTION');
  expect(names(invalid.option, option), `error.option "${invalid.option.slice(0, 80)}" does not name "${option}"`).toBe(true);
  expect(invalid.message.length, `message of ${invalid.message.length} characters: ${invalid.message.slice(0, 120)}…`).toBeLessThan(MAX_MESSAGE);
  expect(server.queries.length - queriesBefore, 'a DNS query was sent').toBe(0);
}

// ---------------------------------------------------------------------------------------------
// The catalog of hostile values.

const proto = (json: string): unknown => JSON.parse(json);

const HOSTILE_STRINGS: ReadonlyArray<readonly [string, string]> = [
  ['1 MB of letters', 'a'.repeat(MB)],
  ['1 MB of labels', 'mysql.'.repeat(MB / 6)],
  ['a NUL byte', 'mysql\0'],
  ['only NUL', '\0'],
  ['../', '../mysql'],
  ['a path', 'mysql/../../etc/passwd'],
  ['a backslash', '..\\mysql'],
  ['empty', ''],
  ['spaces', '  '],
  ['a newline', 'mysql\nX-Injected: 1'],
  ['non-ASCII', 'mysqł'],
  ['an RTL override', 'mysql\u202e'],
  ['a percent-escape', 'mysql%00'],
  ['a lone surrogate', 'mysql\ud800'],
];

const HOSTILE_NUMBERS: ReadonlyArray<readonly [string, number]> = [
  ['-1', -1],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['-0', -0],
  ['1.5', 1.5],
  ['0.000001', 0.000001],
  ['2^53 + 2', 2 ** 53 + 2],
  ['1e300', 1e300],
  ['-2^31', -(2 ** 31)],
];

const HOSTILE_SHAPES: ReadonlyArray<readonly [string, unknown]> = [
  ['null', null],
  ['true', true],
  ['{}', {}],
  ['[]', []],
  ['an array of one', ['mysql']],
  ['a function', () => 'mysql'],
  ['a class', class Mysql {}],
  ['a symbol', Symbol('mysql')],
  ['a bigint', 10n],
  ['a Number object', Object(5)],
  ['a String object', Object('mysql')],
  ['a Date', new Date(0)],
  ['a RegExp', /mysql/],
  ['a Promise', Promise.resolve('mysql')],
  ['a null-prototype object', Object.create(null)],
  ['{"__proto__": {…}} from JSON', proto('{"__proto__": {"polluted": true, "service": "mysql", "tcp": true}}')],
  ['{"constructor": {"prototype": …}} from JSON', proto('{"constructor": {"prototype": {"polluted": true}}}')],
];

type Catalog = ReadonlyArray<readonly [string, unknown]>;
const ALL: Catalog = [...HOSTILE_STRINGS, ...HOSTILE_NUMBERS, ...HOSTILE_SHAPES];
const NOT_STRINGS: Catalog = [...HOSTILE_NUMBERS, ...HOSTILE_SHAPES, ['a number', 5]];
const NOT_NUMBERS: Catalog = [...HOSTILE_STRINGS, ...HOSTILE_SHAPES, ['a numeric string', '5']];

/** Every option, the context it needs to be validated at all, and its hostile values. */
interface OptionCase {
  readonly option: string;
  readonly context?: Record<string, unknown>;
  readonly hostile: Catalog;
}

const integerCase = (option: string, extra: Catalog = [], context?: Record<string, unknown>): OptionCase => ({
  option,
  hostile: [...HOSTILE_NUMBERS, ...NOT_NUMBERS, ...extra],
  ...(context ? { context } : {}),
});

const CASES: readonly OptionCase[] = [
  { option: 'service', hostile: [...HOSTILE_STRINGS, ...NOT_STRINGS, ['upper case', 'MySQL'], ['a dotted name', 'mysql.default']] },
  { option: 'namespace', hostile: [...HOSTILE_STRINGS, ...NOT_STRINGS, ['a dotted name', 'kube.system']] },
  { option: 'clusterDomain', hostile: [...HOSTILE_STRINGS, ...NOT_STRINGS, ['only a dot', '.'], ['two dots', 'cluster..local'], ['a leading dot', '.cluster.local']] },
  { option: 'statefulSet', hostile: [...HOSTILE_STRINGS, ...NOT_STRINGS] },
  { option: 'podName', hostile: [...HOSTILE_STRINGS, ...NOT_STRINGS] },
  {
    option: 'port',
    hostile: [
      ...HOSTILE_STRINGS,
      ...HOSTILE_NUMBERS,
      ...HOSTILE_SHAPES,
      ['0', 0],
      ['65536', 65_536],
      ['"0"', '0'],
      ['"65536"', '65536'],
      ['a 16-character name', 'abcdefghijklmnop'],
      ['a name with --', 'my--sql'],
      ['digits and a sign', '-80'],
      ['a signed number string', '+80'],
    ],
  },
  { option: 'protocol', hostile: [...HOSTILE_STRINGS, ...NOT_STRINGS, ['upper case', 'TCP'], ['http', 'http']] },
  integerCase('ordinalStart', [['2^31', 2 ** 31]]),
  integerCase('dnsTimeoutMs', [['0', 0], ['9', 9], ['60001', 60_001]]),
  integerCase('dnsAttempts', [['0', 0], ['11', 11]]),
  integerCase('intervalMs', [['0', 0], ['99', 99], ['86400001', 86_400_001]]),
  integerCase('fastIntervalMs', [['99', 99], ['above intervalMs', 5001]]),
  integerCase('maxIntervalMs', [['below intervalMs', 4999], ['86400001', 86_400_001]]),
  integerCase('minIntervalMs', [['99', 99], ['above fastIntervalMs', 1001]]),
  integerCase('retries', [['11', 11]]),
  integerCase('expectedReplicas', [['0', 0], ['100001', 100_001]]),
  integerCase('leaveAfterPolls', [['0', 0], ['101', 101]]),
  integerCase('leaveAfterMs', [['86400001', 86_400_001]]),
  integerCase('maxStaleMs', [['0', 0], ['2^31', 2 ** 31]]),
  { option: 'jitter', hostile: [...HOSTILE_NUMBERS.filter(([label]) => label !== '0.000001'), ...NOT_NUMBERS, ['0.51', 0.51]] },
  { option: 'maxRemovalFraction', hostile: [...HOSTILE_NUMBERS.filter(([label]) => label !== '0.000001' && label !== '1.5'), ...NOT_NUMBERS, ['1.0001', 1.0001], ['-0.5', -0.5]] },
  { option: 'includeNotReady', hostile: [...ALL.filter(([label]) => label !== 'true'), ['"true"', 'true'], ['1', 1], ['0', 0]] },
  { option: 'family', hostile: [...ALL, ['"4"', '4'], ['"6"', '6'], ['"BOTH"', 'BOTH'], ['5', 5], ['[4, 6]', [4, 6]]] },
  {
    option: 'signal',
    hostile: [
      ...ALL,
      ['an AbortController', new AbortController()],
      ['an AbortSignal look-alike', { aborted: false, reason: undefined, addEventListener() {}, removeEventListener() {}, throwIfAborted() {} }],
    ],
  },
  {
    option: 'nameservers',
    hostile: [
      ...HOSTILE_STRINGS.map(([label, value]) => [`[${label}]`, [value]] as const),
      ...HOSTILE_NUMBERS.map(([label, value]) => [`[${label}]`, [value]] as const),
      ...HOSTILE_SHAPES,
      ['a string, not an array', '127.0.0.1'],
      ['a host name', ['dns.example']],
      ['port 0', ['127.0.0.1:0']],
      ['port 65536', ['127.0.0.1:65536']],
      ['an IPv4 address with a zone', ['127.0.0.1%lo']],
      ['a bracketed IPv4 address', ['[127.0.0.1]:53']],
      ['a sparse array', new Array(2)],
      ['an object entry', [{ address: '127.0.0.1', port: 53 }]],
      // resolv.conf allows 3 (MAXNS); each is tried with the per-try timeout, for every attempt.
      ['100 000 nameservers', Array.from({ length: 100_000 }, () => server.nameserver)],
    ],
  },
  {
    option: 'sources',
    hostile: [
      ...HOSTILE_STRINGS.map(([label, value]) => [`[${label}]`, [value]] as const),
      ...HOSTILE_SHAPES,
      ['a string, not an array', 'srv'],
      ['a duplicate', ['srv', 'srv']],
      ['upper case', ['SRV']],
      ['__proto__', ['__proto__']],
      ['a sparse array', new Array(2)],
      ['1 000 000 entries', Array.from({ length: MB }, () => 'srv')],
    ],
  },
  {
    option: 'staticPeers',
    context: { sources: ['srv', 'static'] },
    hostile: [
      ...HOSTILE_STRINGS.map(([label, value]) => [`[${label}]`, [value]] as const),
      ...HOSTILE_NUMBERS.map(([label, value]) => [`[${label}]`, [value]] as const),
      ...HOSTILE_SHAPES,
      ['port 0', ['db-0.db.default.svc.cluster.local:0']],
      ['port 65536', ['db-0.db.default.svc.cluster.local:65536']],
      ['an empty port', ['db-0.db.default.svc.cluster.local:']],
      ['a URL', ['http://db-0.db.default.svc.cluster.local']],
      ['a sparse array', new Array(2)],
      ['10 001 peers', Array.from({ length: 10_001 }, (_, index) => `10.0.${index >> 8}.${index & 0xff}`)],
    ],
  },
  {
    option: 'readiness',
    hostile: [
      ...HOSTILE_STRINGS,
      ...HOSTILE_NUMBERS,
      ...HOSTILE_SHAPES.filter(([label]) => label !== 'a function' && label !== 'a class'),
      ['two kinds', { tcp: true, http: { path: '/ready' } }],
      ['tcp: "yes"', { tcp: 'yes' }],
      ['tcp port -0', { tcp: { port: -0 } }],
      ['tcp port 1.5', { tcp: { port: 1.5 } }],
      ['http path of 1 MB', { http: { path: `/${'a'.repeat(MB)}` } }],
      ['http path with NUL', { http: { path: '/ready\0' } }],
      ['http path with CRLF', { http: { path: '/ready\r\nHost: evil' } }],
      ['http path not absolute', { http: { path: '../ready' } }],
      ['http expectStatus NaN', { http: { path: '/ready', expectStatus: Number.NaN } }],
      ['http expectStatus []', { http: { path: '/ready', expectStatus: [] } }],
      ['http expectStatus sparse', { http: { path: '/ready', expectStatus: new Array(2) } }],
      ['https', { http: { path: '/ready', https: true } }],
      ['check: a string', { check: 'return true' }],
      ['periodMs NaN', { tcp: true, periodMs: Number.NaN }],
      ['timeoutMs Infinity', { tcp: true, timeoutMs: Number.POSITIVE_INFINITY }],
      ['successThreshold 1.5', { tcp: true, successThreshold: 1.5 }],
      ['failureThreshold -1', { tcp: true, failureThreshold: -1 }],
      ['concurrency 0', { tcp: true, concurrency: 0 }],
      ['concurrency as a string', { tcp: true, concurrency: '16' }],
      ['{"__proto__": {"tcp": true}} from JSON', proto('{"__proto__": {"tcp": true}}')],
      ['tcp: {"__proto__": …} from JSON', { tcp: proto('{"__proto__": {"port": 1}}') }],
    ],
  },
  {
    option: 'environment',
    hostile: [
      // A representative few (one root cause: the option's shape is not checked).
      ...HOSTILE_STRINGS.filter(([label]) => ['1 MB of letters', 'a NUL byte', '../'].includes(label)),
      ...HOSTILE_NUMBERS.filter(([label]) => ['NaN', '-1'].includes(label)),
      ...HOSTILE_SHAPES.filter(([label]) => ['null', 'true', '[]', 'a function', 'a symbol', 'a Promise'].includes(label)),
      ['env: a string', { ...HERMETIC, env: 'POD_NAME=mysql-0' }],
      ['readFile: a string', { ...HERMETIC, readFile: '/etc/resolv.conf' }],
      ['hostname: a number', { ...HERMETIC, hostname: 5 }],
      ['resolvConfPath: an object', { ...HERMETIC, resolvConfPath: {} }],
      ['tokenPath: a NUL byte', { ...HERMETIC, tokenPath: '/var/run/token\0' }],
      ['caPath: a number', { ...HERMETIC, caPath: 5 }],
    ],
  },
  {
    option: 'kubernetes',
    context: { sources: ['kubernetes', 'srv'] },
    hostile: [
      ...HOSTILE_STRINGS,
      ...HOSTILE_NUMBERS,
      // An empty object (with or without a prototype) is the default.
      ...HOSTILE_SHAPES.filter(([label]) => label !== '{}' && label !== 'a null-prototype object'),
      ['an unknown key', { kubeConfig: '/home/me/.kube/config' }],
      ...HOSTILE_STRINGS.filter(([label]) => ['1 MB of letters', 'a NUL byte', 'only NUL', 'empty'].includes(label)).map(([label, value]) => [`kubeconfig: ${label}`, { kubeconfig: value }] as const),
      ...HOSTILE_SHAPES.filter(([label]) => ['null', 'true', '[]', 'a function', 'a Promise'].includes(label)).map(([label, value]) => [`kubeconfig: ${label}`, { kubeconfig: value }] as const),
      ['kubeconfig: a number', { kubeconfig: 5 }],
      ...HOSTILE_STRINGS.filter(([label]) => ['1 MB of letters', 'a NUL byte', 'empty', 'a newline'].includes(label)).map(([label, value]) => [`context: ${label}`, { kubeconfig: '/x', context: value }] as const),
      ['context: a number', { kubeconfig: '/x', context: 5 }],
      ['{"__proto__": {"kubeconfig": …}} from JSON', proto('{"__proto__": {"kubeconfig": "/etc/passwd"}}')],
    ],
  },
];

describe('hostile values are rejected at construction, naming the option, in a short message, before any query', () => {
  it('covers every known option', () => {
    // The options the interface documents (src/options.ts KNOWN_OPTIONS); a new option must get hostile cases too.
    const known = [
      'service', 'namespace', 'clusterDomain', 'port', 'protocol', 'statefulSet', 'ordinalStart', 'podName', 'nameservers',
      'dnsTimeoutMs', 'dnsAttempts', 'intervalMs', 'jitter', 'signal', 'environment', 'fastIntervalMs', 'maxIntervalMs',
      'minIntervalMs', 'retries', 'sources', 'staticPeers', 'expectedReplicas', 'family', 'leaveAfterPolls', 'leaveAfterMs',
      'maxRemovalFraction', 'includeNotReady', 'maxStaleMs', 'readiness', 'kubernetes',
    ];
    expect(CASES.map((entry) => entry.option).sort()).toEqual([...known].sort());
    // Every other key is unknown, so the list above is complete exactly when the library rejects a key outside it.
    for (const option of known) {
      const { error } = construct({ ...base(), [`${option}X`]: 1 });
      expect((error as InvalidOptionError | undefined)?.code).toBe('ERR_INVALID_OPTION');
    }
  });

  for (const entry of CASES) {
    it.each(entry.hostile.map(([label, value]) => [label, value] as const))(`${entry.option}: %s`, async (_label, value) => {
      await expectRejected(entry.option, { ...base(), ...entry.context, [entry.option]: value });
    });
  }
});

describe('prototype-pollution shapes around the options object', () => {
  it('an own "__proto__" key (a JSON.parse result spread into the options) is an unknown option, in a short message', async () => {
    await expectRejected('__proto__', { ...base(), ...(proto('{"__proto__": {"port": "evil", "ordinalStart": 5}}') as object) });
  });

  it('options inherited through a prototype (Object.assign of a JSON.parse result) are rejected or ignored, never used', () => {
    // Object.assign({}, JSON.parse('{"__proto__": …}')) sets the target's prototype: the keys are
    // invisible to Object.keys (so to the unknown-option check) but visible to property reads.
    const options = Object.assign(base(), proto('{"__proto__": {"ordinalStart": 5, "readiness": {"tcp": true}, "leaveAfterPolls": 100}}'));
    const { error, discovery } = construct(options);
    void discovery?.close();
    if (error === undefined) {
      const config = resolveOptions(options as unknown as DiscoveryOptions);
      const clean = resolveOptions(base() as unknown as DiscoveryOptions);
      expect({ ordinalStart: config.ordinalStart, readiness: config.readiness, leaveAfterPolls: config.policy.leaveAfterPolls }).toEqual({
        ordinalStart: clean.ordinalStart,
        readiness: clean.readiness,
        leaveAfterPolls: clean.policy.leaveAfterPolls,
      });
    } else {
      expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
    }
  });

  it('readiness settings inherited through a prototype are rejected or ignored, never used', () => {
    const options = { ...base(), readiness: Object.create({ tcp: true }) as object };
    const { error, discovery } = construct(options);
    void discovery?.close();
    if (error === undefined) expect(resolveOptions(options as unknown as DiscoveryOptions).readiness).toBeNull();
    else expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
  });

  it('a polluted Object.prototype does not leak into the options', () => {
    const polluted = Object.prototype as Record<string, unknown>;
    polluted.ordinalStart = 7;
    try {
      const config = resolveOptions(base() as unknown as DiscoveryOptions);
      expect(config.ordinalStart).toBe(0);
    } finally {
      delete polluted.ordinalStart;
    }
  });
});

describe('unknown option names', () => {
  it.each([
    ['a 1 MB name', 'x'.repeat(MB)],
    ['a NUL byte', 'service\0'],
    ['../', '../service'],
    ['an empty name', ''],
    ['constructor', 'constructor'],
    ['toString', 'toString'],
  ])('%s is rejected, in a short message', async (_label, key) => {
    await expectRejected(key, { ...base(), [key]: 'mysql' });
  });

  it.each([
    ['readiness', { tcp: true, ['k'.repeat(MB)]: 1 }],
    ['readiness.http', { http: { path: '/ready', ['k'.repeat(MB)]: 1 } }],
    ['readiness.tcp', { tcp: { ['k'.repeat(MB)]: 1 } }],
  ])('a 1 MB unknown key under %s is rejected, in a short message', async (option, readiness) => {
    await expectRejected(option, { ...base(), readiness });
  });
});

describe('-0 is rejected or read as 0', () => {
  it.each(['ordinalStart', 'leaveAfterMs', 'jitter', 'maxRemovalFraction', 'retries'])('%s', (option) => {
    const options = { ...base(), [option]: -0 } as unknown as DiscoveryOptions;
    const { error, discovery } = construct(options);
    void discovery?.close();
    if (error !== undefined) {
      expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
      return;
    }
    const config = resolveOptions(options);
    const read = {
      ordinalStart: config.ordinalStart,
      leaveAfterMs: config.policy.leaveAfterMs,
      jitter: config.timing.jitter,
      maxRemovalFraction: config.policy.maxRemovalFraction,
      retries: config.retry.retries,
    }[option];
    expect(Object.is(read, -0), `${option}: -0 was kept as -0`).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Generated values against the documented ranges.

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const isLabel = (value: unknown): boolean => typeof value === 'string' && LABEL.test(value);
const isSubdomain = (value: unknown): boolean => typeof value === 'string' && value.length > 0 && value.length <= 253 && value.split('.').every((label) => LABEL.test(label));
const isInt = (min: number, max: number) => (value: unknown): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max && !Object.is(value, -0);
const isNum = (min: number, max: number) => (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && !Object.is(value, -0);
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

/** Which values the documentation says each scalar option accepts (with the base options above). */
const DOCUMENTED: Readonly<Record<string, (value: unknown) => boolean>> = {
  service: isLabel,
  namespace: isLabel,
  statefulSet: isLabel,
  podName: isSubdomain,
  clusterDomain: (value) => isSubdomain(typeof value === 'string' && value.endsWith('.') ? value.slice(0, -1) : value),
  port: (value) =>
    isInt(1, 65_535)(value) ||
    (typeof value === 'string' && (/^\d{1,5}$/.test(value) ? isInt(1, 65_535)(Number(value)) : PORT_NAME.test(value))),
  protocol: (value) => value === 'tcp' || value === 'udp' || value === 'sctp',
  ordinalStart: isInt(0, 2_147_483_647),
  dnsTimeoutMs: isInt(10, 60_000),
  dnsAttempts: isInt(1, 10),
  intervalMs: isInt(100, 86_400_000),
  fastIntervalMs: isInt(100, 5000),
  maxIntervalMs: isInt(5000, 86_400_000),
  minIntervalMs: isInt(100, 1000),
  retries: isInt(0, 10),
  expectedReplicas: isInt(1, 100_000),
  leaveAfterPolls: isInt(1, 100),
  leaveAfterMs: isInt(0, 86_400_000),
  maxStaleMs: isInt(1, 2_147_483_647),
  jitter: isNum(0, 0.5),
  maxRemovalFraction: isNum(0, 1),
  includeNotReady: (value) => typeof value === 'boolean',
  family: (value) => value === 4 || value === 6 || value === 'both',
};

/** Generated values; -0 has its own test above, so that one finding does not mask the others. */
const interesting = fc.oneof(
  fc.anything({ withBigInt: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true, withSparseArray: true, withDate: true }),
  fc.integer({ min: -5, max: 200_000 }),
  fc.double(),
  fc.constantFrom(-0, 0, 1, 4, 6, 100, 1000, 5000, 0.5, 1, 2 ** 31 - 1, 2 ** 31, 60_000, 86_400_000, Number.MIN_VALUE, Number.EPSILON),
  fc.string(),
  fc.stringMatching(/^[a-z0-9-]{1,20}$/),
  fc.stringMatching(/^[a-z0-9-]{1,10}(\.[a-z0-9-]{1,10}){0,3}\.?$/),
  fc.constantFrom('tcp', 'udp', 'sctp', 'both', '4', '3306', '0', '65535', '65536', 'mysql', 'a--b', '-a', 'a-', '../x', 'x\0'),
).filter((value) => !Object.is(value, -0));

describe('generated values: accepted exactly when documented, rejected properly otherwise', () => {
  for (const [option, documented] of Object.entries(DOCUMENTED)) {
    it(option, () => {
      fc.assert(
        fc.property(interesting, (value) => {
          const queriesBefore = server.queries.length;
          const options = { ...base(), [option]: value };
          const { error, discovery } = construct(options);
          void discovery?.close();
          expect(server.queries.length, 'construction sends no query').toBe(queriesBefore);
          // `undefined` is "not given": the default, for every option but the required `service`.
          const should = value === undefined ? option !== 'service' : documented(value);
          if (error === undefined) {
            expect(should, `${option} = ${show(value)} was accepted`).toBe(true);
            return;
          }
          expect(error, `${option} = ${show(value)} threw ${String(error)}`).toBeInstanceOf(InvalidOptionError);
          const invalid = error as InvalidOptionError;
          expect(should, `${option} = ${show(value)} was rejected: ${invalid.message}`).toBe(false);
          expect(names(invalid.option, option)).toBe(true);
          expect(invalid.message.length).toBeLessThan(MAX_MESSAGE);
        }),
        { numRuns: 300 },
      );
    });
  }

});
