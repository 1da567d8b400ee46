/**
 * The examples must keep telling their story: run each one as its README says (against the
 * built package) and check what it prints — or, for the MariaDB example, what its databases held
 * (its --report); validate the Kubernetes manifests offline against the official schemas, plus
 * the fields the library and the example depend on.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const run = promisify(execFile);
const RUN_TIMEOUT_MS = 240_000;
// The MariaDB example takes about 35 s on an idle 2-core machine; the margin is for a loaded one.
const MYSQL_TIMEOUT_MS = 300_000;

async function runExample(...path: string[]): Promise<string> {
  expect(existsSync(join(root, 'dist', 'index.js')), 'the package is built (npm test builds it first)').toBe(true);
  const { stdout } = await run(process.execPath, [join(root, 'examples', ...path)], {
    cwd: root,
    timeout: RUN_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** The output split at the `── step` headers, keyed by the header's text. */
function sections(stdout: string): Map<string, string> {
  const found = new Map<string, string>();
  const parts = stdout.split(/^\[[^\]]*\] ── /m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    found.set(newline === -1 ? part : part.slice(0, newline), newline === -1 ? '' : part.slice(newline + 1));
  }
  return found;
}

function section(all: Map<string, string>, startsWith: string): string {
  const key = [...all.keys()].find((title) => title.startsWith(startsWith));
  expect(key, `a step titled "${startsWith}…"`).toBeDefined();
  return all.get(key ?? '') ?? '';
}

/** What run.mjs --report writes (the parts the test reads). */
interface MysqlReport {
  ok: boolean;
  error: string | null;
  cloneMethod: string;
  clusterId: string;
  dataRoot: string;
  promoted: string;
  checks: { step: string; what: string; ok: boolean }[];
  rowChecks: { step: string; expected: string[]; pods: Record<string, string[]> }[];
  latchChecks: { step: string; latches: Record<string, { kind: string; version: number; clusterId: string; podName: string | null; writtenAt: string }> }[];
  draining: { report: Record<string, unknown>; readiness: { status: number; body: string }; exits: Record<string, { code: number | null; signal: string | null } | null> };
  splits: { pod: string; winner: string; losers: string[]; losing: boolean }[];
  splitReadiness: { loser: { status: number; body: string }; winner: { status: number; body: string } };
  events: ({ pod: string; incarnation: number } & Record<string, unknown>)[];
  topology: { pod: string; role: string; replicatingFrom: string | null; replicationThreads: string | null; gtid: string; rows: number; clusterId: string }[];
}

/** The processes of process group `pgid` (a detached child and everything it started), from /proc. */
function processGroup(pgid: number): string[] {
  const members: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pgrp is the 3rd field after the command name in parentheses.
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
      if (Number(fields[2]) === pgid) members.push(`${entry} ${readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim()}`);
    } catch {
      // Gone while we looked.
    }
  }
  return members;
}

const startedGroups = new Set<number>();

/** SIGKILL every process still in the group; returns what was left. */
function killGroup(pgid: number): string[] {
  const left = processGroup(pgid);
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: nobody left.
  }
  startedGroups.delete(pgid);
  return left;
}

/**
 * Run an example in a process group of its own, so that whatever it starts (pod processes,
 * mariadbd, mariadb-backup) can be found, and killed, even if it fails or hangs.
 */
function runInOwnGroup(args: string[], timeoutMs: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; leftovers: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pgid = child.pid as number;
    startedGroups.add(pgid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n(the test killed the example after ${timeoutMs} ms)`;
      killGroup(pgid);
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, leftovers: killGroup(pgid) });
    });
  });
}

describe('examples/mysql-replica-bootstrap', () => {
  afterAll(() => {
    for (const pgid of startedGroups) killGroup(pgid);
  });

  // CI runs `npm test` on Node 20, 22, 24 and 26: the lines alternate between the two clone
  // methods, so both are exercised for the time of one run per line.
  const major = Number(process.versions.node.split('.')[0]);
  const cloneWith = Math.floor(major / 2) % 2 === 0 ? 'backup' : 'dump';

  it(
    `real MariaDB pods (clones with ${cloneWith}): the rows written on the primary are on every replica, through scaling, restarts, lost volumes, a draining pod, a failover and a split`,
    async () => {
      expect(existsSync(join(root, 'dist', 'index.js')), 'the package is built (npm test builds it first)').toBe(true);
      const scratch = mkdtempSync(join(tmpdir(), 'mysql-example-test-'));
      const reportPath = join(scratch, 'report.json');
      try {
        const example = join(root, 'examples', 'mysql-replica-bootstrap', 'run.mjs');
        const result = await runInOwnGroup([example, '--clone-with', cloneWith, '--report', reportPath], MYSQL_TIMEOUT_MS);
        expect(result.leftovers, 'no process the example started outlives it').toEqual([]);
        const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n');
        expect(result.code, `the example's exit code (signal ${result.signal}); its output ends with:\n${tail}`).toBe(0);
        const report = JSON.parse(readFileSync(reportPath, 'utf8')) as MysqlReport;
        expect(report.ok).toBe(true);
        expect(report.cloneMethod).toBe(cloneWith);
        expect(existsSync(report.dataRoot), 'the data dirs are removed').toBe(false);
        checkMysqlReport(report);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    MYSQL_TIMEOUT_MS + 30_000,
  );
});

