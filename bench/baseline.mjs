// The baseline: what a Node developer writes today with node:dns (c-ares) — SRV, then the
// addresses of every target (at most 32 lookups in flight), polled and diffed by hand.
import { Resolver } from 'node:dns/promises';

export function createBaseline({ nameserver, srvName, family = 4, intervalMs = 5000, onJoin = () => {}, onLeave = () => {} }) {
  const resolver = new Resolver({ timeout: 5000, tries: 2 });
  resolver.setServers([nameserver]);
  let known = new Map(); // SRV target → { name, port, addresses }
  let timer;
  async function poll() {
    const targets = await resolver.resolveSrv(srvName);
    const next = new Map();
    const worker = async () => { for (let t; (t = targets.pop()); ) {
      const v4 = family !== 6 ? await resolver.resolve4(t.name).catch(() => []) : [];
      const v6 = family !== 4 ? await resolver.resolve6(t.name).catch(() => []) : [];
      next.set(t.name, { name: t.name, port: t.port, addresses: [...v4, ...v6] });
    } };
    await Promise.all(Array.from({ length: 32 }, worker));
    for (const [name, peer] of next) if (!known.has(name)) onJoin(peer);
    for (const [name, peer] of known) if (!next.has(name)) onLeave(peer);
    known = next;
    return [...next.values()];
  }
  const loop = () => poll().catch(() => {}).finally(() => { timer = setTimeout(loop, intervalMs); });
  return { poll, start: loop, stop: () => { clearTimeout(timer); resolver.cancel(); } };
}

/** The baseline's one-off lookup, as `discover()` is ours: a fresh Resolver, resolveSrv, resolve4 per target. */
export async function baselineDiscover({ nameserver, srvName, family = 4 }) {
  const baseline = createBaseline({ nameserver, srvName, family });
  try {
    return await baseline.poll();
  } finally {
    baseline.stop();
  }
}
