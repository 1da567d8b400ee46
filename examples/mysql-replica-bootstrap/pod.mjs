// One MariaDB pod's "init + sidecar": a native sidecar container (an init container with
// `restartPolicy: Always`) next to the mariadb container, using headless-discovery for every
// decision. It runs the same here (a child process of run.mjs) and in Kubernetes (k8s/).
//
// init     1. read the volume: does it hold data of a cluster (`local`)?
//          2. discovery.bootstrap({ probe, local, latch }): read the formed latch on the volume,
//             wait for a stable membership, ask every ready peer's sidecar which cluster its
//             database is in and who its primary is, and decide (a pod with a latch never
//             initializes again);
//          3. do what the decision says: initialize (mariadb-install-db, the cluster's identity,
//             the replication user), clone from `cloneFrom` (mariadb-backup streamed, or a dump),
//             or keep the data it has; write mariadbd's configuration;
//          4. report "started" on /startup: the mariadb container starts now.
// sidecar  5. once mariadbd answers, apply the role: primary (writable), replica of
//             `replicateFrom` (CHANGE MASTER TO … MASTER_USE_GTID = slave_pos), or read-only with
//             no source when the decision says a failover must come first; then confirm() the
//             decision, which writes the formed latch: only now is its readinessProbe (the
//             library's createMemberReadiness) ready;
//          6. serve its report and clones to peers, follow its source when it moves, and step
//             down if the split checks put it on the losing side of a split (split.mjs);
//          7. when the pod goes away (the preStop hook's GET /drain, or SIGTERM): drain first,
//             then stop (drain.mjs).
//
// Environment: POD_NAME, POD_NAMESPACE, POD_IP, MYSQL_PORT, SIDECAR_PORT, VOLUME (the data
// volume's mount), RUN_DIR (an emptyDir shared with the mariadb container: socket, my.cnf),
// REPLICATION_USER and REPLICATION_PASSWORD (the Secret), optionally CLONE_METHOD (backup or dump),
// DISCOVERY_INTERVAL_MS, READINESS_PERIOD_MS, SPLIT_CHECK_INTERVAL_MS, BOOTSTRAP_TIMEOUT_MS, and
// on a laptop HEADLESS_DISCOVERY_NAMESERVERS and CLUSTER_DOMAIN (in a pod both come from
// resolv.conf). INITIALIZE_BY_HAND=1 is the operator's mistake the laptop run plays: never set it.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createDiscovery, createMemberReadiness, FormedLatch } from 'headless-discovery';
import { cloneFrom } from './clone.mjs';
import { createDrain, stopDatabase } from './drain.mjs';
import { followSource } from './follow-source.mjs';
import { initializeDataDir } from './initialize.mjs';
import { actAsPrimary, adoptClonePosition, replicateFrom, stayReadOnly } from './replication.mjs';
import { serverOptions, writeServerConfig } from './server-config.mjs';
import { askPeer, databaseAnswers, ownReport, readServerState } from './server-state.mjs';
import { startSidecarServer } from './sidecar-http.mjs';
import { handleSplits } from './split.mjs';
import { adminConnection, waitUntilAnswering, withConnection } from './sql.mjs';
import { locateTools } from './tools.mjs';
import { clearPendingPosition, commitDataDir, dataDirOf, incomingDirOf, latchFileOf, readLocalState, readPendingPosition } from './volume.mjs';

const env = process.env;
const podName = env.POD_NAME;
const [, statefulSet, ordinalText] = /^(.+)-(\d+)$/.exec(podName ?? '') ?? [];
if (!statefulSet) throw new Error(`POD_NAME must be <statefulset>-<ordinal>, not ${podName}`);
const ordinal = Number(ordinalText);
const volume = env.VOLUME ?? '/var/lib/mysql';
const runDir = env.RUN_DIR ?? '/run/mysqld';
const mysqlPort = Number(env.MYSQL_PORT ?? 3306);
const sidecarPort = Number(env.SIDECAR_PORT ?? 3307);
const credentials = { user: env.REPLICATION_USER ?? 'replicator', password: env.REPLICATION_PASSWORD ?? '' };
const runAsRoot = process.getuid?.() === 0;
const admin = adminConnection(join(runDir, 'mysqld.sock'));
const { tools, cloneMethods } = locateTools();
const cloneMethod = env.CLONE_METHOD || cloneMethods[0];
// Skip bootstrap() and initialize a cluster of its own, as someone running the init by hand would:
// the split checks are then what finds the second cluster.
const byHand = env.INITIALIZE_BY_HAND === '1';
const say = (text) => console.log(text);
const send = (message) => process.send?.({ pod: podName, ...message });