/** Every claim of the example, from what its databases held and what its pods decided. */
function checkMysqlReport(report: MysqlReport): void {
  const { clusterId } = report;
  expect(clusterId).toMatch(/^c-[0-9a-f]{8}$/);

  // Rows: at every check, every pod's own database held exactly the rows written so far, and no
  // write was ever lost (each check's rows extend the previous ones).
  expect(report.rowChecks.map((check) => Object.keys(check.pods).length)).toEqual([3, 5, 5, 5, 5, 5, 5]);
  let before: string[] = [];
  for (const check of report.rowChecks) {
    expect(check.expected.slice(0, before.length), `${check.step}: earlier rows kept`).toEqual(before);
    expect(check.expected.length, `${check.step}: new rows or none`).toBeGreaterThanOrEqual(before.length);
    for (const [pod, rows] of Object.entries(check.pods)) expect(rows, `${check.step}: the rows on ${pod}`).toEqual(check.expected);
    before = check.expected;
  }
  expect(before).toHaveLength(30);
  expect(new Set(before.map((row) => row.split(':')[0])).size).toBe(30);

  // Decisions and clones, per pod incarnation (a pod re-created keeps its name, not its incarnation).
  const incarnations = new Map<string, number[]>();
  for (const event of report.events) {
    const list = incarnations.get(event.pod) ?? [];
    if (!list.includes(event.incarnation)) list.push(event.incarnation);
    incarnations.set(event.pod, list);
  }
  const of = (type: string, pod: string, nth: number): Record<string, unknown> | undefined =>
    report.events.find((event) => event.type === type && event.pod === pod && event.incarnation === incarnations.get(pod)?.[nth]);
  const decided = (pod: string, nth: number) => of('decision', pod, nth);

  expect(report.events.filter((event) => event.type === 'decision' && event.action === 'initialize').map((event) => event.pod)).toEqual(['mysql-0']);
  expect(decided('mysql-0', 0)).toMatchObject({ action: 'initialize', local: null, latched: null });
  for (const [pod, donor] of [['mysql-1', 'mysql-0'], ['mysql-2', 'mysql-1'], ['mysql-3', 'mysql-2'], ['mysql-4', 'mysql-3']] as const) {
    expect(decided(pod, 0), pod).toMatchObject({ action: 'join', clusterId, local: null, latched: null, cloneFrom: donor, replicateFrom: 'mysql-0' });
    expect(of('clone', pod, 0), pod).toMatchObject({ from: donor, method: report.cloneMethod });
  }
  // mysql-2 restarted with its volume: its latch and its data, no clone, it resumed.
  expect(decided('mysql-2', 1)).toMatchObject({ action: 'join', local: clusterId, latched: clusterId, cloneFrom: null, replicateFrom: 'mysql-0' });
  expect(of('clone', 'mysql-2', 1)).toBeUndefined();
  expect(of('role', 'mysql-2', 1)).toMatchObject({ role: 'replica', source: 'mysql-0' });
  expect(of('latch', 'mysql-2', 1)).toMatchObject({ clusterId, written: false });

  // mysql-3 was deleted and drained while mysql-4, without its volume, chose whom to clone from.
  expect(of('draining', 'mysql-3', 0)).toMatchObject({ via: 'preStop hook' });
  expect(report.draining.report).toMatchObject({ clusterId, draining: true });
  expect(report.draining.readiness.status).toBe(503);
  expect(report.draining.readiness.body).toMatch(/^not ready: .*draining/);
  expect(report.draining.exits, 'then it stopped cleanly: mariadbd and the sidecar exited with 0').toEqual({ mariadb: { code: 0, signal: null }, sidecar: { code: 0, signal: null } });
  expect(decided('mysql-4', 1)).toMatchObject({ action: 'join', local: null, latched: null, target: 'mysql-0', cloneFrom: 'mysql-2', replicateFrom: 'mysql-0' });
  expect(decided('mysql-4', 1)?.reason).toMatch(/mysql-3 is draining: never chosen/);
  expect(of('clone', 'mysql-4', 1)).toMatchObject({ from: 'mysql-2' });
  // No decision made from the moment mysql-3 drained until it came back names it.
  const drainedAt = report.events.indexOf(of('draining', 'mysql-3', 0) as (typeof report.events)[number]);
  const backAt = report.events.findIndex((event) => event.pod === 'mysql-3' && event.incarnation === incarnations.get('mysql-3')?.[1]);
  expect(drainedAt).toBeGreaterThan(-1);
  expect(backAt).toBeGreaterThan(drainedAt);
  const whileDraining = report.events.slice(drainedAt, backAt).filter((event) => event.type === 'decision');
  expect(whileDraining.map((event) => event.pod)).toEqual(['mysql-4']);
  for (const event of whileDraining) expect([event['target'], event['cloneFrom'], event['replicateFrom']]).not.toContain('mysql-3');
  // mysql-3 came back with its volume and its latch: no clone.
  expect(decided('mysql-3', 1)).toMatchObject({ action: 'join', local: clusterId, latched: clusterId, cloneFrom: null, replicateFrom: 'mysql-0' });
  expect(of('clone', 'mysql-3', 1)).toBeUndefined();

  // The primary restarted with its volume: it resumed from its latch, primary again.
  expect(decided('mysql-0', 1)).toMatchObject({ action: 'join', local: clusterId, latched: clusterId, cloneFrom: null, replicateFrom: null });
  expect(of('role', 'mysql-0', 1)).toMatchObject({ role: 'primary' });
  // The primary lost its volume (and its latch): it joined the existing cluster (cloned, no source), not a new one.
  const lost = decided('mysql-0', 2);
  expect(lost).toMatchObject({ action: 'join', clusterId, local: null, latched: null, replicateFrom: null });
  expect(lost?.cloneFrom).toMatch(/^mysql-[1-4]$/);
  expect(lost?.reason).toMatch(/failover/);
  expect(of('clone', 'mysql-0', 2)).toMatchObject({ from: lost?.cloneFrom });
  expect(of('role', 'mysql-0', 2)).toMatchObject({ role: 'read-only, no source', source: null });
  expect(of('latch', 'mysql-0', 2)).toMatchObject({ clusterId, written: true });

  // The formed latch: on every pod's volume once the cluster formed, and on all five at the end.
  expect(report.latchChecks.map((check) => Object.keys(check.latches))).toEqual([
    ['mysql-0', 'mysql-1', 'mysql-2'],
    ['mysql-0', 'mysql-1', 'mysql-2', 'mysql-3', 'mysql-4'],
  ]);
  for (const check of report.latchChecks) {
    for (const [pod, latch] of Object.entries(check.latches)) {
      expect(latch, `${check.step}: the latch of ${pod}`).toMatchObject({ kind: 'headless-discovery/formed-latch', version: 1, clusterId });
      expect(Number.isNaN(Date.parse(latch.writtenAt)), `${pod}'s writtenAt`).toBe(false);
    }
  }

  // Readiness (the library's createMemberReadiness on /ready): every pod incarnation that
  // bootstrapped answered 503 first, and 200 only once it had joined (after its latch was written).
  for (const [pod, list] of incarnations) {
    for (const incarnation of list.filter((nth) => report.events.some((event) => event.type === 'decision' && event.pod === pod && event.incarnation === nth))) {
      const mine = report.events.filter((event) => event.pod === pod && event.incarnation === incarnation);
      const answers = mine.filter((event) => event.type === 'readiness');
      const label = `${pod} (incarnation ${incarnation})`;
      expect(answers[0], label).toMatchObject({ status: 503, body: expect.stringMatching(/^not ready: /) });
      const firstReady = mine.findIndex((event) => event.type === 'readiness' && event.status === 200);
      expect(firstReady, `${label} became ready`).toBeGreaterThan(-1);
      expect(mine[firstReady]?.['body'], label).toMatch(new RegExp(`^ready: member of cluster ${clusterId}`));
      expect(mine.findIndex((event) => event.type === 'latch'), `${label}: latched before ready`).toBeLessThan(firstReady);
      expect(mine.findIndex((event) => event.type === 'latch'), `${label} confirmed its decision`).toBeGreaterThan(-1);
    }
  }

  // A second cluster, initialized by hand on mysql-5: every pod names the same winner and loser,
  // only mysql-5 is on the losing side, it steps down (read-only, 503), and once it is gone the
  // split heals on every other pod.
  expect(report.events.filter((event) => event.type === 'by hand').map((event) => event.pod)).toEqual(['mysql-5']);
  const second = of('latch', 'mysql-5', 0)?.['clusterId'];
  expect(second).toMatch(/^c-[0-9a-f]{8}$/);
  expect(second).not.toBe(clusterId);
  expect(report.splits.map((split) => split.pod).sort()).toEqual(['mysql-0', 'mysql-1', 'mysql-2', 'mysql-3', 'mysql-4', 'mysql-5']);
  for (const split of report.splits) expect(split, split.pod).toMatchObject({ winner: clusterId, losers: [second], losing: split.pod === 'mysql-5' });
  expect(of('stepped down', 'mysql-5', 0)).toMatchObject({ clusterId: second });
  expect(report.events.filter((event) => event.type === 'stepped down').map((event) => event.pod)).toEqual(['mysql-5']);
  expect(report.splitReadiness.loser).toMatchObject({ status: 503, body: expect.stringMatching(/^not ready: on the losing side of a split/) });
  expect(report.splitReadiness.winner.status).toBe(200);
  const steppedDownAt = report.events.findIndex((event) => event.type === 'stepped down');
  const healed = report.events.slice(steppedDownAt).filter((event) => event.type === 'healed').map((event) => event.pod);
  expect([...new Set(healed)].sort()).toEqual(['mysql-0', 'mysql-1', 'mysql-2', 'mysql-3', 'mysql-4']);

  // The end: one cluster, one primary (the promoted replica), everyone else replicating from it.
  expect(report.topology.map((row) => row.pod)).toEqual(['mysql-0', 'mysql-1', 'mysql-2', 'mysql-3', 'mysql-4']);
  for (const row of report.topology) {
    expect(row, row.pod).toMatchObject(
      row.pod === report.promoted
        ? { role: 'primary', replicatingFrom: null, clusterId, rows: 30 }
        : { role: 'replica', replicatingFrom: report.promoted, replicationThreads: 'io Yes, sql Yes', clusterId, rows: 30 },
    );
  }
  expect(new Set(report.topology.map((row) => row.gtid)).size).toBe(1);
  expect(report.checks.every((check) => check.ok)).toBe(true);
}

