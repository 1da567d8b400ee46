/**
 * `Status` objects, the API server's error bodies (`k8s.io/apimachinery/pkg/api/errors`): the
 * same `reason`, `code`, `details` and message wording, so a client's error handling meets what
 * a real cluster sends.
 *
 * @module
 */
import type { KubeObject } from './cluster-state';
import { qualifiedName, type ResourceInfo } from './resources';

/** An API verb the fake API serves. */
export type KubeVerb = 'get' | 'list' | 'watch';

/** A `Status` with its HTTP code. */
export interface StatusBody extends KubeObject {
  readonly kind: 'Status';
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function detailsOf(info: ResourceInfo, name: string | null): Record<string, unknown> {
  return { ...(name === null ? {} : { name }), ...(info.group === '' ? {} : { group: info.group }), kind: info.resource };
}

/** 401: no token, or one the server does not accept. */
export function unauthorized(): StatusBody {
  return status(401, 'Unauthorized', 'Unauthorized');
}

/** 403, worded as the RBAC authorizer words it. */
export function forbidden(info: ResourceInfo, verb: KubeVerb, user: string, namespace: string | null, name: string | null): StatusBody {
  const subject = name === null ? qualifiedName(info) : `${qualifiedName(info)} "${name}"`;
  const scope = namespace === null ? 'at the cluster scope' : `in the namespace "${namespace}"`;
  return status(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${info.resource}" in API group "${info.group}" ${scope}`,
    detailsOf(info, name),
  );
}

/** 404 for an object that does not exist. */
export function notFound(info: ResourceInfo, name: string): StatusBody {
  return status(404, 'NotFound', `${qualifiedName(info)} "${name}" not found`, detailsOf(info, name));
}

/** 404 for a path the server does not serve. */
export function noSuchPath(): StatusBody {
  return status(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** 405 for anything but GET (the fake API is read-only). */
export function methodNotAllowed(): StatusBody {
  return status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

/** 400 for a query the server cannot parse. */
export function badRequest(message: string): StatusBody {
  return status(400, 'BadRequest', message);
}

/** 410 for a watch from a resourceVersion older than the history the server keeps (as the watch cache words it). */
export function expired(requested: number, oldest: number): StatusBody {
  return status(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

/** 410 for a list continue token whose snapshot is gone. */
export function continueExpired(): StatusBody {
  return status(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
  );
}

/** 504 for a watch from a resourceVersion the server has not reached. */
export function tooLargeResourceVersion(requested: number, current: number): StatusBody {
  return status(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: `Too large resource version` }],
    retryAfterSeconds: 1,
  });
}

/** 503 while the fake API simulates an unavailable server. */
export function unavailable(): StatusBody {
  return status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
}
