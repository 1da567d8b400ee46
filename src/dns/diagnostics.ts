/**
 * The DNS client's diagnostics channels: `headless-discovery:dns:query` and
 * `headless-discovery:dns:lookup`. They live in the registry of every channel
 * (`observability/channels.ts`); this module keeps the DNS client's own names for them.
 *
 * @module
 */
export { LOOKUP_CHANNEL, QUERY_CHANNEL, lookupChannel, queryChannel } from '../observability/channels';
export type { LookupMessage, QueryMessage } from '../observability/channels';
