// Leaving: what the sidecar does once its pod is going away.
//
// Draining comes first, while mariadbd still runs. In Kubernetes a native sidecar gets SIGTERM
// only after the main container has exited, so what starts it is the mariadb container's preStop
// hook (GET /drain on the sidecar), which the kubelet runs before it sends mariadbd SIGTERM; the
// sidecar's own SIGTERM drains too, when nothing did before.
//   1. discovery.drain(): this pod's report says `draining`, so no peer's bootstrap chooses it as
//      target, clone source or replication source; its readinessProbe (createMemberReadiness)
//      answers 503; a bootstrap in flight rejects with ERR_DRAINING; split checks stop;
//   2. no new clone is served, and the one being served is finished (its joiner would otherwise
//      start over from another donor).
// Then the database stops cleanly: mariadbd's own SIGTERM from the kubelet, or, when the sidecar
// got SIGTERM first, a SHUTDOWN statement on its socket.
import { withConnection } from './sql.mjs';
import { waitFor } from './wait-for.mjs';

/** Returns `drain(why)`: drains once (later calls return the same promise), resolves when drained. */
export function createDrain({ discovery, sidecar, status, log, send }) {
  let drained = null;
  return (why) => {
    drained ??= (async () => {
      status.cloneable = false;
      status.phase = 'draining';
      await discovery.drain();
      send({ type: 'draining', via: why });
      const clone = sidecar.cloneInFlight();
      if (clone) {
        log(`draining (${why}): finishing the clone it serves to ${clone.to}`);
        await clone.done;
      }
      log(`drained (${why}): it reports draining, so no peer chooses it; its readinessProbe answers 503`);
    })();
    return drained;
  };
}

/** Stop the local mariadbd cleanly (SHUTDOWN) if it still answers, and wait until it is gone. */
export async function stopDatabase(admin, { log, timeoutMs = 60_000 }) {
  const answers = () => withConnection(admin, (connection) => connection.ping()).then(() => true, () => false);
  if (!(await answers())) return;
  log('stopping mariadbd cleanly (SHUTDOWN)');
  await withConnection(admin, (connection) => connection.query('SHUTDOWN')).catch(() => undefined);
  await waitFor('mariadbd has stopped', async () => !(await answers()), { timeoutMs });
}
