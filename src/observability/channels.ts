/**
 * Every `node:diagnostics_channel` channel the library publishes on, in one place (as undici's
 * `diagnostics.js`): its name, the message it carries, and the `Channel` object. Subscribe with
 * `diagnostics_channel.subscribe(name, listener)`; nothing is built or published while nobody
 * listens (every publisher checks `hasSubscribers` first). Every message names the discovery it
 * is about (`service`, `namespace`), so a process with several can tell them apart.
 *
 * @module
 */
import { channel } from 'node:diagnostics_channel';

export type {
  AbsenceFate,
  AbsenceRule,
  AbsenceVerdict,
  BootstrapMessage,
  BootstrapProbeMessage,
  DiscoverySubject,
  KubernetesListMessage,
  KubernetesWatchMessage,
  LookupMessage,
  PollEndMessage,
  PollStartMessage,
  ProbeMessage,
  QueryMessage,
  ReadinessProbeMessage,
  ReconcileMessage,
  RetryMessage,
  SourceFailure,
} from './messages';

/** Channel name: one message per query sent to a nameserver, when it settles. */
export const QUERY_CHANNEL = 'headless-discovery:dns:query';
/** Channel name: one message per lookup (all servers and attempts), with its final result. */
export const LOOKUP_CHANNEL = 'headless-discovery:dns:lookup';
/** Channel name: a poll started. */
export const POLL_START_CHANNEL = 'headless-discovery:poll:start';
/** Channel name: a poll ended, with its outcome. */
export const POLL_END_CHANNEL = 'headless-discovery:poll:end';
/** Channel name: a source that failed transiently is tried again within the same poll. */
export const RETRY_CHANNEL = 'headless-discovery:retry';
/** Channel name: a readiness probe of a peer ended, or a peer was asked for its bootstrap report. */
export const PROBE_CHANNEL = 'headless-discovery:probe';
/** Channel name: a reconcile step ran, with the fate of every missing peer and the rule that decided it. */
export const RECONCILE_CHANNEL = 'headless-discovery:reconcile';
/** Channel name: `bootstrap()` made a decision (`wait` ones included). */
export const BOOTSTRAP_CHANNEL = 'headless-discovery:bootstrap';
/** Channel name: the `kubernetes` source listed the Service's EndpointSlices. */
export const KUBERNETES_LIST_CHANNEL = 'headless-discovery:kubernetes:list';
/** Channel name: a watch of the Service's EndpointSlices opened or ended. */
export const KUBERNETES_WATCH_CHANNEL = 'headless-discovery:kubernetes:watch';

/** Every channel name, in the order of the data flow. */
export const CHANNEL_NAMES = [
  POLL_START_CHANNEL,
  POLL_END_CHANNEL,
  LOOKUP_CHANNEL,
  QUERY_CHANNEL,
  RETRY_CHANNEL,
  KUBERNETES_LIST_CHANNEL,
  KUBERNETES_WATCH_CHANNEL,
  RECONCILE_CHANNEL,
  PROBE_CHANNEL,
  BOOTSTRAP_CHANNEL,
] as const;

/** One of {@link CHANNEL_NAMES}. */
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** The channel of every name, as `diagnostics_channel.channel(name)` returns it. */
export const queryChannel = channel(QUERY_CHANNEL);
/** {@link LOOKUP_CHANNEL}. */
export const lookupChannel = channel(LOOKUP_CHANNEL);
/** {@link POLL_START_CHANNEL}. */
export const pollStartChannel = channel(POLL_START_CHANNEL);
/** {@link POLL_END_CHANNEL}. */
export const pollEndChannel = channel(POLL_END_CHANNEL);
/** {@link RETRY_CHANNEL}. */
export const retryChannel = channel(RETRY_CHANNEL);
/** {@link PROBE_CHANNEL}. */
export const probeChannel = channel(PROBE_CHANNEL);
/** {@link RECONCILE_CHANNEL}. */
export const reconcileChannel = channel(RECONCILE_CHANNEL);
/** {@link BOOTSTRAP_CHANNEL}. */
export const bootstrapChannel = channel(BOOTSTRAP_CHANNEL);
/** {@link KUBERNETES_LIST_CHANNEL}. */
export const kubernetesListChannel = channel(KUBERNETES_LIST_CHANNEL);
/** {@link KUBERNETES_WATCH_CHANNEL}. */
export const kubernetesWatchChannel = channel(KUBERNETES_WATCH_CHANNEL);
