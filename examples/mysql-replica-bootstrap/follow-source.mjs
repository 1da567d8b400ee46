// The sidecar keeps its replica pointed at its source's current address. MariaDB connects to
// MASTER_HOST, an address here (in a cluster, the stable DNS name mysql-0.mysql would do, but
// this laptop's resolver does not know the fake cluster); when the source pod is re-created it
// comes back at a new address, and the discovery sees it there. On every membership change, and
// every few seconds while the replica's I/O thread is not connected, the sidecar checks: if its
// source is ready at another address *and still a primary*, it re-points replication there and
// resumes at its GTID position. A source that came back without its data is not followed: its
// binary log no longer holds what the replica needs.
import { askPeer, readServerState } from './server-state.mjs';
import { replicateFrom } from './replication.mjs';
import { withConnection } from './sql.mjs';

export function followSource({ discovery, admin, credentials, statefulSet, sidecarPort, log, periodMs = 1000, patienceMs = 3000 }) {
  const podAt = (address) => discovery.membership.peers.find((peer) => peer.addresses.includes(address))?.name ?? null;
  let running = null;
  let again = false;
  let lastNote = '';
  const note = (text) => text !== lastNote && log((lastNote = text));
  // A source that just came back is read-only for a moment, until its own sidecar makes it the
  // primary again: say that it is not followed only once that has lasted.
  let notPrimarySince = null;

  async function check() {
    await withConnection(admin, async (connection) => {
      const { replication, gtid } = await readServerState(connection, { statefulSet, podAt });
      if (!replication || replication.io === 'Yes') return;
      const source = discovery.membership.ready.find((peer) => peer.name === replication.source);
      if (!source || source.addresses[0] === replication.host) return; // gone, or the I/O thread's own retries will reach it
      const report = await askPeer(source, AbortSignal.any([discovery.signal, AbortSignal.timeout(3000)]), { sidecarPort }).catch(() => null);
      if (report?.primary !== source.name) {
        notPrimarySince ??= Date.now();
        if (Date.now() - notPrimarySince < patienceMs) return;
        return note(`${source.name}, my source, is back at ${source.addresses[0]} but is not a primary (${report?.role ?? 'no answer'}): not following it`);
      }
      notPrimarySince = null;
      await replicateFrom(connection, { host: source.addresses[0], port: source.port, credentials });
      note(`${source.name}, my source, moved ${replication.host} → ${source.addresses[0]}: replicating from there, resuming after ${gtid || 'the start'}`);
    });
  }

  const reconcile = () => {
    if (running) return void (again = true);
    running = (async () => {
      do {
        again = false;
        await check().catch((error) => discovery.signal.aborted || note(`could not check replication: ${error.message}`));
      } while (again && !discovery.signal.aborted);
      running = null;
    })();
  };
  discovery.on('change', reconcile);
  const timer = setInterval(reconcile, periodMs);
  timer.unref();
  reconcile();
  return {
    async stop() {
      clearInterval(timer);
      discovery.off('change', reconcile);
      await running;
    },
  };
}