describe('examples/peer-mesh', () => {
  it(
    'keeps one connection to every ready peer as the StatefulSet scales 3 → 4 → 2',
    async () => {
      const stdout = await runExample('peer-mesh', 'run.mjs');
      const steps = sections(stdout);
      const sets = (text: string): string[] => text.match(/mesh-\d → \{[^}]*\}/g) ?? [];

      expect(sets(section(steps, 'scale to 3'))).toEqual([
        'mesh-0 → {mesh-1, mesh-2}',
        'mesh-1 → {mesh-0, mesh-2}',
        'mesh-2 → {mesh-0, mesh-1}',
      ]);
      expect(sets(section(steps, 'scale to 4'))).toEqual([
        'mesh-0 → {mesh-1, mesh-2, mesh-3}',
        'mesh-1 → {mesh-0, mesh-2, mesh-3}',
        'mesh-2 → {mesh-0, mesh-1, mesh-3}',
        'mesh-3 → {mesh-0, mesh-1, mesh-2}',
      ]);
      const down = section(steps, 'scale to 2');
      expect(sets(down)).toEqual(['mesh-0 → {mesh-1}', 'mesh-1 → {mesh-0}']);
      expect(down).toMatch(/mesh-[01]: leave mesh-[23] → disconnected/);
      expect(steps.has('done')).toBe(true);
    },
    RUN_TIMEOUT_MS + 30_000,
  );
});

