// Parent side of bench/server.mjs: fork the fake cluster DNS into a child process and drive it.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../server.mjs', import.meta.url));

/** Start the fake cluster DNS in a child process; `srvGlue` as the fake cluster's option (default 'all', as CoreDNS). */
export async function startCluster({ srvGlue = 'all' } = {}) {
  const child = fork(SERVER, ['--srv-glue', String(srvGlue)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 1;
  const nameserver = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench DNS server exited (${code})`)));
    child.on('message', (message) => {
      if (message.ready) return resolve(message.nameserver);
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
  });
  const call = (op, args = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, op, ...args });
    });
  return {
    nameserver,
    pid: child.pid,
    define: (service, replicas) => call('define', { service, replicas }),
    scale: (service, replicas) => call('scale', { service, replicas }),
    restart: (service, pod) => call('restart', { service, pod }),
    stats: () => call('stats'),
    record: (on) => call('record', { on }),
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await call('close').catch(() => undefined);
      await exited;
    },
  };
}

/** Difference of two `stats()` results: messages received by the server (or the counting proxy) in between. */
export function statsDelta(after, before) {
  const byType = {};
  for (const [type, count] of Object.entries(after.byType)) byType[type] = count - (before.byType[type] ?? 0);
  const udp = after.udp - before.udp;
  const tcp = after.tcp - before.tcp;
  const delta = { udp, tcp, total: udp + tcp, truncated: after.truncated - before.truncated, byType };
  // TCP connections opened: counted by the proxy in front of named, not by the fake cluster.
  if (after.connections !== undefined) delta.connections = after.connections - before.connections;
  return delta;
}
