/**
 * What a request to the API is sent with: where the server is, and the TLS material, headers
 * and agent that authenticate it; and what a client's credentials can do (connect, be told of
 * a 401, describe themselves for messages). `credential-source.ts` builds them.
 *
 * @module
 */
import type { RequestOptions } from 'node:https';
import type { CredentialFacts } from './api-errors';

/** Where to send a request, and how. */
export interface ApiEndpoint {
  /** The API server, with its path prefix if it has one (`https://rancher.example/k8s/clusters/c-1`). */
  readonly server: URL;
  /** What `node:https` (or `node:http`) needs besides the path: CA, client certificate, headers, agent. */
  readonly options: RequestOptions;
}

/** The credentials of one client. */
export interface Credentials {
  /** What the next request is sent with. Rejects with `ERR_K8S_CREDENTIALS` when there is nothing usable. */
  connect(): Promise<ApiEndpoint>;
  /** The API answered 401: forget what may have rotated (a token, an exec plugin's credential) before the next connect. */
  unauthorized(): void;
  /** Who and where, for messages. */
  facts(): CredentialFacts;
  /** Release agents. */
  close(): void;
}
