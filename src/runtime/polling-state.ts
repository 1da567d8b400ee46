/**
 * `discovery.polling`: the scheduler's status (monotonic times) as wall-clock times for display.
 *
 * @module
 */
import type { PollingState } from './events';
import type { SchedulerStatus } from './scheduler';

/** `status` with its times moved by `offsetMs` (wall clock minus monotonic clock); no next poll once `closed`. */
export function pollingState(status: SchedulerStatus, offsetMs: number, closed: boolean): PollingState {
  const wall = (at: number | undefined): number | null => (at === undefined ? null : Math.round(at + offsetMs));
  return {
    inFlight: status.inFlight,
    lastStartedAt: wall(status.lastStartedAt),
    lastEndedAt: wall(status.lastEndedAt),
    nextAt: closed ? null : wall(status.nextAt),
  };
}