describe('examples/mysql-replica-bootstrap/k8s', () => {
  const directory = join(root, 'examples', 'mysql-replica-bootstrap', 'k8s');
  const load = (file: string): unknown[] =>
    parseAllDocuments(readFileSync(join(directory, file), 'utf8')).map((document) => {
      expect(document.errors).toEqual([]);
      return document.toJS() as unknown;
    });

  it('service.yaml is a valid headless Service with the named port and publishNotReadyAddresses', () => {
    const documents = load('service.yaml');
    expect(documents).toHaveLength(1);
    const service = new Service(documents[0] as ConstructorParameters<typeof Service>[0]);
    expect(() => service.validate()).not.toThrow();
    expect(service.metadata?.name).toBe('mysql');
    expect(service.spec?.clusterIP).toBe('None');
    expect(service.spec?.publishNotReadyAddresses).toBe(true);
    expect(service.spec?.ports).toEqual([expect.objectContaining({ name: 'mysql', port: 3306, targetPort: 'mysql' })]);
  });

  it('statefulset.yaml runs pod.mjs as a native sidecar before mariadbd, with the downward API, the Secret, probes and a volume', () => {
    const [serviceDocument] = load('service.yaml');
    const service = new Service(serviceDocument as ConstructorParameters<typeof Service>[0]);
    const documents = load('statefulset.yaml');
    expect(documents).toHaveLength(1);
    const statefulSet = new StatefulSet(documents[0] as ConstructorParameters<typeof StatefulSet>[0]);
    expect(() => statefulSet.validate()).not.toThrow();

    const spec = statefulSet.spec;
    expect(spec?.serviceName).toBe(service.metadata?.name);
    expect(spec?.replicas).toBe(3);
    expect(spec?.podManagementPolicy).toBe('OrderedReady');
    const podLabels = spec?.template.metadata?.labels ?? {};
    expect(podLabels).toMatchObject(spec?.selector.matchLabels ?? { missing: 'selector' });
    expect(podLabels).toMatchObject(service.spec?.selector ?? { missing: 'selector' });
    const podSpec = spec?.template.spec;

    // The init + sidecar: pod.mjs, restarted like a container (a native sidecar), fed what it reads.
    const [sidecar, ...otherInits] = podSpec?.initContainers ?? [];
    expect(otherInits).toEqual([]);
    expect(sidecar?.restartPolicy).toBe('Always');
    expect(sidecar?.command).toEqual(['node', 'pod.mjs']);
    const env = new Map((sidecar?.env ?? []).map((variable) => [variable.name, variable]));
    expect(env.get('POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    expect(env.get('POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    expect(env.get('POD_IP')?.valueFrom?.fieldRef?.fieldPath).toBe('status.podIP');
    const user = env.get('REPLICATION_USER')?.valueFrom?.secretKeyRef;
    const password = env.get('REPLICATION_PASSWORD')?.valueFrom?.secretKeyRef;
    expect(user).toMatchObject({ key: 'username' });
    expect(password).toMatchObject({ name: user?.name, key: 'password' });
    const podScript = readFileSync(join(root, 'examples', 'mysql-replica-bootstrap', 'pod.mjs'), 'utf8');
    const readByPod = new Set([...podScript.matchAll(/\benv\.([A-Z_]+)/g)].map((match) => match[1]));
    const readByLibrary = ['POD_NAMESPACE'];
    for (const name of env.keys()) expect(readByPod.has(name) || readByLibrary.includes(name), `pod.mjs reads ${name}`).toBe(true);
    const sidecarPort = sidecar?.ports?.find((port) => port.name === 'sidecar')?.containerPort;
    expect(String(sidecarPort)).toBe(env.get('SIDECAR_PORT')?.value);
    expect(sidecar?.startupProbe?.httpGet).toMatchObject({ path: '/startup', port: 'sidecar' });
    expect(sidecar?.readinessProbe?.httpGet).toMatchObject({ path: '/ready', port: 'sidecar' });

    // The database: started from the configuration the sidecar wrote, ready when it answers.
    const containers = podSpec?.containers ?? [];
    expect(containers).toHaveLength(1);
    const [mariadb] = containers;
    const runDir = env.get('RUN_DIR')?.value;
    expect(mariadb?.command).toEqual(['mariadbd', `--defaults-file=${runDir}/my.cnf`]);
    expect(mariadb?.ports).toEqual([expect.objectContaining({ name: 'mysql', containerPort: Number(env.get('MYSQL_PORT')?.value) })]);
    expect(service.spec?.ports?.[0]?.targetPort).toBe('mysql');
    expect(mariadb?.readinessProbe?.exec?.command).toEqual(['mariadb-admin', `--socket=${runDir}/mysqld.sock`, 'ping']);
    // Deleting the pod drains it first: the database's preStop hook calls the sidecar's /drain
    // (a native sidecar's own SIGTERM comes only after the main container has exited), within a
    // grace period that leaves time for it.
    expect(mariadb?.lifecycle?.preStop?.httpGet).toEqual({ path: '/drain', port: sidecarPort });
    expect(podSpec?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);

    // Both mount the volume where the sidecar expects it, and share the run dir (socket, my.cnf).
    const claims = (spec?.volumeClaimTemplates ?? []).map((claim) => claim.metadata?.name);
    expect(claims).toEqual(['data']);
    expect(podSpec?.volumes).toEqual([{ name: 'run', emptyDir: {} }]);
    const mounts = [
      { name: 'data', mountPath: env.get('VOLUME')?.value },
      { name: 'run', mountPath: runDir },
    ];
    expect(sidecar?.volumeMounts).toEqual(mounts);
    expect(mariadb?.volumeMounts).toEqual(mounts);
  });
});
