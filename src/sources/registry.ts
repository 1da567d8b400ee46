/**
 * The source registry: every source by name, and building the configured ones, in order of
 * preference, over one resolver. Adding a source is one file in this folder, one line in
 * {@link SOURCE_FACTORIES} and its name in the `SourceName` union (the compiler checks that
 * the two agree, both ways); the `sources` option accepts it from then on.
 *
 * @module
 */
import type { Resolver } from '../dns/types';
import type { SourceName } from '../membership/types';
import { createAddressSource } from './address';
import { createKubernetesSource } from './kubernetes';
import { createOrdinalsSource } from './ordinals';
import type { Source, SourceSettings } from './source';
import { createSrvSource } from './srv';
import { createStaticSource } from './static';

/** Builds one source from the settings (taking the part it needs). */
export type SourceFactory = (resolver: Resolver, settings: SourceSettings) => Source;

/** Every source, by name. */
export const SOURCE_FACTORIES = {
  kubernetes: createKubernetesSource,
  srv: createSrvSource,
  address: createAddressSource,
  ordinals: createOrdinalsSource,
  static: createStaticSource,
} as const satisfies { readonly [Name in SourceName]: SourceFactory };

/** Every source's name, in the registry's order. */
export const SOURCE_NAMES = Object.keys(SOURCE_FACTORIES) as readonly SourceName[];

/** The sources `names` lists, in that order. */
export function createSources(names: readonly SourceName[], resolver: Resolver, settings: SourceSettings): Source[] {
  return names.map((name) => SOURCE_FACTORIES[name](resolver, settings));
}
