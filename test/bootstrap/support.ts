/**
 * Memberships for the bootstrap tests, built the way a discovery builds them (through reconcile),
 * with some pods ready, some terminating (as the Kubernetes source reports them), and reports.
 */
import { DEFAULT_POLICY } from '../../src/config/defaults';
import { LookupError } from '../../src/errors';
import type { Observation } from '../../src/membership/observation';
import { initialState, reconcile } from '../../src/membership/reconcile';
import type { Membership } from '../../src/membership/types';
import type { ClusterReport } from '../../src/bootstrap/types';

export const DOMAIN = 'mysql.default.svc.cluster.local';

/** How the pods are seen. */
export interface ViewOptions {
  /** The ready pods (default: every pod not terminating). */
  readonly ready?: readonly string[];
  /** Pods whose endpoint is terminating (`Peer.draining`, never ready). */
  readonly terminating?: readonly string[];
  readonly stale?: boolean;
  readonly ordinalStart?: number;
  readonly statefulSet?: string;
}

/** The membership a discovery would hold after seeing `pods`. */
export function view(pods: readonly string[], options: ViewOptions = {}): Membership {
  const context = { statefulSet: options.statefulSet ?? 'mysql', ordinalStart: options.ordinalStart ?? 0, podName: 'observer', serviceDomain: DOMAIN };
  const ready = new Set(options.ready ?? pods);
  const terminating = new Set(options.terminating ?? []);
  const observation: Observation = {
    ok: true,
    source: 'srv',
    endpoints: pods.map((pod, index) => ({
      host: `${pod}.${DOMAIN}`,
      addresses: [`10.0.0.${index + 1}`],
      port: 3306,
      ...(terminating.has(pod) ? { draining: true } : {}),
    })),
    queries: 1,
  };
  let state = reconcile(initialState(context, DEFAULT_POLICY), observation, (name) => ready.has(name), context, DEFAULT_POLICY, 1000).state;
  if (options.stale) {
    const failed: Observation = { ok: false, source: 'srv', error: new LookupError('ERR_DNS_TIMEOUT', 'x.', 'SRV', 'timed out'), queries: 1 };
    state = reconcile(state, failed, null, context, DEFAULT_POLICY, 2000).state;
  }
  return state.membership;
}

/** `{ 'mysql-1': { clusterId: 'c1' } }` as the map `decideBootstrap` takes. */
export const reports = (entries: Record<string, ClusterReport | null>): Map<string, ClusterReport | null> => new Map(Object.entries(entries));

/** A latch record of `clusterId`. */
export const latch = (clusterId: string, podName: string | null = null) => ({ clusterId, podName, writtenAt: '2026-12-01T12:00:00.000Z' });
