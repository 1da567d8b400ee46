/**
 * Who a service-account token belongs to, read from its JWT payload (`sub`:
 * `system:serviceaccount:<namespace>:<name>`), for messages only: the token is not verified
 * here, the API server does that.
 *
 * @module
 */
import { subjectOf, type ApiSubject } from './rbac';

/** The subject a token names, or `undefined` when it is not a readable JWT. */
export function tokenSubject(token: string): ApiSubject | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined || payload.length > 16_384) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' && claims.sub.length > 0 && claims.sub.length <= 512 ? subjectOf(claims.sub) : undefined;
  } catch {
    return undefined;
  }
}
