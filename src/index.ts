/**
 * headless-discovery: find the peers of a clustered service behind a Kubernetes headless
 * Service, as an ordinal-ordered membership with join/leave events.
 *
 * @module headless-discovery
 */
export { createDiscovery, discover } from './runtime/create';
export type { DiscoverOptions } from './runtime/create';
export { Discovery } from './runtime/discovery';
export type { DiscoveryEvents, MembershipChange, PollingState } from './runtime/events';
export type { BootstrapOptions, BootstrapResult, ClusterProbe } from './runtime/bootstrap-loop';
export { FormedLatch } from './runtime/formed-latch';
export type { SplitCheckTiming, SplitWatchOptions } from './runtime/split-monitor';
export type { WaitForOptions, WaitForSeedOptions } from './runtime/wait';
export type { DiscoveryOptions, EnvironmentSources, KubernetesOptions, ReadinessOption, ReadinessTiming } from './config/options';
export type { Completeness, Membership, MembershipDiff, Peer, PeerUpdate, SourceName } from './membership/types';
export type { ReadinessCheck } from './readiness/probe-spec';
export type { AddressFamily } from './sources/address-lookup';
export {
  BOOTSTRAP_CHANNEL,
  CHANNEL_NAMES,
  KUBERNETES_LIST_CHANNEL,
  KUBERNETES_WATCH_CHANNEL,
  LOOKUP_CHANNEL,
  POLL_END_CHANNEL,
  POLL_START_CHANNEL,
  PROBE_CHANNEL,
  QUERY_CHANNEL,
  RECONCILE_CHANNEL,
  RETRY_CHANNEL,
} from './observability/channels';
export type {
  AbsenceFate,
  AbsenceRule,
  AbsenceVerdict,
  BootstrapMessage,
  BootstrapProbeMessage,
  ChannelName,
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
} from './observability/channels';
export { explanationLines } from './observability/explain';
export type { Explanation, ExplainedPeer, LastPoll, MissingPeer, NameStatus, PollLookup, ProbeRecord, ReadinessHistory, Removal, Sighting } from './observability/explain';
export type { DiscoveryStats, LatencyHistogram } from './observability/stats';
export { decideBootstrap } from './bootstrap/decide';
export type { BootstrapAction, BootstrapDecision, BootstrapInput, ClusterReport, JoinPolicy } from './bootstrap/decide';
export type { LatchRecord } from './bootstrap/latch';
export { detectSplit } from './bootstrap/split';
export type { Split, SplitContext, SplitGroup } from './bootstrap/split';
export { createMemberReadiness } from './readiness/member-readiness';
export type { MemberReadiness, MemberReadinessOptions, MemberStatus, OwnReport, ReadinessSplit, ReadinessSplitGroup, ReadinessVerdict } from './readiness/member-readiness';
export { diagnose, CHECK_IDS } from './diagnose';
export type { CheckId, DiagnoseExtra, Diagnosis, DiagnosisProgress, Finding, FindingStatus } from './diagnose';
export {
  ClosedError,
  DiscoveryError,
  DrainingError,
  ForeignPeerError,
  InvalidOptionError,
  ListenerError,
  KubernetesApiError,
  LatchError,
  LookupError,
  MisconfigurationError,
  SelfNotListedError,
  WaitTimeoutError,
} from './errors';
export type { ErrorCode, KubernetesApiErrorCode, LatchErrorCode, LookupErrorCode, LookupErrorDetails, MisconfigurationCode } from './errors';
