// After formation, bootstrap()'s split checks keep asking the ready peers which cluster they are
// in (the same probe, GET /report). If two clusters exist anyway (an operator initialized one by
// hand, a seed lost its volume while its peers were down), every pod names the same loser: the
// group without the seed. This pod logs it; on the losing side it steps down, as the library's
// docs recommend: read-only (a losing primary takes no more writes), no clones served (nobody
// copies the losing data), and its readinessProbe answers 503 by itself (createMemberReadiness
// reads discovery.split). Its data is left alone: wiping the volume (the pod then clones and
// rejoins the winner) or merging it is the operator's call.
import { stayReadOnly } from './replication.mjs';
import { withConnection } from './sql.mjs';

export function handleSplits({ discovery, own, admin, status, log, send }) {
  let steppedDown = false;
  discovery.on('split', (split, previous) => {
    const losing = split.losers.some((group) => group.clusterId === own.clusterId);
    // Emitted after every check until it heals: said once.
    if (!previous) {
      log(`split detected: ${split.reason}`);
      send({ type: 'split', winner: split.winner.clusterId, losers: split.losers.map((group) => group.clusterId), losing });
    }
    if (!losing || steppedDown) return;
    steppedDown = true;
    status.cloneable = false;
    status.phase = 'stepped down: on the losing side of a split';
    withConnection(admin, stayReadOnly).then(
      () => {
        log(`on the losing side (cluster ${own.clusterId} loses to ${split.winner.clusterId}): stepped down, read-only, no clones, not ready`);
        send({ type: 'stepped down', clusterId: own.clusterId });
      },
      (error) => log(`could not step down: ${error.message}`),
    );
  });
  discovery.on('healed', (previous) => {
    log(`split healed: one cluster again (${previous.winner.clusterId})`);
    send({ type: 'healed' });
  });
}
