/**
 * Waiting for events in tests, with a generous deadline instead of sleeps.
 */
import type { Discovery, DiscoveryEvents } from '../../src/index';

/** Resolve with the arguments of the next `event` for which `filter` holds; reject after `timeoutMs`. */
export function nextEvent<E extends keyof DiscoveryEvents>(
  discovery: Discovery,
  event: E,
  filter: (...args: DiscoveryEvents[E]) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<DiscoveryEvents[E]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: DiscoveryEvents[E]): void => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      discovery.off(event, listener as never);
      resolve(args);
    };
    const timer = setTimeout(() => {
      discovery.off(event, listener as never);
      reject(new Error(`no "${String(event)}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    discovery.on(event, listener as never);
  });
}

/** Record every event of a discovery, in order, as `event:name` strings. */
export function recordEvents(discovery: Discovery): string[] {
  const log: string[] = [];
  discovery.on('join', (peer) => log.push(`join:${peer.name}`));
  discovery.on('leave', (peer) => log.push(`leave:${peer.name}`));
  discovery.on('update', (peer) => log.push(`update:${peer.name}`));
  discovery.on('seed', (seed) => log.push(`seed:${seed?.name ?? 'none'}`));
  discovery.on('error', (error) => log.push(`error:${error.code}`));
  return log;
}
