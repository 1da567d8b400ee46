/**
 * A real BIND 9 on loopback serving the zones CoreDNS would serve for headless Services, with the
 * fake cluster's controls, so a scenario runs unchanged against a DNS server this project did not
 * write. Plain JavaScript importing the built package, so the benchmarks can use it as is.
 *
 * The state model is a fake cluster of the built package (`dist/testing`): `defineService`
 * returns its `FakeService`, so pod names, ordinals and addresses are the fake cluster's own.
 * `sync()` renders that state into zone files (bind-zones.mjs), sends named SIGHUP and resolves
 * once named answers with the new SOA serial in every zone: changes become visible on sync()
 * only, as with a real cluster's DNS lagging behind the API.
 *
 * named runs in the foreground (`-g`) as a child process, from a fresh temporary directory that
 * holds its config, zones, pid, lock and session-key files; it is killed and the directory
 * removed by close(), or when the process exits.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeCluster } from '../../dist/testing/index.mjs';
import { renderNamedConf, renderZones } from './bind-zones.mjs';
import { freePort, querySerial } from './loopback-probe.mjs';

const NAMED = '/usr/sbin/named';
const READY_DEADLINE_MS = 20_000;
const STDERR_LINES = 40;
/** Instances still running, killed if the process exits without closing them. */
const running = new Set();
process.on('exit', () => {
  for (const bind of running) bind.killNow();
});

