/**
 * Subscribing to the library's diagnostics channels in tests: every message of the channels
 * asked for, in order, with a way to wait for one that matches. Unsubscribe with `close()`.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/** A message as it was published, with the channel it came on. */
export interface Published {
  readonly channel: string;
  readonly message: Record<string, unknown>;
}

/** The messages of some channels, collected from subscription on. */
export interface ChannelLog {
  readonly messages: Published[];
  /** Messages of one channel. */
  of(channel: string): Record<string, unknown>[];
  /** Resolve with the first message (already published or to come) on `channel` that `holds`; reject after `timeoutMs`. */
  next(channel: string, holds?: (message: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): void;
}

/** Subscribe to `channels`. */
export function channelLog(channels: readonly string[]): ChannelLog {
  const messages: Published[] = [];
  const waiters = new Set<{ channel: string; holds: (message: Record<string, unknown>) => boolean; resolve: (message: Record<string, unknown>) => void }>();
  const listeners = channels.map((channel) => {
    const listener = (message: unknown): void => {
      const published = { channel, message: message as Record<string, unknown> };
      messages.push(published);
      for (const waiter of waiters) {
        if (waiter.channel === channel && waiter.holds(published.message)) {
          waiters.delete(waiter);
          waiter.resolve(published.message);
        }
      }
    };
    subscribe(channel, listener);
    return [channel, listener] as const;
  });
  return {
    messages,
    of: (channel) => messages.filter((published) => published.channel === channel).map((published) => published.message),
    next: (channel, holds = () => true, timeoutMs = 20_000) => {
      const seen = messages.find((published) => published.channel === channel && holds(published.message));
      if (seen) return Promise.resolve(seen.message);
      return new Promise((resolve, reject) => {
        const waiter = {
          channel,
          holds,
          resolve: (message: Record<string, unknown>) => {
            clearTimeout(timer);
            resolve(message);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching message on ${channel} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => {
      for (const [channel, listener] of listeners) unsubscribe(channel, listener);
      waiters.clear();
    },
  };
}
