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
export type { BootstrapOptions, ClusterProbe } from './runtime/bootstrap-loop';
export type { WaitForOptions, WaitForSeedOptions } from './runtime/wait';
export type { DiscoveryOptions, EnvironmentSources, KubernetesOptions, ReadinessOption, ReadinessTiming } from './config/options';
export type { Completeness, Membership, MembershipDiff, Peer, PeerUpdate, SourceName } from './membership/types';
export type { ReadinessCheck } from './readiness/probe-spec';
export type { AddressFamily } from './sources/address-lookup';
export { decideBootstrap } from './bootstrap/decide';
export type { BootstrapAction, BootstrapDecision, BootstrapInput, ClusterReport, JoinPolicy } from './bootstrap/decide';
export { diagnose, CHECK_IDS } from './diagnose';
export type { CheckId, DiagnoseExtra, Diagnosis, DiagnosisProgress, Finding, FindingStatus } from './diagnose';
export {
  ClosedError,
  DiscoveryError,
  ForeignPeerError,
  InvalidOptionError,
  ListenerError,
  KubernetesApiError,
  LookupError,
  MisconfigurationError,
  SelfNotListedError,
  WaitTimeoutError,
} from './errors';
export type { ErrorCode, KubernetesApiErrorCode, LookupErrorCode, LookupErrorDetails, MisconfigurationCode } from './errors';
