/**
 * Whether the API checks can run: Kubernetes credentials found as the `kubernetes` source finds
 * them (the `kubernetes` option's kubeconfig, `KUBECONFIG`, the pod's service account,
 * `~/.kube/config`), by the same code (`config/kubernetes-option.ts`), whether or not
 * `'kubernetes'` is among the `sources`. None found, or found but unusable (a kubeconfig without
 * `@kubernetes/client-node` to read it, a garbled `KUBERNETES_SERVICE_HOST`), the checks do not
 * run, and say why: a `skip`, unless the API was asked for (the `kubernetes` option, or the
 * source), then the first check fails. Whether it was asked for also decides what a read the API
 * refuses or cannot answer is (see `api-failure.ts`).
 *
 * @module
 */
import type { DiscoveryConfig } from '../config/discovery-config';
import type { PodEnvironment } from '../config/environment';
import { resolveKubernetes } from '../config/kubernetes-option';
import type { DiscoveryOptions } from '../config/options';
import { InvalidOptionError } from '../errors';
import type { KubernetesSettings } from '../kubernetes/settings';

/** The credentials of the API checks, or why there are none. */
export type ApiCredentials =
  | {
      readonly usable: true;
      readonly settings: KubernetesSettings;
      /** The API was asked for (the `kubernetes` option or source): a read it refuses is a failure, else a warning. */
      readonly asked: boolean;
    }
  | {
      readonly usable: false;
      /** A clause for `skipped: …`, e.g. `no Kubernetes credentials: no kubernetes.kubeconfig option, …`. */
      readonly reason: string;
      /** The API was asked for (the `kubernetes` option or source): not having it is a failure. */
      readonly asked: boolean;
    };

/**
 * The options as `resolveOptions` may take them: the `kubernetes` option is refused there
 * unless the source is among `sources`, but the doctor reads it either way (here).
 */
export function withoutKubernetesOption(options: DiscoveryOptions): DiscoveryOptions {
  if (options.kubernetes === undefined || options.sources?.includes('kubernetes')) return options;
  const { kubernetes: _omitted, ...rest } = options;
  return rest;
}

/**
 * Find the credentials. Throws `InvalidOptionError` for a `kubernetes` option that is invalid
 * as given (as `createDiscovery` would); what the environment makes unusable is a reason, not
 * an error.
 */
export function findApiCredentials(config: DiscoveryConfig, options: DiscoveryOptions, environment: PodEnvironment): ApiCredentials {
  const asked = options.kubernetes !== undefined || config.sources.includes('kubernetes');
  let settings: KubernetesSettings | null;
  try {
    settings = config.kubernetes ?? resolveKubernetes(options.kubernetes, true, { service: config.service, namespace: config.namespace }, environment);
  } catch (error) {
    // `sources`: the kubeconfig found needs the optional package; `kubernetes (from env:…)`: the pod's variables are garbled.
    if (!(error instanceof InvalidOptionError) || (error.option !== 'sources' && !error.option.startsWith('kubernetes ('))) throw error;
    return { usable: false, reason: `the Kubernetes credentials cannot be used: ${error.message.replace(/^Invalid option "[^"]*": /, '')}`, asked };
  }
  if (settings === null) return { usable: false, reason: 'no Kubernetes credentials', asked };
  if (settings.credentials.kind === 'none') return { usable: false, reason: `no Kubernetes credentials: ${settings.credentials.looked}`, asked };
  return { usable: true, settings, asked };
}
