// The MySQL replica bootstrap tutorial, on a laptop: a fake cluster DNS on loopback serves a
// headless Service `mysql`, and each StatefulSet pod is a child process (pod.mjs) with its own
// 127.244.x.y address and data dir. Pods start one at a time, as a StatefulSet's default
// OrderedReady policy does. The run scales 3 → 5, restarts mysql-0 keeping its volume, then
// restarts it with an empty volume, and checks that there is one cluster. It ends by itself.
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createFakeCluster } from 'headless-discovery/testing';
import { askPod } from './probe-protocol.mjs';

const STEP_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;
const started = Date.now();
const clock = () => `[${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s]`;
const say = (text) => console.log(`${clock()} ${text}`);
const step = (text) => console.log(`\n${clock()} ── ${text}`);

const cluster = await createFakeCluster({ podNetwork: 'loopback' });
const port = await freePort('127.244.0.1');
const mysql = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port }], publishNotReadyAddresses: true });
const dataRoot = await mkdtemp(join(tmpdir(), 'mysql-replica-bootstrap-'));
const pods = new Map();
const served = [];
const changes = new EventEmitter();

const watchdog = setTimeout(() => {
  console.error(`${clock()} the run took too long; stopping`);
  for (const pod of pods.values()) pod.child.kill('SIGKILL');
  process.exit(1);
}, 10 * 60_000);
watchdog.unref();

try {
  say(`fake cluster DNS on ${cluster.nameserver}; headless Service "mysql", named port "mysql" → ${port}, publishNotReadyAddresses: true`);
  say(`data dirs (the PersistentVolumes) under ${dataRoot}`);

  step('create the StatefulSet with 3 replicas: mysql-0, mysql-1, mysql-2, one at a time');
  await startInOrder(0, 3);
  await everyPodSees(['mysql-0', 'mysql-1', 'mysql-2']);

  step('scale to 5 replicas: mysql-3 and mysql-4 clone from their predecessor and replicate from the primary');
  await startInOrder(3, 5);
  const all = ['mysql-0', 'mysql-1', 'mysql-2', 'mysql-3', 'mysql-4'];
  await everyPodSees(all);

  step('restart mysql-0, keeping its volume (a new pod, a new IP, the same data)');
  await restartSeed({ loseVolume: false });
  await everyPodSees(all);

  step('restart mysql-0 with an empty volume (the PersistentVolume was lost)');
  await restartSeed({ loseVolume: true });
  await everyPodSees(all);

  step('summary: what every pod answers on its port');
  const answers = [];
  for (const pod of pods.values()) {
    const answer = await askPod(pod.address, port);
    answers.push({ name: pod.name, ...answer });
    const source = answer.replicateFrom ? `, replicates from ${answer.replicateFrom}` : '';
    say(`${pod.name.padEnd(8)} ${answer.role.padEnd(8)} cluster ${answer.clusterId}${source}`);
  }
  const clusters = new Set(answers.map((answer) => answer.clusterId));
  const initialized = served.filter((decision) => decision.action === 'initialize').map((decision) => decision.clusterId);
  const problems = [];
  if (clusters.size !== 1) problems.push(`the pods report ${clusters.size} clusters: ${[...clusters].join(', ')}`);
  for (const clusterId of new Set([...clusters, ...initialized])) {
    const times = initialized.filter((id) => id === clusterId).length;
    if (times !== 1) problems.push(`cluster ${clusterId} was initialized ${times} times`);
  }
  if (problems.length > 0) throw new Error(`split brain: ${problems.join('; ')}`);
  say(`one cluster (${[...clusters][0]}), initialized once by ${served.find((decision) => decision.action === 'initialize').pod}, no split brain`);
  say(describeReplication(answers));

  step('done: stopping the pods');
  await Promise.all([...pods.keys()].map(stopPod));
} catch (error) {
  console.error(`${clock()} ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  for (const pod of pods.values()) if (pod.running) pod.child.kill('SIGKILL');
  await cluster.close();
  await rm(dataRoot, { recursive: true, force: true });
  clearTimeout(watchdog);
}

async function startInOrder(from, to) {
  for (let ordinal = from; ordinal < to; ordinal++) {
    mysql.scale(ordinal + 1);
    const pod = launch(`mysql-${ordinal}`);
    await until(`${pod.name} decides and serves`, () => pod.serving !== null);
  }
}

async function restartSeed({ loseVolume }) {
  await stopPod('mysql-0');
  const others = [...pods.values()].filter((pod) => pod.running);
  await until('the other pods see mysql-0 leave', () => others.every((pod) => !pod.ready.includes('mysql-0')));
  if (loseVolume) {
    await rm(join(dataRoot, 'mysql-0'), { recursive: true, force: true });
    say('mysql-0: volume deleted');
  }
  mysql.restart('mysql-0');
  const pod = launch('mysql-0');
  await until('mysql-0 decides and serves', () => pod.serving !== null);
}

function launch(name) {
  const address = mysql.pods.find((candidate) => candidate.name === name).addresses[0];
  const child = fork(join(import.meta.dirname, 'pod.mjs'), [], {
    env: {
      ...process.env,
      POD_NAME: name,
      POD_NAMESPACE: 'default',
      POD_IP: address,
      MYSQL_PORT: String(port),
      DATA_DIR: join(dataRoot, name),
      HEADLESS_DISCOVERY_NAMESERVERS: cluster.nameserver,
      CLUSTER_DOMAIN: cluster.clusterDomain,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const pod = { name, address, child, running: true, stopping: false, serving: null, ready: [] };
  pod.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => say(`${name}: ${line}`));
  }
  child.on('message', (message) => {
    if (message.type === 'serving') {
      pod.serving = message;
      served.push(message);
    }
    if (message.type === 'membership') pod.ready = message.ready;
    changes.emit('change');
  });
  child.once('exit', (code, signal) => {
    pod.running = false;
    if (!pod.stopping) say(`${name}: exited unexpectedly (${signal ?? `code ${code}`})`);
    changes.emit('change');
  });
  say(`${name}: pod created at ${address}`);
  pods.set(name, pod);
  return pod;
}

async function stopPod(name) {
  const pod = pods.get(name);
  if (!pod?.running) return;
  pod.stopping = true;
  pod.child.kill('SIGTERM');
  const timer = setTimeout(() => pod.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  const { code, signal } = await pod.exited;
  clearTimeout(timer);
  say(`${name}: stopped (${signal ?? `exit code ${code}`})`);
}

function everyPodSees(names) {
  const expected = [...names].sort().join(',');
  return until(`every pod sees ${names.join(', ')} ready`, () =>
    [...pods.values()].every((pod) => !pod.running || [...pod.ready].sort().join(',') === expected),
  );
}

function until(description, predicate) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const crashed = [...pods.values()].find((pod) => !pod.running && !pod.stopping);
      if (crashed) return finish(() => reject(new Error(`${crashed.name} exited while waiting until ${description}`)));
      if (predicate()) finish(resolve);
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting until ${description}`))), STEP_TIMEOUT_MS);
    const finish = (settle) => {
      clearTimeout(timer);
      changes.off('change', check);
      settle();
    };
    changes.on('change', check);
    check();
  });
}

