/**
 * Check 9, `ordinals`: the listed pods of the StatefulSet have contiguous ordinals from
 * `ordinalStart`, and the seed (`<statefulSet>-<ordinalStart>`) is listed. The ordinals come
 * from the per-pod names of `pod-names`; the seed is also looked up by name when it is not
 * among them (or the names are unknown). Seed missing → fail; gaps, ordinals below
 * `ordinalStart`, or no pod of the StatefulSet among named endpoints → warn. When every
 * endpoint is named by its address (no pod has a hostname), there are no ordinals: skipped.
 *
 * @module
 */
import type { AddressRecord } from '../dns/types';
import { deriveStatefulSet, parseOrdinal } from '../names';
import { addressTypes, isAddressOf } from '../sources/address-lookup';
import { getPod, getPodReady, getPods, getStatefulSet } from './commands';
import { serviceHost, type DiagnosisContext } from './context';
import { capped, lookupLine, MAX_LINES } from './describe';
import { finding, skipped, skipReason } from './finding';
import type { PodNamesResult } from './pod-names';
import type { ServiceNameResult } from './service-name';
import type { Finding } from './types';

/** Run the check. */
export async function checkOrdinals(context: DiagnosisContext, service: ServiceNameResult, podNames: PodNamesResult): Promise<Finding> {
  const { config, options } = context;
  const sts = config.statefulSet;
  const start = config.ordinalStart;
  const seed = `${sts}-${start}`;
  const title = `Ordinals of ${sts} are contiguous from ${start}, seed ${seed} listed`;
  if (service.state !== 'addresses') return skipped('ordinals', title, skipReason(service.state));
  if (podNames.endpoints.length > 0 && podNames.endpoints.every((endpoint) => endpoint.dashed)) {
    return skipped('ordinals', title, 'every endpoint is named by its address: no pod has a hostname, so there are no ordinals (see pod-names)');
  }

  const labels = podNames.endpoints.filter((endpoint) => !endpoint.dashed).map((endpoint) => endpoint.label);
  const ordinals = [...new Set(labels.flatMap((label) => parseOrdinal(label, sts) ?? []))].sort((a, b) => a - b);
  const strangers = [...new Set(labels.filter((label) => parseOrdinal(label, sts) === null))].sort();
  const evidence = [
    `StatefulSet: ${sts} (from ${stsOrigin(context)}); ordinalStart: ${start} (from ${options.ordinalStart === undefined ? 'the default' : 'the ordinalStart option'})`,
    podNames.endpoints.length === 0
      ? 'per-pod names unknown (see pod-names): only the seed was looked up'
      : `listed ordinals: ${ordinals.length === 0 ? 'none' : ordinals.join(', ')}`,
  ];
  if (strangers.length > 0) evidence.push(`names that are not ${sts}-<n>: ${strangers.slice(0, MAX_LINES).join(', ')}${strangers.length > MAX_LINES ? ', …' : ''}`);

  let seedPresent = ordinals.includes(start);
  if (seedPresent) {
    evidence.push(`seed ${seed}: listed`);
  } else {
    const seedHost = `${seed}.${serviceHost(context)}`;
    const lookups = await Promise.all(addressTypes(config.family).map((type) => context.dns.lookup(seedHost, type)));
    seedPresent = lookups.some((result) => result.outcome === 'answer' && result.answers.some((record): record is AddressRecord => isAddressOf(record, config.family)));
    evidence.push(`seed ${seed}: ${seedPresent ? 'resolves' : 'missing'}`, ...capped(lookups.map(lookupLine)));
  }

  const missing = gaps(ordinals, start, sts);
  const below = ordinals.filter((ordinal) => ordinal < start);
  const fix: string[] = [];
  if (!seedPresent) {
    const lowest = ordinals.find((ordinal) => ordinal > start);
    fix.push(
      `the seed ${seed} is not ready or does not exist: ${getPod(config, seed)}`,
      `is it Ready? ${getPodReady(config, seed)}`,
      `if the StatefulSet numbers its pods from another ordinal (.spec.ordinals.start${lowest === undefined ? '' : `; the lowest listed is ${lowest}`}), set the ordinalStart option to it: ${getStatefulSet(config, sts)}`,
    );
    if (ordinals.length === 0 && strangers.length > 0) fix.push(`no listed pod is named ${sts}-<n>: set the statefulSet option to the StatefulSet's name`);
  }
  if (missing.names.length > 0) {
    evidence.push(`gaps: ${missing.names.join(', ')}${missing.more > 0 ? ` and ${missing.more} more` : ''}`);
    fix.push(
      `${missing.names.join(', ')}${missing.more > 0 ? ', …' : ''}: not ready, or not created yet (OrderedReady creates pods in order; Parallel may leave gaps while pods start): ${getPods(config)}`,
      getStatefulSet(config, sts),
    );
  }
  if (below.length > 0) {
    evidence.push(`ordinals below ordinalStart ${start}: ${below.join(', ')}`);
    fix.push(`is ordinalStart right? It must be the StatefulSet's .spec.ordinals.start: ${getStatefulSet(config, sts)}`);
  }
  if (seedPresent && ordinals.length === 0 && strangers.length > 0) {
    fix.push(`no listed pod is named ${sts}-<n>: set the statefulSet option to the StatefulSet's name`);
  }
  return finding('ordinals', title, !seedPresent ? 'fail' : fix.length > 0 ? 'warn' : 'pass', evidence, fix);
}

function stsOrigin(context: DiagnosisContext): string {
  if (context.options.statefulSet !== undefined) return 'the statefulSet option';
  return deriveStatefulSet(context.config.podName) === context.config.statefulSet ? "this pod's name" : 'the service name';
}

/**
 * The pod names missing after the seed, up to the highest listed ordinal (at most
 * {@link MAX_LINES}; `more` counts the rest). The seed itself is reported on its own.
 */
function gaps(ordinals: readonly number[], start: number, sts: string): { names: string[]; more: number } {
  const present = new Set(ordinals).add(start);
  const highest = ordinals.at(-1);
  if (highest === undefined || highest <= start) return { names: [], more: 0 };
  const names: string[] = [];
  let more = 0;
  let previous = start - 1;
  for (const ordinal of [...present].filter((value) => value >= start).sort((a, b) => a - b)) {
    for (let missing = previous + 1; missing < ordinal; missing++) {
      if (names.length < MAX_LINES) names.push(`${sts}-${missing}`);
      else {
        more += ordinal - missing;
        break;
      }
    }
    previous = ordinal;
  }
  return { names, more };
}
