/**
 * `diagnose()`: run, in order, the checks an engineer runs on a headless Service, and return one
 * finding per check. Options are validated first (an invalid one rejects with
 * `InvalidOptionError` before any query); after that nothing DNS does is thrown: a failed
 * lookup is a `fail` finding. Each finding is handed to `onFinding` as soon as its check
 * completes, so `resolv-conf` (no DNS needed) is known at once however slow DNS is.
 *
 * Dependent checks do not pile up noise: when `service-name` fails, the checks that need the
 * Service's addresses (`srv`, `pod-names`, `ptr`, `self`, `ordinals`) are reported as `skip`
 * with the single evidence line `skipped: <reason>` and no fix, so every diagnosis lists the
 * same checks in the same order and the failure that matters carries the fix. `truncation` and
 * `ttl` still run on whatever was observed (a failed TCP retry may be the cause; an NXDOMAIN's
 * negative TTL says how long it stays cached) and are skipped only when nothing was observed.
 * `srv` with a numeric port or none is a `warn` (A records only), whatever `service-name` found.
 * `self` for a pod not named `<statefulSet>-<n>` does not apply: a `skip` saying so; `ordinals`
 * is skipped when every endpoint is named by its address (`pod-names` warns about that).
 *
 * @module
 */
import { setMaxListeners } from 'node:events';
import { createDnsResolver } from '../dns/resolver';
import { readEnvironment } from '../config/environment';
import type { DiscoveryOptions } from '../config/options';
import { resolveOptions } from '../config/resolve-options';
import type { DiagnosisContext } from './context';
import { createDiagnosisDns } from './dns';
import { checkOrdinals } from './ordinals';
import { DiagnosisReporter } from './progress';
import { checkPodNames } from './pod-names';
import { checkPtr } from './ptr';
import { checkResolvConf } from './resolv-conf';
import { checkSelf } from './self';
import { checkServiceName } from './service-name';
import { checkSrv } from './srv';
import { checkTruncation } from './truncation';
import { checkTtl } from './ttl';
import type { CheckId, DiagnoseExtra, Diagnosis, Finding } from './types';

/**
 * Diagnose the DNS of a headless Service as discovery would see it, from this pod (or from
 * wherever it runs, with explicit options).
 *
 * @param options - The discovery options (`service` at least); `port`, `nameservers`,
 *   `namespace`, `podName`, `ordinalStart`, … are used as discovery would use them.
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
  const sources = extra.environment ?? options.environment;
  const config = resolveOptions(sources === undefined ? options : { ...options, environment: sources });
  const environment = readEnvironment(sources);
  const outer = extra.signal ?? config.signal;
  outer?.throwIfAborted();
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const abort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', abort, { once: true });
  const signal = controller.signal;

  const reporter = new DiagnosisReporter(config.serviceDomain, extra);
  const resolver = createDnsResolver({ nameservers: config.nameservers, timeoutMs: config.dnsTimeoutMs, attempts: config.dnsAttempts });
  const dns = createDiagnosisDns(resolver, signal, (lookups) => reporter.waiting(lookups));
  const context: DiagnosisContext = { config, options, environment, dns };
  /** Run one check, and report its finding before the next one starts. */
  const run = async <T extends Finding | { readonly finding: Finding }>(check: CheckId, work: () => T | Promise<T>): Promise<T> => {
    reporter.begin(check);
    const result: Finding | { readonly finding: Finding } = await work();
    reporter.found('finding' in result ? result.finding : result);
    return result as T;
  };
  try {
    await run('resolv-conf', () => checkResolvConf(context));
    const service = await run('service-name', () => checkServiceName(context));
    const srv = await run('srv', () => checkSrv(context, service));
    const podNames = await run('pod-names', () => checkPodNames(context, service, srv));
    await run('ptr', () => checkPtr(context, service, podNames));
    await run('truncation', () => checkTruncation(context, service, srv));
    await run('ttl', () => checkTtl(context));
    await run('self', () => checkSelf(context, service, podNames));
    await run('ordinals', () => checkOrdinals(context, service, podNames));
    return reporter.diagnosis();
  } finally {
    dns.close();
    resolver.close();
    outer?.removeEventListener('abort', abort);
  }
}