const status = { phase: 'deciding', started: false, cloneable: false };
const stopping = new AbortController();
const answers = new Map(); // what each peer answered the probe, for the log
let follower = null;
let sidecar = null;
let drain = null;
process.on('SIGTERM', () => shutDown('SIGTERM'));
process.on('disconnect', () => shutDown('run.mjs went away')); // a laptop-only case
process.on('SIGINT', () => undefined); // Ctrl-C reaches every process of the terminal: run.mjs stops the pod in order

const discovery = createDiscovery({
  service: env.SERVICE ?? statefulSet,
  port: 'mysql',
  clusterDomain: env.CLUSTER_DOMAIN || undefined,
  intervalMs: Number(env.DISCOVERY_INTERVAL_MS ?? 2000),
  // Peers are listed before they are ready (publishNotReadyAddresses): ready = its database answers.
  readiness: {
    check: (peer, signal) => databaseAnswers(peer, signal, { credentials }),
    periodMs: Number(env.READINESS_PERIOD_MS ?? 2000),
    timeoutMs: 2000,
    failureThreshold: 2,
  },
});
discovery.on('error', (error) => say(`discovery: ${error.code}: ${error.message}`));
const podAt = (address) => discovery.membership.peers.find((peer) => peer.addresses.includes(address))?.name ?? null;

// This pod's own report, in memory: the cluster once it has joined (role applied), and whether it
// is draining. The readinessProbe and the split checks read it; peers get the database's view on
// GET /report.
const own = { clusterId: null };
const report = () => ({ ...(own.clusterId ? { clusterId: own.clusterId } : {}), draining: discovery.draining });
const readiness = createMemberReadiness(discovery, { report });
sidecar = await startSidecarServer({
  address: env.POD_IP,
  port: sidecarPort,
  status,
  readiness,
  report: () => ownReport(admin, { podName, statefulSet, podAt, draining: discovery.draining }),
  drain: () => drain('preStop hook'),
  cloneContext: { tools, methods: cloneMethods, socketPath: admin.socketPath, dataDir: dataDirOf(volume) },
  log: say,
});
drain = createDrain({ discovery, sidecar, status, log: say, send });

try {
  // ── init ──────────────────────────────────────────────────────────────────────────────
  const local = await readLocalState(volume);
  say(local ? `volume holds data of cluster ${local.clusterId} (${local.origin})` : 'volume is empty');
  const decision = byHand ? await initializeByHand(local) : await decide(local);
  const clusterId = await prepareDataDir(decision, local);
  await writeServerConfig(
    join(runDir, 'my.cnf'),
    serverOptions({ podName, ordinal, address: env.POD_IP, port: mysqlPort, dataDir: dataDirOf(volume), runDir, runAsRoot }),
  );
  status.started = true;
  status.phase = 'waiting for mariadbd';

  // ── sidecar ───────────────────────────────────────────────────────────────────────────
  await waitUntilAnswering(admin, { signal: stopping.signal, timeoutMs: 120_000, what: 'mariadbd' });
  const role = await applyRole(decision, clusterId, local);
  own.clusterId = clusterId;
  // Joined: record it on the volume. Until this resolves the readinessProbe says "not confirmed".
  const latched = await decision.confirm(clusterId);
  if (!decision.latched) say(`formed latch written: member of cluster ${latched.clusterId}; this pod never initializes again`);
  send({ type: 'latch', clusterId: latched.clusterId, written: !decision.latched });
  if (!discovery.draining) {
    status.cloneable = true;
    status.phase = role;
  }
  // Also for a primary, or a pod without a source: a failover may make either a replica later.
  follower = followSource({ discovery, admin, credentials, statefulSet, sidecarPort, log: say });
  handleSplits({ discovery, own, admin, status, log: say, send });
  if (byHand) discovery.watchSplits({ probe, report, intervalMs: Number(env.SPLIT_CHECK_INTERVAL_MS ?? 30_000) });
  logMembershipChanges();
} catch (error) {
  if (discovery.draining && !stopping.signal.aborted) {
    say(`stopped before joining: draining (${error.code ?? error.message})`);
  } else if (!stopping.signal.aborted) {
    say(`failed: ${error.message}`);
    await discovery.close();
    await sidecar.close();
    process.exit(1);
  }
}

