/**
 * Which questions are too large for UDP: after a truncated UDP answer, the same question to the
 * same server goes straight to TCP (one round trip instead of two), with UDP tried again every
 * {@link UDP_RECHECK_EVERY} lookups in case the answer shrank. The memory is shared by every
 * resolver in the process, so a fresh `discover()` does not pay UDP → TC → TCP again.
 *
 * @module
 */

/** After a truncated UDP answer, this many lookups of the same question go straight to TCP. */
export const UDP_RECHECK_EVERY = 10;
/** At most this many questions are remembered as "too large for UDP". */
const MAX_REMEMBERED = 1024;

/** The questions whose last UDP answer was truncated, per server, and how often TCP was used since. */
export class TcpFirst {
  readonly #since = new Map<string, number>();

  /** True when this question should go to this server over TCP without trying UDP first. */
  take(key: string): boolean {
    const count = this.#since.get(key);
    if (count === undefined || count >= UDP_RECHECK_EVERY) return false;
    this.#since.set(key, count + 1);
    return true;
  }

  /** The UDP answer to this question was (`true`) or was not truncated. */
  record(key: string, truncated: boolean): void {
    if (!truncated) {
      this.#since.delete(key);
      return;
    }
    if (this.#since.size >= MAX_REMEMBERED && !this.#since.has(key)) this.#since.clear();
    this.#since.set(key, 0);
  }

  /** Going straight to TCP failed: ask over UDP again next time. */
  forget(key: string): void {
    this.#since.delete(key);
  }
}

/** The memory every resolver of this process shares. */
export const processTcpFirst = new TcpFirst();
