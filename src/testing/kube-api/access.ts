/**
 * Who may do what on the fake API: the bearer tokens it accepts (a set a test changes, as a
 * token rotation does) and the verbs it forbids (as a Role that lacks a rule does).
 *
 * @module
 */
import type { KubeResource } from './resources';
import type { KubeVerb } from './status';

/** A permission to take away: a resource, some verbs (default: all), in one namespace (default: all). */
export interface ForbidRule {
  /** `endpointslices`, `services` or `pods`. */
  readonly resource: KubeResource;
  /** The verbs forbidden. Default: `get`, `list` and `watch`. */
  readonly verbs?: readonly KubeVerb[];
  /** Only in this namespace. Default: everywhere. */
  readonly namespace?: string;
}

/** The tokens accepted and the rules taken away. */
export class Access {
  #tokens: string[];
  readonly #forbidden = new Set<ForbidRule>();

  constructor(token: string) {
    this.#tokens = [token];
  }

  /** The accepted tokens, oldest first. */
  get tokens(): readonly string[] {
    return this.#tokens;
  }

  /** Replace the accepted tokens. */
  accept(tokens: Iterable<string>): void {
    this.#tokens = [...new Set(tokens)];
  }

  /** Whether `token` is accepted. */
  accepts(token: string): boolean {
    return this.#tokens.includes(token);
  }

  /** Take a permission away until the returned function is called. */
  forbid(rule: ForbidRule): () => void {
    const own = { ...rule };
    this.#forbidden.add(own);
    return () => this.#forbidden.delete(own);
  }

  /** Whether a request is forbidden. */
  isForbidden(resource: string, verb: KubeVerb, namespace: string | null): boolean {
    for (const rule of this.#forbidden) {
      if (rule.resource !== resource) continue;
      if (rule.verbs && !rule.verbs.includes(verb)) continue;
      if (rule.namespace !== undefined && rule.namespace !== namespace) continue;
      return true;
    }
    return false;
  }
}