/** The bootstrap probe (and the split checks'): ask a peer's sidecar; remember the answer for the log. */
async function probe(peer, signal) {
  try {
    const answer = await askPeer(peer, signal, { sidecarPort });
    const primary = answer.primary && answer.primary !== peer.name ? ` of ${answer.primary}` : '';
    answers.set(peer.name, `${answer.clusterId ? `cluster ${answer.clusterId}, ${answer.role}${primary}` : 'no cluster'}${answer.draining ? ', draining' : ''}`);
    return answer;
  } catch (error) {
    answers.set(peer.name, `no answer (${error.code ?? error.message})`);
    throw error;
  }
}

/** Steps 1-2: ask the library what to do, logging why it waits and what the peers answered. */
async function decide(local) {
  answers.clear();
  let waiting = '';
  const decision = await discovery.bootstrap({
    probe,
    probeTimeoutMs: 3000,
    local: local ? { clusterId: local.clusterId } : null,
    // On the data volume: lost exactly when the data is. Unreadable or damaged, it fails the
    // bootstrap (ERR_LATCH_*) instead of being read as "no latch".
    latch: new FormedLatch(latchFileOf(volume)),
    report,
    splitCheck: { intervalMs: Number(env.SPLIT_CHECK_INTERVAL_MS ?? 30_000) },
    timeoutMs: Number(env.BOOTSTRAP_TIMEOUT_MS ?? 10 * 60_000),
    signal: stopping.signal,
    onWait: (pending) => pending.reason !== waiting && say(`waiting: ${(waiting = pending.reason)}`),
  });
  say(decision.latched ? `formed latch: member of cluster ${decision.latched.clusterId} since ${decision.latched.writtenAt}` : 'no formed latch on the volume');
  const asked = discovery.membership.ready.filter((peer) => !peer.self && answers.has(peer.name));
  say(`asked ${asked.length === 0 ? 'nobody (no other pod is ready)' : asked.map((peer) => `${peer.name} (${answers.get(peer.name)})`).join(', ')}`);
  const name = (peer) => peer?.name ?? null;
  const summary = { action: decision.action, clusterId: decision.clusterId, target: name(decision.target), cloneFrom: name(decision.cloneFrom), replicateFrom: name(decision.replicateFrom) };
  say(`decision: ${decision.action}${Object.entries(summary).slice(1).map(([key, value]) => (value ? `, ${key} ${value}` : '')).join('')}`);
  say(`  why: ${decision.reason}`);
  send({ type: 'decision', ...summary, reason: decision.reason, local: local?.clusterId ?? null, latched: decision.latched?.clusterId ?? null });
  return decision;
}

/** The operator's mistake (INITIALIZE_BY_HAND=1): a decision to initialize that nobody checked. */
async function initializeByHand(local) {
  if (local) throw new Error('INITIALIZE_BY_HAND=1 needs an empty volume');
  await discovery.start();
  say('INITIALIZE_BY_HAND=1: initializing a cluster of its own, without bootstrap(), asking nobody');
  send({ type: 'by hand' });
  const latch = new FormedLatch(latchFileOf(volume));
  return { action: 'initialize', clusterId: null, target: null, cloneFrom: null, replicateFrom: null, reason: 'initialized by hand', latched: null, confirm: (clusterId) => latch.write(clusterId, { podName }) };
}

