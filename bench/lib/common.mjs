// What the bench's sections share: options of the discoveries they create, counting our
// messages on the diagnostics channel, timing one call, and the bench's log.
import diagnostics from 'node:diagnostics_channel';

export const QUERY_CHANNEL = 'headless-discovery:dns:query';
export const LOOKUP_CHANNEL = 'headless-discovery:dns:lookup';
/** intervalMs of discoveries polled by hand with refresh(): no scheduled poll interferes. */
export const NO_POLLING = 3_600_000;
/** minIntervalMs of those discoveries, and how long to wait before each refresh(). */
export const FLOOR_MS = 100;
export const FLOOR_WAIT_MS = FLOOR_MS + 10;

export const log = (...parts) => process.stderr.write(`[bench] ${parts.join(' ')}\n`);

/** Options of a discovery of `service` (named port `peer`) through `nameserver`; not a member itself. */
export function discoveryOptions(nameserver, service, extra = {}) {
  return {
    service,
    namespace: 'default',
    clusterDomain: 'cluster.local',
    port: 'peer',
    podName: 'bench-client', // not a member: no self-presence checks
    nameservers: [nameserver],
    ...extra,
  };
}

/** The SRV name the baseline asks for `service`. */
export const srvNameOf = (service) => `_peer._tcp.${service}.default.svc.cluster.local`;

/** Count the messages our client sends (diagnostics channel) while `fn` runs. */
export async function countQueries(fn) {
  const seen = { total: 0, udp: 0, tcp: 0, truncated: 0, byType: {} };
  const listener = (message) => {
    seen.total++;
    seen[message.transport]++;
    if (message.truncated) seen.truncated++;
    seen.byType[message.type] = (seen.byType[message.type] ?? 0) + 1;
  };
  diagnostics.subscribe(QUERY_CHANNEL, listener);
  try {
    const result = await fn();
    return { seen, result };
  } finally {
    diagnostics.unsubscribe(QUERY_CHANNEL, listener);
  }
}

/** Wall time and CPU time (user + system, this process) of `fn`; a thrown error is returned, not thrown. */
export async function measure(fn) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let error;
  let result;
  try {
    result = await fn();
  } catch (caught) {
    error = caught;
  }
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, error, result };
}

/** The error code of a failed baseline call (c-ares' EFORMERR, …). */
export const errorCode = (error) => error?.code ?? String(error);

/** `{ code: count }` as `CODE ×n, …`. */
export const errorList = (errors) =>
  Object.entries(errors)
    .map(([code, n]) => `${code} ×${n}`)
    .join(', ');
