/**
 * What the readiness probes run: the probe kind with its target, and the Kubernetes-style
 * timing and thresholds, as validated from the `readiness` option.
 *
 * @module
 */
import type { Peer } from '../membership/types';

/**
 * A readiness check of your own: resolve `true` when `peer` is ready. Anything else (another
 * value, a rejection, or no answer before `signal` aborts at the timeout) counts as not ready.
 */
export type ReadinessCheck = (peer: Peer, signal: AbortSignal) => Promise<boolean>;

/** The probe to run, resolved from the option. A `null` port means the peer's own port. */
export type ProbeSpec =
  | { readonly kind: 'tcp'; readonly port: number | null }
  | {
      readonly kind: 'http';
      readonly path: string;
      readonly port: number | null;
      /** Statuses that mean ready; `null` means any status from 200 to 399, as Kubernetes does. */
      readonly expectStatus: readonly number[] | null;
    }
  | { readonly kind: 'custom'; readonly check: ReadinessCheck };

/** A validated `readiness` option with every default applied. */
export interface ReadinessConfig {
  readonly probe: ProbeSpec;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
  readonly concurrency: number;
}
