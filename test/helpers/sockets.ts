/**
 * Counting this process's open sockets from the kernel's view (`/proc/self/fd`): it sees the
 * unref()'d sockets that `process.getActiveResourcesInfo()` leaves out.
 */
import { readdirSync, readlinkSync } from 'node:fs';

/** The number of socket file descriptors this process holds now. */
export function openSocketCount(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) count += 1;
    } catch {
      // The descriptor closed while we were reading the list.
    }
  }
  return count;
}

/** Resolve after a few turns of the event loop, so closes that were asked for have happened. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
