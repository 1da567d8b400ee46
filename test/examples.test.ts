/**
 * The examples must keep telling their story: run each one as its README says (against the
 * built package) and check what it prints; validate the Kubernetes manifests offline against
 * the official schemas, plus the fields the library depends on.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const run = promisify(execFile);
const RUN_TIMEOUT_MS = 240_000;

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

describe('examples/mysql-replica-bootstrap', () => {
  it(
    'forms one cluster: the seed initializes once, joiners clone from N-1, a restarted seed resumes, a seed without its volume rejoins',
    async () => {
      const stdout = await runExample('mysql-replica-bootstrap', 'run.mjs');
      const steps = sections(stdout);

      const initializations = [...stdout.matchAll(/\b(mysql-\d+): initialize as primary \(cluster (c-[0-9a-f]+)\)/g)];
      expect(initializations.map((match) => match[1])).toEqual(['mysql-0']);
      const clusterId = initializations[0]?.[2] ?? '';
      expect(clusterId).toMatch(/^c-[0-9a-f]+$/);
      const perCluster = new Map<string, number>();
      for (const match of initializations) perCluster.set(match[2] ?? '', (perCluster.get(match[2] ?? '') ?? 0) + 1);
      expect([...perCluster.values()].every((count) => count === 1)).toBe(true);

      const created = section(steps, 'create the StatefulSet');
      expect(created).toMatch(/mysql-0: initialize as primary/);
      expect(created).toContain(`mysql-1: clone from mysql-0, replicate from mysql-0 (cluster ${clusterId})`);
      expect(created).toContain(`mysql-2: clone from mysql-1, replicate from mysql-0 (cluster ${clusterId})`);

      const scaled = section(steps, 'scale to 5');
      expect(scaled).toContain(`mysql-3: clone from mysql-2, replicate from mysql-0 (cluster ${clusterId})`);
      expect(scaled).toContain(`mysql-4: clone from mysql-3, replicate from mysql-0 (cluster ${clusterId})`);

      const kept = section(steps, 'restart mysql-0, keeping its volume');
      expect(kept).toContain(`mysql-0: starting with data of cluster ${clusterId}`);
      expect(kept).toContain(`mysql-0: resume as primary of cluster ${clusterId}`);
      expect(kept).not.toMatch(/initialize as primary/);

      const lost = section(steps, 'restart mysql-0 with an empty volume');
      expect(lost).toContain('mysql-0: volume deleted');
      expect(lost).toContain('mysql-0: starting with an empty data dir');
      expect(lost).toMatch(new RegExp(`mysql-0: clone from mysql-[1-4] and rejoin cluster ${clusterId}; no primary to replicate from`));
      expect(lost).toMatch(/promote a replica \(failover\)/);
      expect(lost).toMatch(/mysql-0: {3}why: cluster \S+ already exists/);
      expect(lost).not.toMatch(/initialize as primary/);

      const summary = section(steps, 'summary');
      for (let ordinal = 0; ordinal < 5; ordinal++) {
        expect(summary).toMatch(new RegExp(`mysql-${ordinal} +(primary|replica) +cluster ${clusterId}\\b`));
      }
      expect(summary.match(/ cluster c-[0-9a-f]+/g)?.every((text) => text === ` cluster ${clusterId}`)).toBe(true);
      expect(summary).toContain(`one cluster (${clusterId}), initialized once by mysql-0, no split brain`);
      expect(stdout).not.toMatch(/exited unexpectedly|bootstrap failed/);
    },
    RUN_TIMEOUT_MS + 30_000,
  );
});

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
    expect(service.spec?.ports).toEqual([expect.objectContaining({ name: 'mysql', port: 3306 })]);
  });

  it('statefulset.yaml is a valid StatefulSet wired to the Service, the downward API and a volume', () => {
    const [serviceDocument] = load('service.yaml');
    const service = new Service(serviceDocument as ConstructorParameters<typeof Service>[0]);
    const documents = load('statefulset.yaml');
    expect(documents).toHaveLength(1);
    const statefulSet = new StatefulSet(documents[0] as ConstructorParameters<typeof StatefulSet>[0]);
    expect(() => statefulSet.validate()).not.toThrow();

    const spec = statefulSet.spec;
    expect(spec?.serviceName).toBe(service.metadata?.name);
    expect(spec?.replicas).toBe(3);
    const podLabels = spec?.template.metadata?.labels ?? {};
    expect(podLabels).toMatchObject(spec?.selector.matchLabels ?? { missing: 'selector' });
    expect(podLabels).toMatchObject(service.spec?.selector ?? { missing: 'selector' });

    const containers = spec?.template.spec?.containers ?? [];
    expect(containers).toHaveLength(1);
    const [app] = containers;
    const env = new Map((app?.env ?? []).map((variable) => [variable.name, variable]));
    expect(env.get('POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    expect(env.get('POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    expect(env.get('HEADLESS_DISCOVERY_EXPECTED_REPLICAS')?.value).toBe(String(spec?.replicas));
    expect(app?.ports).toEqual([expect.objectContaining({ name: 'mysql', containerPort: 3306 })]);
    expect(service.spec?.ports?.[0]?.targetPort).toBe('mysql');
    expect(app?.readinessProbe?.tcpSocket?.port).toBe('mysql');

    const claims = (spec?.volumeClaimTemplates ?? []).map((claim) => claim.metadata?.name);
    expect(claims).toEqual(['data']);
    expect(app?.volumeMounts).toEqual([expect.objectContaining({ name: 'data', mountPath: env.get('DATA_DIR')?.value })]);
  });
});
