/**
 * In-cluster credentials, as client-go's `InClusterConfig` reads them: the API at
 * `KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT` over HTTPS, trusted through the
 * service-account CA, authenticated with the service-account token. The kubelet rotates the
 * token (it expires after about an hour), so it is read again when the copy in hand is older
 * than a minute (client-go's period) and after a 401.
 *
 * @module
 */
import { credentialsError } from './api-errors';
import type { ApiSubject } from './rbac';
import type { Credentials } from './credentials';
import type { InClusterSource } from './settings';
import { tokenSubject } from './token-subject';

/** What may be sent in an `Authorization` header: visible ASCII, no spaces or line breaks. */
const TOKEN = /^[\x21-\x7e]{1,65536}$/;

/** Credentials from the pod's service account. */
export function inClusterCredentials(
  source: InClusterSource,
  readFile: (path: string) => string | undefined,
  tokenMaxAgeMs: number,
  now: () => number,
): Credentials {
  const server = new URL(source.server);
  let token: { readonly value: string; readonly readAt: number } | undefined;
  // Kept when the token is forgotten after a 401, for the messages that follow.
  let subject: ApiSubject | undefined;

  function readToken(): string {
    const text = readFile(source.tokenPath)?.trim();
    if (text === undefined || text === '') {
      throw credentialsError(
        `No service-account token at ${source.tokenPath}, though KUBERNETES_SERVICE_HOST says this is a pod: ` +
          'the pod (or its service account) may set automountServiceAccountToken: false.',
      );
    }
    if (!TOKEN.test(text)) throw credentialsError(`The service-account token at ${source.tokenPath} is not a token (it holds spaces or control characters).`);
    return text;
  }

  return {
    connect: async () => {
      if (token === undefined || now() - token.readAt >= tokenMaxAgeMs) {
        token = { value: readToken(), readAt: now() };
        subject = tokenSubject(token.value);
      }
      const ca = readFile(source.caPath);
      if (ca === undefined) throw credentialsError(`No service-account CA at ${source.caPath}: the API server's certificate cannot be checked.`);
      // `agent: false`: a socket of its own per request, closed with it (no idle keep-alive socket left behind).
      return { server, options: { ca, agent: false, headers: { authorization: `Bearer ${token.value}` } } };
    },
    unauthorized: () => {
      token = undefined;
    },
    facts: () => ({
      subject,
      description: `the service-account token ${source.tokenPath}`,
    }),
    close: () => undefined,
  };
}
