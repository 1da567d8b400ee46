// A replicated MariaDB StatefulSet on a laptop, with headless-discovery making every bootstrap
// decision. A fake cluster DNS on loopback serves the headless Service `mysql`; each pod is a real
// mariadbd with its own data dir (its volume) on its own 127.244.x.y address, and a Node "init +
// sidecar" process (pod.mjs). The run writes rows on the primary and checks them on every
// replica, scales 3 → 5, restarts a replica and the primary with and without their volumes (and
// their formed latches), deletes a replica that drains while another pod chooses its clone
// source, and ends with a failover and the final topology. Exit code 0 only if every check held; every
// server is stopped and every data dir removed at the end, also on failure and on Ctrl-C.
//
//   node examples/mysql-replica-bootstrap/run.mjs [--clone-with backup|dump] [--report file.json]
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createFakeCluster } from 'headless-discovery/testing';
import { runCommand } from './command.mjs';
import { elapsed, say, step, warn } from './log.mjs';
import { runScenario } from './scenario.mjs';
import { createStatefulSet } from './statefulset.mjs';
import { INSTALL_HINT, locateTools } from './tools.mjs';
import { topologyTable } from './topology.mjs';

const NAME = 'mysql';
const { values: options } = parseArgs({ options: { 'clone-with': { type: 'string' }, report: { type: 'string' } } });

let located;
try {
  located = locateTools();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const { tools, cloneMethods } = located;
const cloneMethod = options['clone-with'] ?? cloneMethods[0];
if (!cloneMethods.includes(cloneMethod)) {
  console.error(`--clone-with ${cloneMethod}: ${cloneMethod === 'backup' ? `mariadb-backup is not installed. ${INSTALL_HINT}` : 'use backup or dump'}`);
  process.exit(1);
}

const report = { ok: false, interrupted: false, error: null, cloneMethod, steps: [], checks: [], rowChecks: [], latchChecks: [] };
const interrupted = new AbortController();
let statefulSet = null;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted.signal.aborted) {
      warn('interrupted again: killing every server');
      statefulSet?.killAll();
      process.exit(130);
    }
    warn(`${signal}: stopping every server and removing the data dirs (again to kill them at once)`);
    report.interrupted = true;
    interrupted.abort(new Error(`interrupted by ${signal}`));
  });
}
// Whatever happens, no mariadbd outlives this process.
process.on('exit', () => statefulSet?.killAll());

const root = await mkdtemp(join(tmpdir(), 'mysql-replica-bootstrap-'));
const cluster = await createFakeCluster({ podNetwork: 'loopback' });
let exitCode = 1;
try {
  const version = (await runCommand(tools.mariadbd, ['--version'])).trim();
  // The Secret of the manifests: the replication user every pod creates or receives.
  const credentials = { user: 'replicator', password: randomBytes(12).toString('hex') };
  const app = { user: 'app', password: randomBytes(12).toString('hex') };
  statefulSet = await createStatefulSet({
    cluster,
    name: NAME,
    root,
    tools,
    log: say,
    signal: interrupted.signal,
    podEnv: {
      REPLICATION_USER: credentials.user,
      REPLICATION_PASSWORD: credentials.password,
      CLONE_METHOD: cloneMethod,
      // A laptop can afford to poll and probe often; the defaults suit a cluster.
      DISCOVERY_INTERVAL_MS: '250',
      READINESS_PERIOD_MS: '500',
      SPLIT_CHECK_INTERVAL_MS: '1000',
      BOOTSTRAP_TIMEOUT_MS: '180000',
    },
  });
  say(`${version}`);
  say(`fake cluster DNS on ${cluster.nameserver}; headless Service "${NAME}", named port "mysql" → ${statefulSet.mysqlPort}, publishNotReadyAddresses: true`);
  say(`volumes and sockets under ${root}; clones with ${cloneMethod === 'backup' ? 'mariadb-backup, streamed' : 'mariadb-dump'}`);
  if (cloneMethods[0] === 'dump') say(`mariadb-backup is not installed: cloning with mariadb-dump instead. ${INSTALL_HINT}`);

  const topology = await runScenario({ statefulSet, name: NAME, app, credentials, report });
  report.topology = topology;
  step('final topology');
  console.log(topologyTable(topology));
  say(`every check held (${report.checks.length} checks, rows checked on every pod ${report.rowChecks.length} times)`);
  report.ok = true;
  exitCode = 0;
} catch (error) {
  report.error = error.message;
  warn(report.interrupted ? 'interrupted' : `FAILED: ${error.stack ?? error}`);
  exitCode = report.interrupted ? 130 : 1;
} finally {
  step('stopping every server and removing the data dirs');
  await statefulSet?.stopAll();
  await cluster.close();
  await rm(root, { recursive: true, force: true });
  say(`done in ${elapsed().toFixed(1)} s: ${exitCode === 0 ? 'every check held' : report.interrupted ? 'interrupted' : 'FAILED'}`);
  if (options.report) await writeFile(options.report, `${JSON.stringify({ ...report, dataRoot: root, events: statefulSet?.events ?? [], seconds: elapsed() }, null, 2)}\n`);
}
process.exit(exitCode);