/** Step 3: make the volume hold the cluster's data; returns the cluster id. */
async function prepareDataDir(decision, local) {
  if (local) {
    say(`keeping its data: no clone (mariadbd resumes from the GTID position in it)`);
    return local.clusterId;
  }
  const incoming = incomingDirOf(volume);
  if (decision.action === 'initialize') {
    status.phase = 'initializing';
    const clusterId = `c-${randomBytes(4).toString('hex')}`;
    await initializeDataDir({ dataDir: incoming, clusterId, podName, replication: credentials, tools, runAsRoot });
    await commitDataDir(volume, { clusterId, origin: `initialized by ${podName}` });
    say(`initialized cluster ${clusterId}: mariadb-install-db, meta.cluster, replication user ${credentials.user}`);
    return clusterId;
  }
  const donor = decision.cloneFrom;
  if (!donor) throw new Error(`the decision is to join, but names nobody to clone from: ${decision.reason}`);
  status.phase = `cloning from ${donor.name}`;
  const started = Date.now();
  const { gtid } = await cloneFrom(donor, {
    method: cloneMethod,
    sidecarPort,
    requester: podName,
    tools,
    dataDir: incoming,
    runDir,
    runAsRoot,
    signal: stopping.signal,
    onWait: (why) => say(`waiting for ${donor.name} to serve a clone: ${why}`),
  });
  await commitDataDir(volume, { clusterId: decision.clusterId, origin: `cloned from ${donor.name} with ${cloneMethod}` }, { gtid, from: donor.name });
  const ms = Date.now() - started;
  say(`cloned from ${donor.name} with mariadb-${cloneMethod} in ${(ms / 1000).toFixed(1)} s, at GTID ${gtid || '(none yet)'}`);
  send({ type: 'clone', from: donor.name, method: cloneMethod, gtid, ms });
  return decision.clusterId;
}

/** Step 5: primary, replica, or read-only without a source — as the decision says. */
async function applyRole(decision, clusterId, local) {
  return withConnection(admin, async (connection) => {
    const state = await readServerState(connection, { statefulSet, podAt });
    if (state.clusterId !== clusterId) throw new Error(`the data dir holds cluster ${state.clusterId}, not ${clusterId}: refusing to serve it`);
    const pending = await readPendingPosition(volume);
    if (pending) await adoptClonePosition(connection, pending.gtid);
    const source = decision.replicateFrom;
    let role;
    const isSeed = discovery.membership.seedHost.split('.')[0] === podName;
    if (decision.action === 'initialize' || (local && !source && isSeed)) {
      await actAsPrimary(connection);
      role = 'primary';
      say(`primary of cluster ${clusterId}: writable`);
    } else if (source) {
      await replicateFrom(connection, { host: source.addresses[0], port: source.port, credentials });
      role = 'replica';
      say(`replicating from ${source.name} (${source.addresses[0]}:${source.port}), GTID after ${pending ? pending.gtid || 'the start' : state.gtid || 'the start'}`);
    } else {
      await stayReadOnly(connection);
      role = 'read-only, no source';
      say(`read-only, replicating from nobody, as the decision says: ${decision.reason}`);
    }
    if (pending) await clearPendingPosition(volume);
    send({ type: 'role', role, source: source?.name ?? null });
    return role;
  });
}

function logMembershipChanges() {
  discovery.on('join', (peer) => peer.self || say(`sees ${peer.name} ready at ${peer.addresses.join(', ')}`));
  discovery.on('leave', (peer) => peer.self || say(`sees ${peer.name} leave`));
}

/** SIGTERM: drain first (unless the preStop hook did), then stop the database cleanly, then exit. */
async function shutDown(why) {
  if (stopping.signal.aborted) return;
  stopping.abort(new Error(why));
  await drain?.(why).catch((error) => say(`drain: ${error.message}`));
  await follower?.stop();
  await stopDatabase(admin, { log: say }).catch((error) => say(`could not stop mariadbd: ${error.message}`));
  await discovery.close();
  await sidecar?.close();
  process.exit(0);
}
