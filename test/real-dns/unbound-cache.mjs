/**
 * A real caching resolver, Unbound (Debian's `unbound` package), on loopback in front of an
 * upstream such as the BIND harness (bind-cluster.mjs): what a pod sees behind NodeLocal
 * DNSCache or any caching forwarder. Plain JavaScript, like the BIND harness.
 *
 * The configuration keeps everything on loopback and in one temporary directory:
 *
 * - it listens on `interface: 127.0.0.1@<port>` only, a free port; every query it sends leaves
 *   from `outgoing-interface: 127.0.0.1`, IPv4 only;
 * - the cluster zone and the reverse zones are `stub-zone`s pointing at the upstream (with
 *   `do-not-query-localhost: no`, since the upstream is on 127.0.0.1); every other name is
 *   answered REFUSED by `local-zone: "." refuse`, so it never recurses to the Internet, and its
 *   root hints name 127.0.0.1 besides, in case it ever primed the root;
 * - no DNSSEC validation (`module-config: "iterator"`): no trust anchor, so neither
 *   `unbound-anchor` nor a root key fetch is ever needed;
 * - no remote control, no chroot, no privilege drop (`username: ""`), no syslog: it logs to
 *   stderr, kept as `log`;
 * - caching on, as a resolver caches: answers are kept for their TTL (the upstream's 5 s), no
 *   prefetch and no `serve-expired` (an expired answer is never served), negative answers for
 *   at most 5 s;
 * - the RFC 1918 / ULA reverse zones that Unbound answers NXDOMAIN by default (10.in-addr.arpa,
 *   d.f.ip6.arpa, …) are unblocked, so PTR questions for pod addresses reach the upstream;
 * - a dead upstream is given up on quickly: `infra-cache-max-rtt` bounds the retransmission
 *   timeout it backs off to (Unbound's default, 120 s, is far beyond any client's timeout), and
 *   a server that failed is remembered as down for `infra-host-ttl` seconds
 *   (`infra-keep-probing: yes`, so it is still probed and a revived upstream is used again; in
 *   practice 5–6 s after it came back, see unbound-cache.test.ts).
 *
 * `unbound -d` runs in the foreground as a child process; close() kills it and removes the
 * directory (so does the process exiting).
 */
import { spawn, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './loopback-probe.mjs';

const UNBOUND = '/usr/sbin/unbound';
const READY_DEADLINE_MS = 20_000;
const STDERR_LINES = 60;
const running = new Set();
process.on('exit', () => {
  for (const unbound of running) unbound.killNow();
});

let cachedVersion;
/** `1.17.1`, from `unbound -V`. */
function unboundVersion() {
  if (!existsSync(UNBOUND)) {
    throw new Error(`${UNBOUND} not found: run \`node scripts/ensure-system-packages.mjs unbound\` (npm test's pretest does)`);
  }
  cachedVersion ??= /Version (\S+)/.exec(execFileSync(UNBOUND, ['-V'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  return cachedVersion;
}

/** `127.0.0.1:5353` → `127.0.0.1@5353`, Unbound's address syntax. */
function atPort(nameserver) {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(nameserver);
  if (!match) throw new Error(`upstream must be ip:port, got ${nameserver}`);
  return `${match[1] ?? match[2]}@${match[3]}`;
}

/** The unbound.conf of one instance (exported for the harness's own test). */
export function renderUnboundConf({ directory, port, upstream, zones, cacheMaxTtl, infraCacheMaxRttMs, infraHostTtl, verbosity }) {
  const stubs = zones
    .map((zone) => `stub-zone:\n  name: "${zone}."\n  stub-addr: ${atPort(upstream)}\n  stub-first: no\n  stub-no-cache: no\n`)
    .join('');
  return `server:
  directory: "${directory}"
  chroot: ""
  username: ""
  pidfile: "${directory}/unbound.pid"
  use-syslog: no
  logfile: ""
  log-time-ascii: yes
  log-servfail: yes
  verbosity: ${verbosity}
  num-threads: 1
  so-reuseport: no
  interface: 127.0.0.1@${port}
  port: ${port}
  outgoing-interface: 127.0.0.1
  do-ip4: yes
  do-ip6: no
  do-udp: yes
  do-tcp: yes
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "iterator"
  root-hints: "${directory}/root.hints"
  qname-minimisation: no
  harden-referral-path: no
  prefetch: no
  serve-expired: no
  cache-min-ttl: 0
  cache-max-ttl: ${cacheMaxTtl}
  cache-max-negative-ttl: 5
  infra-cache-max-rtt: ${infraCacheMaxRttMs}
  infra-host-ttl: ${infraHostTtl}
  infra-keep-probing: yes
  unblock-lan-zones: yes
  insecure-lan-zones: yes
  local-zone: "." refuse
${zones.map((zone) => `  local-zone: "${zone}." transparent\n`).join('')}remote-control:
  control-enable: no
${stubs}`;
}

/** Root hints that name only 127.0.0.1: even a root priming query would stay on loopback. */
const ROOT_HINTS = `.                        3600000 NS root.loopback.invalid.
root.loopback.invalid.   3600000 A  127.0.0.1
`;

/** A hand-encoded `name IN SOA` query with RD=1 (a stub resolver's query), for readiness. */
function soaQuery(id, name) {
  const labels = name.split('.').filter(Boolean).map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 6, 0, 1])]);
}