function describeReplication(answers) {
  const byName = new Map(answers.map((answer) => [answer.name, answer]));
  const primaries = answers.filter((answer) => answer.role === 'primary').map((answer) => answer.name);
  const loops = new Set();
  for (const answer of answers) {
    const chain = [answer.name];
    let current = answer;
    while (current?.replicateFrom && !chain.includes(current.replicateFrom)) {
      chain.push(current.replicateFrom);
      current = byName.get(current.replicateFrom);
    }
    if (!current?.replicateFrom) continue;
    const loop = chain.slice(chain.indexOf(current.replicateFrom));
    const first = loop.indexOf([...loop].sort()[0]);
    const rotated = [...loop.slice(first), ...loop.slice(0, first)];
    loops.add([...rotated, rotated[0]].join(' → '));
  }
  if (primaries.length === 1 && loops.size === 0) return `replication: one primary (${primaries[0]}), every replica's chain of sources reaches it`;
  const loopText = loops.size > 0 ? `; replication loop ${[...loops].join(', ')}` : '';
  return `replication: ${primaries.length === 0 ? 'no primary' : `primaries ${primaries.join(', ')}`}${loopText} — bootstrap does not fail over: after the primary's volume is lost, promoting a new primary is up to the operator`;
}

function freePort(host) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => {
      if (error.code === 'EADDRNOTAVAIL') {
        error.message = `cannot listen on ${host}: the pods need the 127.244.0.0/16 loopback range (every 127/8 address is local on Linux; on macOS add aliases with \`sudo ifconfig lo0 alias 127.244.0.N\`)`;
      }
      reject(error);
    });
    probe.listen(0, host, () => {
      const { port: chosen } = probe.address();
      probe.close(() => resolve(chosen));
    });
  });
}
