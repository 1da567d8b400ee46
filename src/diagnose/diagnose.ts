/**
 * `diagnose()`: run, in order, the checks an engineer runs on a headless Service, and return one
 * finding per check. Options are validated first (an invalid one rejects with
 * `InvalidOptionError` before any query); after that nothing DNS or the Kubernetes API does is
 * thrown: a failed lookup or read is a `fail` finding. Each finding is handed to `onFinding` as
 * soon as its check completes, so `resolv-conf` (no DNS needed) is known at once however slow
 * DNS is.
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
 * Then the Kubernetes API checks, with the credentials the `kubernetes` source would use
 * (`api-credentials.ts`): none found, the four are `skip` saying why (a `fail` of `api-service`
 * when the `kubernetes` option or source asked for the API). An API that cannot be reached or
 * refuses the credentials is reported once, by `api-service`, within the request timeout, and
 * the others skip with that one reason; a 403 names the missing RBAC rule. A read that fails is
 * a `fail` when the API was asked for, else a `warn` (discovery uses DNS; the doctor could not
 * look), and a 403 on the doctor's own reads (services, pods) is a `warn` either way. While a
 * request is in flight, `onProgress` reports it as `GET <path>`.
 *
 * @module
 */
import { setMaxListeners } from 'node:events';
import { createDnsResolver } from '../dns/resolver';
import { readEnvironment } from '../config/environment';
import type { DiscoveryOptions } from '../config/options';
import { resolveOptions } from '../config/resolve-options';
import { openDiagnosisApi } from './api-access';
import { findApiCredentials, withoutKubernetesOption } from './api-credentials';
import { checkApiEndpointSlices } from './api-endpointslices';
import { checkApiPods } from './api-pods';
import { checkApiService } from './api-service';
import { checkApiVsDns } from './api-vs-dns';
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

/** `diagnose()` itself (see `on-demand.ts`, which loads this module on its first call). */
export async function diagnose(options: DiscoveryOptions, extra: DiagnoseExtra = {}): Promise<Diagnosis> {
  const sources = extra.environment ?? options.environment;
  const given = withoutKubernetesOption(options);
  const config = resolveOptions(sources === undefined ? given : { ...given, environment: sources });
  const environment = readEnvironment(sources);
  const credentials = findApiCredentials(config, options, environment);
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
  const api = openDiagnosisApi(credentials, signal, (requests) => reporter.waiting(requests));
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
    const apiService = await run('api-service', () => checkApiService(context, api));
    await run('api-pods', () => checkApiPods(context, api, apiService));
    const slices = await run('api-endpointslices', () => checkApiEndpointSlices(context, api, apiService));
    await run('api-vs-dns', () => checkApiVsDns(context, apiService, slices, service, srv));
    return reporter.diagnosis();
  } finally {
    api.close();
    dns.close();
    resolver.close();
    outer?.removeEventListener('abort', abort);
  }
}
