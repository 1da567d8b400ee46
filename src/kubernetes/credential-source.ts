/**
 * From where the credentials are ({@link CredentialSource}, decided at construction) to the
 * credentials a client connects with: a pod's service account, a kubeconfig file, or nothing
 * found (every connect then fails, saying what was looked for).
 *
 * @module
 */
import { credentialsError } from './api-errors';
import type { Credentials } from './credentials';
import { inClusterCredentials } from './in-cluster';
import { kubeconfigCredentials } from './kubeconfig';
import type { CredentialSource, KubernetesSettings } from './settings';

/** The credentials `source` describes. */
export function createCredentials(
  source: CredentialSource,
  settings: Pick<KubernetesSettings, 'readFile' | 'timing'>,
  now: () => number = Date.now,
): Credentials {
  if (source.kind === 'in-cluster') return inClusterCredentials(source, settings.readFile, settings.timing.tokenMaxAgeMs, now);
  if (source.kind === 'kubeconfig') return kubeconfigCredentials(source, settings.readFile);
  const description = `no credentials (${source.looked})`;
  return {
    connect: () =>
      Promise.reject(
        credentialsError(
          `No Kubernetes credentials were found (${source.looked}). In a pod, keep the service-account token mounted ` +
            '(automountServiceAccountToken); elsewhere, set the kubernetes.kubeconfig option or KUBECONFIG.',
        ),
      ),
    unauthorized: () => undefined,
    facts: () => ({ subject: undefined, description }),
    close: () => undefined,
  };
}