let cachedVersion;
/** `9.18.49-1~deb12u3-Debian`, from `named -v`. */
function namedVersion() {
  if (!existsSync(NAMED)) {
    throw new Error(`${NAMED} not found: run \`node scripts/ensure-system-packages.mjs bind9\` (npm test's pretest does)`);
  }
  cachedVersion ??= /BIND (\S+)/.exec(execFileSync(NAMED, ['-v'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  return cachedVersion;
}

/** A running BIND 9 serving a fake cluster's state. Start it with {@link startBind}. */
class BindCluster {
  #model;
  #options;
  #definitions = new Map();
  #directory;
  #child;
  #exited;
  #stderr = [];
  #serial = Math.floor(Date.now() / 1000);
  #queue = Promise.resolve();
  #closing;

  constructor(model, options) {
    this.#model = model;
    this.#options = options;
    this.clusterDomain = model.clusterDomain;
    this.ttl = model.ttl;
    this.host = options.host;
    this.version = namedVersion();
    this.port = 0;
  }

  /** `127.0.0.1:port` or `[::1]:port`: what the `nameservers` option and `Resolver.setServers` take. */
  get nameserver() {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  /** The fake cluster holding the state (and serving it too, at `fake.nameserver`, to compare). */
  get fake() {
    return this.#model;
  }

  /** named's last lines of output. */
  get log() {
    return this.#stderr.join('\n');
  }

  /** Define a headless Service, as the fake cluster's defineService does; visible after sync(). */
  defineService(definition) {
    const service = this.#model.defineService(definition);
    this.#definitions.set(`${service.namespace}/${service.name}`, { service, definition });
    return service;
  }

  /** Delete a Service; its names are NXDOMAIN after sync(). */
  deleteService(name, namespace = 'default') {
    this.#model.deleteService(name, namespace);
    this.#definitions.delete(`${namespace}/${name}`);
  }

  /** Write the zones of the current state with a new serial, reload named, wait until it serves them. */
  sync() {
    const run = this.#queue.then(() => this.#reload());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Stop named, wait for it to exit, remove its directory. Idempotent. */
  close() {
    this.#closing ??= (async () => {
      await this.#queue;
      await this.#stop();
      running.delete(this);
      await this.#model.close();
    })();
    return this.#closing;
  }

  /** @internal Start named on a free port; retried on another port if that one was taken meanwhile. */
  async start() {
    this.#directory = mkdtempSync(join(tmpdir(), 'bind-cluster-'));
    running.add(this);
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort(this.host);
      const zones = this.#writeZones();
      writeFileSync(join(this.#directory, 'named.conf'), renderNamedConf({ directory: this.#directory, ...this.#options, port: this.port, zones }));
      this.#spawn();
      try {
        await this.#waitForSerial('named did not start');
        return;
      } catch (error) {
        await this.#stop(false);
        if (!/address in use/i.test(this.log) || attempt === 3) {
          await this.close();
          throw error;
        }
      }
    }
  }

  /** @internal Kill named at once (process exit). */
  killNow() {
    this.#child?.kill('SIGKILL');
    if (this.#directory) rmSync(this.#directory, { recursive: true, force: true });
  }

  #spawn() {
    this.#stderr = [];
    const family = this.host.includes(':') ? '-6' : '-4';
    const child = spawn(NAMED, ['-g', family, '-c', join(this.#directory, 'named.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    let partial = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      this.#stderr.push(...lines);
      this.#stderr.splice(0, Math.max(0, this.#stderr.length - STDERR_LINES));
    });
  }

  #state() {
    const services = [...this.#definitions.values()].map(({ service, definition }) => ({
      name: service.name,
      namespace: service.namespace,
      ports: definition.ports ?? [],
      publishNotReadyAddresses: definition.publishNotReadyAddresses ?? false,
      hostnames: definition.hostnames ?? true,
      pods: service.pods,
    }));
    return { clusterDomain: this.clusterDomain, ttl: this.ttl, serial: this.#serial, nameserverAddress: this.host, services };
  }

  /** Write every zone file atomically (named may be reading the previous one) and return the list. */
  #writeZones() {
    const zones = renderZones(this.#state());
    // named reloads a zone only if its file is newer than the last load; a write within the same
    // clock tick as that load could look older, so the mtime is set a second ahead.
    const mtime = new Date(Date.now() + 1000);
    for (const { file, text } of zones) {
      const path = join(this.#directory, file);
      writeFileSync(`${path}.tmp`, text);
      utimesSync(`${path}.tmp`, mtime, mtime);
      renameSync(`${path}.tmp`, path);
    }
    return zones;
  }

  async #reload() {
    if (this.#closing) throw new Error('sync() after close()');
    this.#serial++;
    this.#writeZones();
    this.#child.kill('SIGHUP');
    await this.#waitForSerial('named did not load the new zones', () => this.#child.kill('SIGHUP'));
  }

  /** Resolve once every zone answers with the current serial; `nudge` runs every 3 s meanwhile. */
  async #waitForSerial(what, nudge = () => undefined) {
    const zones = renderZones({ ...this.#state(), services: [] }).map(({ zone }) => zone);
    const deadline = Date.now() + READY_DEADLINE_MS;
    let nextNudge = Date.now() + 3000;
    let exitCode;
    void this.#exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      const serials = await Promise.all(zones.map((zone) => querySerial(this.host, this.port, zone)));
      if (serials.every((serial) => serial === this.#serial)) return;
      if (exitCode !== undefined) break;
      if (/address in use/i.test(this.log)) break;
      if (Date.now() > nextNudge) {
        nudge();
        nextNudge = Date.now() + 3000;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const state = exitCode !== undefined ? `named exited (${exitCode})` : `no SOA serial ${this.#serial} on ${this.nameserver} within ${READY_DEADLINE_MS} ms`;
    throw new Error(`${what}: ${state}; its last lines:\n${this.log}`);
  }

  async #stop(removeDirectory = true) {
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await this.#exited;
      clearTimeout(timer);
    }
    if (removeDirectory && this.#directory) rmSync(this.#directory, { recursive: true, force: true });
  }
}

/**
 * Start BIND 9 (`/usr/sbin/named`) on a free loopback port, serving an empty cluster zone and the
 * reverse zones; define Services on the handle, then `await bind.sync()` to publish them.
 *
 * @param {import('./bind-cluster.d.mts').BindClusterOptions} [options]
 * @returns {Promise<import('./bind-cluster.d.mts').BindCluster>}
 */
export async function startBind(options = {}) {
  namedVersion(); // fails first, with how to install it, when named is missing
  const host = options.host ?? '127.0.0.1';
  const model = await createFakeCluster({
    clusterDomain: options.clusterDomain ?? 'cluster.local',
    ttl: options.ttl ?? 5,
    host,
    ...(options.podNetwork ? { podNetwork: options.podNetwork } : {}),
  });
  const bind = new BindCluster(model, { host, minimalResponses: options.minimalResponses ?? false });
  await bind.start();
  return bind;
}
