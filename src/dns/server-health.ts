/**
 * Which nameservers answered lately. A server that timed out or could not be reached is asked
 * after the ones that answer, until {@link SERVER_RECHECK_MS} have passed; then it is asked first
 * again, once, and demoted again if it is still dead. So a dead first nameserver costs one timeout
 * per recheck period, not one per lookup (resolv.conf order otherwise, as glibc reads it; c-ares
 * reorders its servers the same way). Shared by every resolver in the process.
 *
 * @module
 */

/** How long a server that failed is asked last. */
export const SERVER_RECHECK_MS = 30_000;

/** The health of nameservers, by label (`ip:port`). */
export class ServerHealth {
  /** Label → when (performance.now) the server may be asked first again. */
  readonly #demotedUntil = new Map<string, number>();

  /** `servers` in the order to try them at `now`: the ones not demoted in their order, then the demoted ones. */
  order<T extends { readonly label: string }>(servers: readonly T[], now: number): readonly T[] {
    if (this.#demotedUntil.size === 0) return servers;
    const healthy: T[] = [];
    const demoted: T[] = [];
    for (const server of servers) {
      const until = this.#demotedUntil.get(server.label);
      if (until !== undefined && until > now) demoted.push(server);
      else healthy.push(server);
    }
    return demoted.length === 0 ? servers : [...healthy, ...demoted];
  }

  /** The server timed out or could not be reached. */
  failed(label: string, now: number, recheckMs: number): void {
    this.#demotedUntil.set(label, now + recheckMs);
  }

  /** The server answered (whatever the RCODE): it is alive. */
  answered(label: string): void {
    this.#demotedUntil.delete(label);
  }
}

/** The health every resolver of this process shares. */
export const processServerHealth = new ServerHealth();