/** The RCODE of Unbound's answer to an SOA query for `zone`, or undefined on timeout. */
function askSoa(port, zone, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const id = Math.floor(Math.random() * 0x10000);
    const done = (rcode) => {
      clearTimeout(timer);
      socket.close();
      resolve(rcode);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('message', (message) => {
      if (message.length >= 12 && message.readUInt16BE(0) === id) done(message[3] & 0x0f);
    });
    socket.send(soaQuery(id, zone), port, '127.0.0.1');
  });
}

class UnboundCache {
  #options;
  #directory;
  #child;
  #exited;
  #stderr = [];
  #closing;

  constructor(options) {
    this.#options = options;
    this.host = '127.0.0.1';
    this.port = 0;
    this.version = unboundVersion();
    this.upstream = options.upstream;
    this.zones = options.zones;
  }

  get nameserver() {
    return `${this.host}:${this.port}`;
  }

  get log() {
    return this.#stderr.join('\n');
  }

  get config() {
    return renderUnboundConf({ directory: this.#directory, port: this.port, ...this.#options });
  }

  close() {
    this.#closing ??= (async () => {
      await this.#stop();
      running.delete(this);
      if (this.#directory) rmSync(this.#directory, { recursive: true, force: true });
    })();
    return this.#closing;
  }

  killNow() {
    this.#child?.kill('SIGKILL');
    if (this.#directory) rmSync(this.#directory, { recursive: true, force: true });
  }

  async start() {
    this.#directory = mkdtempSync(join(tmpdir(), 'unbound-cache-'));
    running.add(this);
    writeFileSync(join(this.#directory, 'root.hints'), ROOT_HINTS);
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort(this.host);
      writeFileSync(join(this.#directory, 'unbound.conf'), this.config);
      this.#spawn();
      try {
        await this.#waitUntilServing();
        return;
      } catch (error) {
        await this.#stop();
        if (!/address already in use|can't bind socket/i.test(this.log) || attempt === 3) {
          await this.close();
          throw error;
        }
      }
    }
  }

  #spawn() {
    this.#stderr = [];
    const child = spawn(UNBOUND, ['-d', '-p', '-c', join(this.#directory, 'unbound.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    let partial = '';
    const keep = (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      this.#stderr.push(...lines);
      this.#stderr.splice(0, Math.max(0, this.#stderr.length - STDERR_LINES));
    };
    child.stderr.setEncoding('utf8').on('data', keep);
    child.stdout.setEncoding('utf8').on('data', keep);
  }

  /** Resolve once an SOA query for the first zone comes back NOERROR (through to the upstream). */
  async #waitUntilServing() {
    const deadline = Date.now() + READY_DEADLINE_MS;
    let exitCode;
    void this.#exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) break;
      if ((await askSoa(this.port, this.zones[0])) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const state = exitCode !== undefined ? `unbound exited (${exitCode})` : `no answer on ${this.nameserver} within ${READY_DEADLINE_MS} ms`;
    throw new Error(`unbound did not start: ${state}; its last lines:\n${this.log}`);
  }

  async #stop() {
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await this.#exited;
      clearTimeout(timer);
    }
  }
}

/**
 * Start Unbound on a free port of 127.0.0.1, caching, with stub zones for `zones` pointing at
 * `upstream`; resolves once it answers an SOA query of the first zone through the upstream.
 *
 * @param {import('./unbound-cache.d.mts').UnboundCacheOptions} options
 * @returns {Promise<import('./unbound-cache.d.mts').UnboundCache>}
 */
export async function startUnbound(options) {
  unboundVersion();
  const unbound = new UnboundCache({
    upstream: options.upstream,
    zones: (options.zones ?? ['cluster.local', 'in-addr.arpa', 'ip6.arpa']).map((zone) => zone.replace(/\.$/, '')),
    cacheMaxTtl: options.cacheMaxTtl ?? 86400,
    infraCacheMaxRttMs: options.infraCacheMaxRttMs ?? 1000,
    infraHostTtl: options.infraHostTtl ?? 2,
    verbosity: options.verbosity ?? 1,
  });
  await unbound.start();
  return unbound;
}
