/**
 * The `kubernetes` source's machinery in one piece: the cache of the Service's EndpointSlices and
 * the list/watch loop that fills it, with the credentials it reads the API with. The source loads
 * this module on its first observation.
 *
 * @module
 */
import { createCredentials } from './credential-source';
import { SliceWatch } from './list-watch';
import type { KubernetesSettings, SliceMapping } from './settings';
import { SliceStore } from './slice-store';

/** The EndpointSlices' cache and the list/watch loop that fills it. */
export interface SliceFeed {
  readonly store: SliceStore;
  readonly watch: SliceWatch;
}

/** Create the cache and its loop (nothing is sent before the loop starts). */
export function createSliceFeed(kubernetes: KubernetesSettings, mapping: Omit<SliceMapping, 'service'>, changed: () => void): SliceFeed {
  const store = new SliceStore({ ...mapping, service: kubernetes.service });
  const credentials = createCredentials(kubernetes.credentials, kubernetes);
  return { store, watch: new SliceWatch({ settings: kubernetes, credentials, store, changed }) };
}
