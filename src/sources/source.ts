/**
 * A source observes the cluster once per poll. Sources do I/O and nothing else: they never
 * emit events and never decide membership.
 *
 * @module
 */
import type { SourceName } from '../membership/types';
import type { Observation } from './observation';

/** Something that can observe the Service's endpoints. */
export interface Source {
  readonly name: SourceName;
  /** Observe once. Never rejects for DNS failures (those are failed observations); rejects only on abort. */
  observe(signal: AbortSignal): Promise<Observation>;
}
