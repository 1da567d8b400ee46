/**
 * Which questions are too large for UDP: after a truncated UDP answer, the same question to the
 * same server goes straight to TCP (one message instead of two). It goes back to UDP once a TCP
 * answer would have fit in a UDP one (the answer shrank). A server that truncates even answers
 * that fit (some do, to make clients prove their address) is kept on TCP, with UDP tried again
 * every {@link UDP_RECHECK_EVERY} lookups. The memory is shared by every resolver in the process,
 * so a fresh `discover()` does not pay UDP → TC → TCP again.
 *
 * @module
 */
import { EDNS_UDP_PAYLOAD_SIZE } from './message';

/** For a server that truncates answers that would fit, this many lookups go straight to TCP before UDP is tried again. */
export const UDP_RECHECK_EVERY = 10;
/** At most this many questions are remembered as "too large for UDP". */
const MAX_REMEMBERED = 1024;

interface Entry {
  /** The server truncated an answer that would have fit: size says nothing, count instead. */
  readonly sticky: boolean;
  /** Lookups over TCP first since the last UDP try. */
  since: number;
}

/** The questions whose last UDP answer was truncated, per server. */
export class TcpFirst {
  readonly #entries = new Map<string, Entry>();

  /** True when this question should go to this server over TCP without trying UDP first. */
  take(key: string): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    if (entry.sticky && entry.since >= UDP_RECHECK_EVERY) return false;
    entry.since += 1;
    return true;
  }

  /** A UDP answer came back, truncated or not. */
  record(key: string, truncated: boolean): void {
    if (!truncated) {
      this.#entries.delete(key);
      return;
    }
    if (this.#entries.size >= MAX_REMEMBERED && !this.#entries.has(key)) this.#entries.clear();
    this.#entries.set(key, { sticky: false, since: 0 });
  }

  /**
   * A TCP answer of `size` bytes came back, after a truncated UDP answer (`afterTruncation`) or
   * straight away. One that would have fit in UDP means the answer shrank (back to UDP next
   * time), or, right after a truncated UDP answer, that the server truncates regardless.
   */
  answeredOverTcp(key: string, size: number, afterTruncation: boolean): void {
    if (size > EDNS_UDP_PAYLOAD_SIZE) return;
    const entry = this.#entries.get(key);
    if (afterTruncation) this.#entries.set(key, { sticky: true, since: 0 });
    else if (entry && !entry.sticky) this.#entries.delete(key);
  }

  /** Going straight to TCP failed: ask over UDP again next time. */
  forget(key: string): void {
    this.#entries.delete(key);
  }
}

/** The memory every resolver of this process shares. */
export const processTcpFirst = new TcpFirst();
