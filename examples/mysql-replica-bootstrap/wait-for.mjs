// Waiting for a condition, never for a fixed time: poll `check` until it returns something truthy,
// give up at a generous deadline (a loaded 2-core machine is slow, not broken), and stop early
// when a pod crashed or the run was interrupted.
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitFor(description, check, { timeoutMs = 90_000, intervalMs = 150, signal, failure = () => null } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  for (;;) {
    signal?.throwIfAborted();
    const failed = failure();
    if (failed) throw new Error(`${failed}, while waiting until ${description}`);
    try {
      const value = await check();
      if (value) return value;
      lastError = null;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${description}${lastError ? ` (last error: ${lastError.message})` : ''}`);
    }
    await sleep(intervalMs, undefined, { signal });
  }
}
