/**
 * headless-discovery: find the peers of a clustered service behind a Kubernetes headless
 * Service, as an ordinal-ordered membership with join/leave events.
 *
 * @module headless-discovery
 */
export { createDiscovery, discover, Discovery } from './discovery';
export type { DiscoveryEvents, MembershipChange } from './discovery';
export type { DiscoveryOptions } from './options';
export type { EnvironmentSources } from './environment';
export type { Completeness, Membership, MembershipDiff, Peer, PeerUpdate, SourceName } from './membership/types';
export type { ReadinessCheck, ReadinessOption, ReadinessTiming } from './readiness/config';
export type { AddressFamily } from './sources/address-lookup';
export { decideBootstrap } from './bootstrap/decide';
export type { BootstrapAction, BootstrapDecision, BootstrapInput, ClusterReport, JoinPolicy } from './bootstrap/decide';
export type { BootstrapOptions, ClusterProbe } from './bootstrap/run';
export type { WaitForOptions, WaitForSeedOptions } from './bootstrap/wait';
export { diagnose, CHECK_IDS } from './diagnose';
export type { CheckId, DiagnoseExtra, Diagnosis, Finding, FindingStatus } from './diagnose';
export {
  ClosedError,
  DiscoveryError,
  InvalidOptionError,
  ListenerError,
  LookupError,
  SelfNotListedError,
  WaitTimeoutError,
} from './errors';
export type { ErrorCode, LookupErrorCode } from './errors';
