/**
 * `diagnose()`: run, in order, the checks an engineer runs on a headless Service, and return one
 * finding per check. Options are validated first (an invalid one rejects with
 * `InvalidOptionError` before any query); after that nothing DNS does is thrown: a failed
 * lookup is a `fail` finding.
 *
 * Dependent checks do not pile up noise: when `service-name` fails, the checks that need the
 * Service's addresses (`srv`, `pod-names`, `ptr`, `self`, `ordinals`) are reported as `warn`
 * with the single evidence line `skipped: <reason>` and no fix, so every diagnosis lists the
 * same checks in the same order and the failure that matters carries the fix. `truncation` and
 * `ttl` still run on whatever was observed (a failed TCP retry may be the cause; an NXDOMAIN's
 * negative TTL says how long it stays cached) and are skipped only when nothing was observed.
 * `srv` with a numeric port or none is a `warn` (A records only), whatever `service-name` found.
 * `self` for a pod not named `<statefulSet>-<n>` is a `pass` saying so; `ordinals` is skipped
 * when every endpoint is named by its address (`pod-names` warns about that).
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
import { checkPodNames } from './pod-names';
import { checkPtr } from './ptr';
import { checkResolvConf } from './resolv-conf';
import { checkSelf } from './self';
import { checkServiceName } from './service-name';
import { checkSrv } from './srv';
import { checkTruncation } from './truncation';
import { checkTtl } from './ttl';
import type { DiagnoseExtra, Diagnosis, Finding } from './types';

/**
 * Diagnose the DNS of a headless Service as discovery would see it, from this pod (or from
 * wherever it runs, with explicit options).
 *
 * @param options - The discovery options (`service` at least); `port`, `nameservers`,
 *   `namespace`, `podName`, `ordinalStart`, … are used as discovery would use them.
 * @param extra - An abort signal, and the environment to read instead of the real one.
 * @returns One finding per check (see `CheckId`), and `ok: true` when none is `fail`.
 * @throws InvalidOptionError (as a rejection, before any query) for an invalid option.
 *   Rejects with the signal's reason when `extra.signal` (or `options.signal`) aborts.
 *
 * @example
 * ```ts
 * const diagnosis = await diagnose({ service: 'mysql', port: 'mysql' });
 * for (const finding of diagnosis.findings) console.log(finding.status, finding.title);
 * process.exitCode = diagnosis.ok ? 0 : 1;
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

  const resolver = createDnsResolver({ nameservers: config.nameservers, timeoutMs: config.dnsTimeoutMs, attempts: config.dnsAttempts });
  const dns = createDiagnosisDns(resolver, signal);
  const context: DiagnosisContext = { config, options, environment, dns };
  try {
    const findings: Finding[] = [checkResolvConf(context)];
    const service = await checkServiceName(context);
    findings.push(service.finding);
    const srv = await checkSrv(context, service);
    findings.push(srv.finding);
    const podNames = await checkPodNames(context, service, srv);
    findings.push(podNames.finding);
    findings.push(await checkPtr(context, service, podNames));
    findings.push(checkTruncation(context, service, srv));
    findings.push(checkTtl(context));
    findings.push(await checkSelf(context, service, podNames));
    findings.push(await checkOrdinals(context, service, podNames));
    return { service: config.serviceDomain, findings, ok: findings.every((finding) => finding.status !== 'fail') };
  } finally {
    dns.close();
    resolver.close();
    outer?.removeEventListener('abort', abort);
  }
}
