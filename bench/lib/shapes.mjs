// The DNS servers the bench measures against, one per answer shape, behind one interface:
//
// - coredns: the fake cluster (`headless-discovery/testing`, srvGlue 'all': every target's
//   addresses in the additional section, as CoreDNS), in a child process (bench/server.mjs);
// - bind: a real BIND 9 (`named`, its own process) started by the repository's harness
//   (test/real-dns/bind-cluster.mjs), answering with its own additional-section rules;
// - minimal: the same BIND with `minimal-responses yes`: no additional section at all, the shape
//   a caching forwarder gives.
//
// Each shape: { key, title, nameserver (timed lookups go here), counting: { nameserver, stats() }
// (message counts: the fake cluster counts itself; named cannot, so a counting proxy sits in front
// of it for the message section only), define(service, pods), sync(), fits(service, pods), close() }.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, statsDelta } from './cluster.mjs';
import { startCountingProxy } from './counting-proxy.mjs';

export const SHAPE_KEYS = ['coredns', 'bind', 'minimal'];
const NAMED = '/usr/sbin/named';
/** BIND keeps an RRset in one "slab" of at most 64 KiB; a zone with a bigger one fails to load ("ran out of space"). */
const BIND_RRSET_LIMIT = 65_535;

export const SHAPE_INFO = {
  coredns: {
    title: 'CoreDNS shape (fake cluster)',
    short: 'CoreDNS shape',
    server: 'fake',
    srvGlue: 'all',
  },
  bind: { title: 'BIND 9', short: 'BIND', server: 'bind', minimalResponses: false, standInGlue: 13 },
  minimal: {
    title: 'BIND 9, minimal-responses (no additional section)',
    short: 'BIND minimal-responses',
    server: 'bind',
    minimalResponses: true,
    standInGlue: 'none',
  },
};

/** The name `<service>-<i>.<service>.default.svc.cluster.local.` in wire format: its length in bytes. */
function targetWireLength(service, ordinal) {
  return `${service}-${ordinal}.${service}.default.svc.cluster.local`.split('.').reduce((sum, label) => sum + label.length + 1, 1);
}

/** Bytes BIND needs for the SRV RRset of a `pods`-pod Service (per record: length, order, priority/weight/port, target). */
export function srvRrsetBytes(service, pods) {
  let bytes = 0;
  for (let ordinal = 0; ordinal < pods; ordinal++) bytes += 4 + 6 + targetWireLength(service, ordinal);
  return bytes;
}

/** Install BIND with the project's script when it is missing; a reason string when that failed, else null. */
export function ensureBind(root, log) {
  if (existsSync(NAMED)) return null;
  log(`${NAMED} missing: running scripts/ensure-system-packages.mjs bind9`);
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'ensure-system-packages.mjs'), 'bind9'], { stdio: ['ignore', 2, 2] });
  if (run.status === 0 && existsSync(NAMED)) return null;
  return `BIND 9 is not installed and \`node scripts/ensure-system-packages.mjs bind9\` could not install it (exit ${run.status ?? run.signal})`;
}

async function startFakeShape(key, srvGlue = SHAPE_INFO[key]?.srvGlue ?? 'all') {
  const cluster = await startCluster({ srvGlue });
  return {
    key,
    server: 'fake',
    srvGlue,
    version: null,
    nameserver: cluster.nameserver,
    counting: { nameserver: cluster.nameserver, stats: () => cluster.stats() },
    fits: () => true,
    limitReason: () => null,
    cluster,
    define: (service, pods) => cluster.define(service, pods),
    sync: async () => undefined,
    close: () => cluster.close(),
  };
}

async function startBindShape(key, root) {
  const { startBind } = await import(join(root, 'test', 'real-dns', 'bind-cluster.mjs'));
  const bind = await startBind({ minimalResponses: SHAPE_INFO[key].minimalResponses });
  const proxy = await startCountingProxy(bind.nameserver);
  return {
    key,
    server: 'bind',
    version: bind.version,
    nameserver: bind.nameserver,
    counting: { nameserver: proxy.nameserver, stats: async () => proxy.stats() },
    /** Whether BIND can load the SRV RRset of this Service. */
    fits: (service, pods) => srvRrsetBytes(service, pods) <= BIND_RRSET_LIMIT,
    limitReason: (service, pods) =>
      `BIND cannot serve it: the SRV RRset of ${pods} records is ${Math.round(srvRrsetBytes(service, pods) / 1024)} KiB, ` +
      'and named keeps an RRset in at most 64 KiB (the zone fails to load: "ran out of space")',
    define: async (service, pods) => {
      bind.defineService({ name: service, ports: [{ name: 'peer', port: 7000 }], replicas: pods });
    },
    sync: () => bind.sync(),
    async close() {
      await proxy.close();
      await bind.close();
    },
  };
}

/** Start the shape `key` (one of SHAPE_KEYS). */
export function startShape(key, root) {
  return SHAPE_INFO[key].server === 'fake' ? startFakeShape(key) : startBindShape(key, root);
}

/** A fake cluster answering as the BIND shape `key` would if it could serve that size (srvGlue 13 or none). */
export function startStandIn(key) {
  return startFakeShape(`${key}-stand-in`, SHAPE_INFO[key].standInGlue);
}

export { statsDelta };
