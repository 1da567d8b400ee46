/**
 * The doctor's checks, loaded on first use. `diagnose()` and the explanation of an empty
 * membership import their modules (the DNS and Kubernetes API checks, about a fifth of the
 * library) when first called, so a program that imports the library, and a discovery that finds
 * its peers, never load or compile them.
 *
 * @module
 */
import type { DiscoveryConfig } from '../config/discovery-config';
import type { DiscoveryOptions } from '../config/options';
import type { Resolver } from '../dns/types';
import type { MisconfigurationError } from '../errors';
import type { SuccessfulObservation } from '../membership/observation';
import type { DiagnoseExtra, Diagnosis } from './types';

/**
 * Diagnose the DNS of a headless Service as discovery would see it, from this pod (or from
 * wherever it runs, with explicit options), and, when Kubernetes credentials are found, what the
 * Kubernetes API says of the Service, its pods and its EndpointSlices, and whether DNS agrees.
 *
 * @param options - The discovery options (`service` at least); `port`, `nameservers`,
 *   `namespace`, `podName`, `ordinalStart`, … are used as discovery would use them. The
 *   `kubernetes` option (kubeconfig, context) is read with or without `'kubernetes'` among
 *   `sources`.
 * @param extra - An abort signal, the environment to read instead of the real one, and
 *   callbacks that receive each finding as it completes (`onFinding`) and what the running
 *   check waits for (`onProgress`).
 * @returns One finding per check (see `CheckId`), and `ok: true` when none is `fail`.
 * @throws InvalidOptionError (as a rejection, before any query) for an invalid option.
 *   Rejects with the signal's reason when `extra.signal` (or `options.signal`) aborts.
 *
 * @example
 * ```ts
 * const diagnosis = await diagnose({ service: 'mysql', port: 'mysql' });
 * for (const finding of diagnosis.findings) console.log(finding.status, finding.title);
 * process.exitCode = diagnosis.ok ? 0 : 1;
 *
 * // Or print each finding as soon as it is known (resolv.conf first, whatever DNS does):
 * await diagnose({ service: 'mysql', port: 'mysql' }, { onFinding: (finding) => console.log(finding.status, finding.title) });
 * ```
 */
export async function diagnose(options: DiscoveryOptions, extra: DiagnoseExtra = {}): Promise<Diagnosis> {
  const checks = await import('./checks');
  return checks.diagnose(options, extra);
}

/** `explainEmpty()` of `explain-empty.ts`, loaded when a membership first comes back empty. */
export async function explainEmpty(config: DiscoveryConfig, observation: SuccessfulObservation, resolver: Resolver, signal: AbortSignal): Promise<MisconfigurationError | undefined> {
  const checks = await import('./checks');
  return checks.explainEmpty(config, observation, resolver, signal);
}
