/**
 * `node:diagnostics_channel` channels for tracing the DNS client without a logger of ours.
 *
 * @module
 */
import { channel } from 'node:diagnostics_channel';

/** Channel name: one message per query sent to a nameserver, when it settles. */
export const QUERY_CHANNEL = 'headless-discovery:dns:query';
/** Channel name: one message per lookup (all servers and attempts), with its final result. */
export const LOOKUP_CHANNEL = 'headless-discovery:dns:lookup';

/** The message published on {@link QUERY_CHANNEL}. */
export interface QueryMessage {
  readonly name: string;
  readonly type: string;
  readonly server: string;
  readonly transport: 'udp' | 'tcp';
  readonly id: number;
  /** `response` (with its RCODE and TC bit), `timeout` or `error`. */
  readonly outcome: 'response' | 'timeout' | 'error';
  readonly rcode?: number;
  readonly truncated?: boolean;
  readonly error?: Error;
  readonly ignored: number;
  readonly durationMs: number;
}

export const queryChannel = channel(QUERY_CHANNEL);
export const lookupChannel = channel(LOOKUP_CHANNEL);
