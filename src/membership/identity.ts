/**
 * Identity: turning observed endpoints into peers named by pod (never by IP), merged, sorted,
 * with another StatefulSet's pods left out. The naming rules themselves are in `names.ts`.
 *
 * @module
 */
import { isIP } from 'node:net';
import { firstLabel, hasOrdinalSuffix, isDashedAddressName, isPodHost, parseOrdinal } from '../names';
import type { ObservedEndpoint, SuccessfulObservation } from './observation';
import type { Peer } from './types';

/** What identity decisions need to know about the cluster and this pod. */
export interface MembershipContext {
  /** Pod-name prefix of the members. */
  readonly statefulSet: string;
  /** `.spec.ordinals.start`: the seed's ordinal. */
  readonly ordinalStart: number;
  /** This pod's name. */
  readonly podName: string;
  /** `<service>.<namespace>.svc.<zone>`, without the trailing dot. */
  readonly serviceDomain: string;
}

interface Draft {
  name: string;
  ordinal: number | null;
  host: string | null;
  addresses: Set<string>;
  port: number | null;
  /** The source's verdict, when it gives one; one endpoint not ready makes the peer not ready, and so does draining. */
  ready: boolean | undefined;
  draining: boolean;
  uid: string | null;
  nodeName: string | null;
  zone: string | null;
}

/**
 * How an endpoint is named, or `undefined` for another StatefulSet's pod (not a member). A pod is
 * named by its first label only under this Service's domain: `mysql-1.other.default.svc…` is not
 * our `mysql-1`, and keeps its whole name (a static peer elsewhere, say).
 */
function identify(endpoint: ObservedEndpoint, context: MembershipContext): Pick<Draft, 'name' | 'ordinal'> | undefined {
  if (endpoint.pod !== undefined) return identifyPod(endpoint.pod, context);
  if (endpoint.host === null) {
    const first = [...endpoint.addresses].sort(compareAddresses)[0];
    return first === undefined ? undefined : { name: first, ordinal: null };
  }
  const host = endpoint.host.toLowerCase();
  if (!isPodHost(host, context.serviceDomain)) return { name: host, ordinal: null };
  const label = firstLabel(host);
  if (isDashedAddressName(label, endpoint.addresses)) return { name: label, ordinal: null };
  return identifyPod(label, context);
}

/** A pod named by the source or by its first DNS label: a member unless it is another StatefulSet's. */
function identifyPod(name: string, context: MembershipContext): Pick<Draft, 'name' | 'ordinal'> | undefined {
  const ordinal = parseOrdinal(name, context.statefulSet);
  if (ordinal !== null) return { name, ordinal };
  if (hasOrdinalSuffix(name)) return undefined;
  return { name, ordinal: null };
}

/**
 * Turn what a source saw into sorted, merged peers. Endpoints with the same name (a dual-stack
 * pod, or duplicate hostnames) become one peer with the union of their addresses.
 */
export function toPeers(observation: SuccessfulObservation, context: MembershipContext): Peer[] {
  const drafts = new Map<string, Draft>();
  for (const endpoint of observation.endpoints) {
    const identity = identify(endpoint, context);
    if (!identity) continue;
    const draft = drafts.get(identity.name);
    if (draft) merge(draft, endpoint);
    else drafts.set(identity.name, newDraft(identity, endpoint));
  }
  return [...drafts.values()]
    .map(
      (draft): Peer => ({
        name: draft.name,
        ordinal: draft.ordinal,
        host: draft.host,
        addresses: [...draft.addresses].sort(compareAddresses),
        port: draft.port,
        ready: !draft.draining && (draft.ready ?? true),
        draining: draft.draining,
        uid: draft.uid,
        nodeName: draft.nodeName,
        zone: draft.zone,
        self: draft.name === context.podName,
        sources: [observation.source],
      }),
    )
    .sort(comparePeers);
}

function newDraft(identity: Pick<Draft, 'name' | 'ordinal'>, endpoint: ObservedEndpoint): Draft {
  return {
    ...identity,
    host: endpoint.host,
    addresses: new Set(endpoint.addresses),
    port: endpoint.port,
    ready: endpoint.ready,
    draining: endpoint.draining ?? false,
    uid: endpoint.uid ?? null,
    nodeName: endpoint.nodeName ?? null,
    zone: endpoint.zone ?? null,
  };
}

/** Another endpoint of the same pod (its other address family, or a duplicate hostname). */
function merge(draft: Draft, endpoint: ObservedEndpoint): void {
  for (const address of endpoint.addresses) draft.addresses.add(address);
  draft.port ??= endpoint.port;
  draft.host ??= endpoint.host;
  draft.draining ||= endpoint.draining ?? false;
  if (endpoint.ready !== undefined) draft.ready = (draft.ready ?? true) && endpoint.ready;
  draft.uid ??= endpoint.uid ?? null;
  draft.nodeName ??= endpoint.nodeName ?? null;
  draft.zone ??= endpoint.zone ?? null;
}

/** Peer order: by ordinal (peers without one last), then by name. */
export function comparePeers(a: Peer, b: Peer): number {
  if (a.ordinal !== b.ordinal) {
    if (a.ordinal === null) return 1;
    if (b.ordinal === null) return -1;
    return a.ordinal - b.ordinal;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Address order: IPv4 before IPv6, then by text. */
export function compareAddresses(a: string, b: string): number {
  const family = isIP(a) - isIP(b);
  if (family !== 0) return family;
  return a < b ? -1 : a > b ? 1 : 0;
}
