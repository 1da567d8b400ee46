/**
 * Every code block in README.md and docs/*.md (not the generated docs/api/) is exercised, against
 * the built package, imported by name as a user would import it. A block's info string says what
 * it is; an HTML comment on the line(s) right before the fence can change what is done with it.
 *
 * | info string      | what the test does |
 * | ---------------- | ------------------ |
 * | `js`             | runs it with Node (as an ES module) and checks its output (see below) |
 * | `ts`             | type-checks it (`tsc --noEmit`, strict) against the package's declarations; a top-level `interface`, `type` or `declare function` named like an export of the package must match that export exactly |
 * | `yaml`           | parses it; every manifest needs `apiVersion` and `kind`; a Service must be headless with a selector and named ports, a StatefulSet must name its Service and pass `POD_NAME` / `POD_NAMESPACE` through the downward API; a fragment without `kind` must be a container's `env` |
 * | `sh`, `bash`     | every command must be one CI runs anyway (`npm install`, `npm ci`, `npm start`, `npm test`, `npm run <script>`, `npm install headless-discovery`) |
 * | `console`        | output, never run: it must carry an output marker (then it is checked against that block's real output) or a `not run` marker |
 * | `mermaid`        | a diagram: it must start with a known diagram type |
 *
 * Markers (HTML comments right before the fence):
 *
 * - `<!-- not run: <reason> -->`: the block is shown, not run (it needs a real cluster, say).
 *   `js` blocks are still syntax-checked (`node --check`), `yaml` still parsed. Every block that
 *   is not exercised must carry this marker, with a reason.
 * - `<!-- run: POD_NAME=kv-2, until SIGTERM -->`: how to run a `js` block. `KEY=value` items add
 *   environment variables; `until SIGTERM` is for blocks that serve forever, as an app does: once
 *   the block's output has been quiet for a moment the test sends SIGTERM, as Kubernetes does when
 *   it stops a pod, and the block must then exit by itself with status 0 (its own SIGTERM handler
 *   closes what it opened).
 * - `<!-- output of the block above -->` before a `console` block: the output the `js` block
 *   above prints, line for line. `<!-- output of app.mjs -->` names the `js` block of the same
 *   page whose first line is `// app.mjs` instead.
 *
 * How `js` blocks run: each gets a fresh fake cluster DNS (`headless-discovery/testing`) serving
 * the Services the docs use (`kv`: port `peer` 7000, then `mysql`: port `mysql` 3306; 3 ready pods
 * each, namespace `default`, zone `cluster.local`), and the environment a pod would have:
 * `HEADLESS_DISCOVERY_NAMESERVERS` (that fake DNS), `POD_NAME` (`mysql-0` unless the run marker
 * says otherwise), `POD_NAMESPACE=default`, `LOCALDOMAIN` (a pod's search list) and `PORT=0`. So
 * code written for a pod (`createDiscovery({ service: 'mysql', port: 'mysql' })`) runs unchanged;
 * blocks that start their own fake cluster pass its nameserver explicitly and ignore this one.
 * A block must exit with status 0 within a minute and write nothing to stderr. Its stdout must
 * match, line for line, the values its `// → value` comments promise (in source order; a
 * parenthesised remark after the value is prose) and any `console` block marked as its output;
 * `…` in a promised line stands for any text. A block with neither is run for its exit status.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseAllDocuments, type Document } from 'yaml';
import { createFakeCluster, type FakeCluster } from '../src/testing';

const root = join(import.meta.dirname, '..');
const scratch = join(root, '.ci', 'scratch', 'docs');
const run = promisify(execFile);
const PACKAGE = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; scripts: Record<string, string> };

// ─── Reading the blocks ──────────────────────────────────────────────────────────────────────

interface Block {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  /** The HTML comments right before the fence, without `<!--` and `-->`. */
  readonly markers: readonly string[];
  /** The block before this one in the same file, if any. */
  readonly previous: Block | undefined;
}

function documentationFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => join('docs', entry.name))
    .sort();
  return ['README.md', ...docs];
}

function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[index] as string);
    if (!open) continue;
    const [, indent = '', fence = '```', lang = ''] = open;
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length; end++) {
      const line = lines[end] as string;
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    const markers: string[] = [];
    for (let before = index - 1; before >= 0; before--) {
      const text = (lines[before] as string).trim();
      const comment = /^<!--\s*([\s\S]*?)\s*-->$/.exec(text);
      if (!comment) break;
      markers.unshift(comment[1] as string);
    }
    blocks.push({ file, line: index + 1, lang: lang.toLowerCase(), code: `${body.join('\n')}\n`, markers, previous: blocks.at(-1) });
    index = end;
  }
  return blocks;
}

const allBlocks = documentationFiles().flatMap(blocksOf);
const label = (block: Block): string => `${block.file}:${block.line} (${block.lang || 'no language'})`;

function notRunReason(block: Block): string | undefined {
  for (const marker of block.markers) {
    const match = /^not run:\s*(.+)$/.exec(marker);
    if (match) return match[1];
  }
  return undefined;
}

interface RunDirectives {
  readonly env: Record<string, string>;
  readonly untilSigterm: boolean;
}

function runDirectives(block: Block): RunDirectives {
  const env: Record<string, string> = {};
  let untilSigterm = false;
  for (const marker of block.markers) {
    const match = /^run:\s*(.+)$/.exec(marker);
    if (!match) continue;
    for (const item of (match[1] as string).split(',').map((part) => part.trim())) {
      const assignment = /^([A-Z_][A-Z0-9_]*)=(\S*)$/.exec(item);
      if (assignment) env[assignment[1] as string] = assignment[2] as string;
      else if (item === 'until SIGTERM') untilSigterm = true;
      else throw new Error(`${label(block)}: unknown run directive "${item}"`);
    }
  }
  return { env, untilSigterm };
}

const OUTPUT_MARKER = /^output of (the block above|[\w.-]+\.m?js)$/;
const isOutputMarker = (marker: string): boolean => OUTPUT_MARKER.test(marker);

/** The js block a `console` block shows the output of: the block above, or the one whose first line is `// <file>`. */
function producerOf(block: Block): Block | undefined {
  const marker = block.markers.find(isOutputMarker);
  const file = marker === undefined ? undefined : (OUTPUT_MARKER.exec(marker)?.[1] as string);
  if (file === undefined) return undefined;
  if (file === 'the block above') return block.previous;
  return allBlocks.find((candidate) => candidate.file === block.file && candidate.lang === 'js' && candidate.code.startsWith(`// ${file}\n`));
}

// ─── Output promises ─────────────────────────────────────────────────────────────────────────

/** A trailing `// → 3` promises the output line "3" (a parenthesised remark after it is prose). */
function promisedOutput(code: string): string[] {
  return code
    .split('\n')
    .map((line) => /\/\/ → (.*?)(?:\s+\(.*\))?\s*$/.exec(line)?.[1])
    .filter((value): value is string => value !== undefined);
}

/** `…` in an expected line matches any text. */
function lineMatches(actual: string, expected: string): boolean {
  const pattern = expected
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(actual.trimEnd());
}

function expectLines(actual: readonly string[], expected: readonly string[], what: string): void {
  const matches = actual.length === expected.length && actual.every((line, index) => lineMatches(line, expected[index] as string));
  // On a mismatch, show both lists in full.
  if (!matches) expect({ what, actual }).toEqual({ what, actual: expected });
}

const outputLines = (text: string): string[] => text.split('\n').map((line) => line.trimEnd()).filter(Boolean);

// ─── Running js blocks ───────────────────────────────────────────────────────────────────────

/** The Services every js block can query through the default nameserver. */
async function docsCluster(): Promise<FakeCluster> {
  // `kv` first, as docs/getting-started.md's fake-dns.mjs defines it: its pods get the same addresses.
  const cluster = await createFakeCluster();
  cluster.defineService({ name: 'kv', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
  cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
  return cluster;
}

function podEnvironment(cluster: FakeCluster, extra: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(HEADLESS_DISCOVERY_|POD_|LOCALDOMAIN$|RES_OPTIONS$|NODE_OPTIONS$)/.test(name)),
  );
  const podName = extra['POD_NAME'] ?? 'mysql-0';
  return {
    ...inherited,
    HEADLESS_DISCOVERY_NAMESERVERS: cluster.nameserver,
    POD_NAME: podName,
    HOSTNAME: podName,
    POD_NAMESPACE: 'default',
    LOCALDOMAIN: 'default.svc.cluster.local svc.cluster.local cluster.local',
    PORT: '0',
    ...extra,
  };
}

interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const QUIET_MS = 750;
const RUN_TIMEOUT_MS = 60_000;

async function runBlock(block: Block, cluster: FakeCluster): Promise<RunResult> {
  mkdirSync(scratch, { recursive: true });
  const path = join(scratch, `${block.file.replace(/[\\/.]/g, '-')}-L${block.line}.mjs`);
  writeFileSync(path, block.code);
  const directives = runDirectives(block);
  const child = spawn(process.execPath, [path], { cwd: root, env: podEnvironment(cluster, directives.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let lastOutput = Date.now();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    lastOutput = Date.now();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<RunResult>((resolve) => {
    child.on('exit', (code, signal) => resolve({ stdout, stderr, code, signal }));
  });
  const started = Date.now();
  const killer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  try {
    if (directives.untilSigterm) {
      // Wait for the app to print something and then stay quiet, then stop it as Kubernetes would.
      let running = true;
      void exited.then(() => (running = false));
      while (running && (stdout === '' || Date.now() - lastOutput < QUIET_MS) && Date.now() - started < RUN_TIMEOUT_MS / 2) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (running) child.kill('SIGTERM');
    }
    const result = await exited;
    return { ...result, stdout, stderr };
  } finally {
    clearTimeout(killer);
  }
}

// ─── ts blocks ───────────────────────────────────────────────────────────────────────────────

/** The names a built entry point exports, from its declaration file. */
function exportedNames(declarationFile: string): Set<string> {
  const text = readFileSync(join(root, 'dist', declarationFile), 'utf8');
  const names = new Set<string>();
  for (const match of text.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const item of (match[1] as string).split(',')) {
      const name = item.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()?.trim();
      if (name) names.add(name);
    }
  }
  return names;
}

/** Checks that the names a block declares mean what the package's exports of the same name mean. */
function shapeChecks(code: string, entries: ReadonlyArray<readonly [string, Set<string>]>): string {
  const checks: string[] = [];
  const declared = [
    ...[...code.matchAll(/^(?:export\s+)?(?:interface|type)\s+([A-Z]\w*)\b(?!\s*<)/gm)].map((match) => [match[1] as string, 'type'] as const),
    ...[...code.matchAll(/^(?:export\s+)?declare\s+function\s+(\w+)/gm)].map((match) => [match[1] as string, 'function'] as const),
  ];
  for (const [name, kind] of declared) {
    const index = entries.findIndex(([, names]) => names.has(name));
    if (index === -1) continue;
    const real = `__entry${index}.${name}`;
    checks.push(
      kind === 'type'
        ? `export const __same_${name}: __Same<${name}, ${real}> = true;`
        : `export const __same_${name}: __Same<typeof ${name}, typeof ${real}> = true;`,
    );
  }
  if (checks.length === 0) return '';
  return [
    '',
    '// Added by test/docs.test.ts: the declarations above must match the package.',
    ...entries.map(([specifier], index) => `import type * as __entry${index} from '${specifier}';`),
    'type __Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;',
    ...checks,
    '',
  ].join('\n');
}

// ─── yaml blocks ─────────────────────────────────────────────────────────────────────────────

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
const get = (value: unknown, ...path: string[]): Json | undefined => {
  let current: unknown = value;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return current as Json | undefined;
};

/** Problems with a downward-API `env` list, or [] when POD_NAME and POD_NAMESPACE are wired. */
function envProblems(env: unknown, where: string): string[] {
  if (!Array.isArray(env)) return [`${where}: expected an env list`];
  const problems: string[] = [];
  for (const [name, fieldPath] of [
    ['POD_NAME', 'metadata.name'],
    ['POD_NAMESPACE', 'metadata.namespace'],
  ] as const) {
    const entry = env.find((item) => get(item, 'name') === name);
    if (get(entry, 'valueFrom', 'fieldRef', 'fieldPath') !== fieldPath) {
      problems.push(`${where}: expected env ${name} from the downward API (valueFrom.fieldRef.fieldPath: ${fieldPath})`);
    }
  }
  return problems;
}

const subsetOf = (labels: unknown, of: unknown): boolean =>
  isObject(labels) && isObject(of) && Object.keys(labels).length > 0 && Object.entries(labels).every(([key, value]) => of[key] === value);

/** What is wrong with the manifests of one yaml block (empty when nothing is). */
function manifestProblems(documents: readonly Document.Parsed[]): string[] {
  const objects = documents.map((document) => document.toJS() as unknown);
  const problems: string[] = [];
  const services = objects.filter((object) => get(object, 'kind') === 'Service');
  for (const [index, object] of objects.entries()) {
    const where = `document ${index + 1}`;
    if (!isObject(object)) {
      problems.push(`${where}: expected a mapping`);
      continue;
    }
    if (object['kind'] === undefined && object['apiVersion'] === undefined) {
      // A fragment: only a container's env is shown on its own.
      if (Object.keys(object).length === 1 && 'env' in object) problems.push(...envProblems(object['env'], `${where} (env fragment)`));
      else problems.push(`${where}: a fragment without apiVersion/kind must be a container's env list; show a whole manifest instead`);
      continue;
    }
    if (typeof object['apiVersion'] !== 'string') problems.push(`${where}: expected apiVersion`);
    if (typeof object['kind'] !== 'string') problems.push(`${where}: expected kind`);
    if (typeof get(object, 'metadata', 'name') !== 'string') problems.push(`${where}: expected metadata.name`);
    if (object['kind'] === 'Service') {
      const ports = get(object, 'spec', 'ports');
      if (object['apiVersion'] !== 'v1') problems.push(`${where}: a Service is apiVersion v1`);
      if (get(object, 'spec', 'clusterIP') !== 'None') problems.push(`${where}: the Service must be headless (spec.clusterIP: None)`);
      if (!isObject(get(object, 'spec', 'selector'))) problems.push(`${where}: the Service needs spec.selector (DNS lists the pods it selects)`);
      if (!Array.isArray(ports) || ports.length === 0 || ports.some((port) => typeof get(port, 'name') !== 'string')) {
        problems.push(`${where}: every Service port needs a name (only named ports get SRV records)`);
      }
    }
    if (object['kind'] === 'StatefulSet') {
      if (object['apiVersion'] !== 'apps/v1') problems.push(`${where}: a StatefulSet is apiVersion apps/v1`);
      const serviceName = get(object, 'spec', 'serviceName');
      const service = services.find((candidate) => get(candidate, 'metadata', 'name') === serviceName);
      const labels = get(object, 'spec', 'template', 'metadata', 'labels');
      if (typeof serviceName !== 'string') problems.push(`${where}: expected spec.serviceName (the headless Service that gives pods their DNS names)`);
      else if (services.length > 0 && !service) problems.push(`${where}: spec.serviceName "${serviceName}" is not the Service in this block`);
      if (!subsetOf(get(object, 'spec', 'selector', 'matchLabels'), labels)) problems.push(`${where}: spec.selector.matchLabels must match the template's labels`);
      if (service && !subsetOf(get(service, 'spec', 'selector'), labels)) problems.push(`${where}: the Service's selector must match the pod template's labels`);
      const containers = get(object, 'spec', 'template', 'spec', 'containers');
      if (!Array.isArray(containers) || containers.length === 0) problems.push(`${where}: expected containers`);
      else if (!containers.some((container) => envProblems(get(container, 'env'), '').length === 0)) {
        problems.push(...envProblems(get(containers[0], 'env'), `${where} containers[0]`));
      }
    }
  }
  return problems;
}

// ─── sh blocks ───────────────────────────────────────────────────────────────────────────────

/** A command CI runs anyway, so a shell block made only of these needs no marker. */
function ciCommand(command: string): boolean {
  const words = command.trim().split(/\s+/);
  const [npm, verb, ...rest] = words;
  if (npm !== 'npm') return false;
  if (verb === 'run') return rest.length === 1 && (rest[0] as string) in PACKAGE.scripts;
  if (verb === 'install' || verb === 'i') return rest.length === 0 || (rest.length === 1 && rest[0] === PACKAGE.name);
  return (verb === 'ci' || verb === 'start' || verb === 'test') && rest.length === 0;
}

function shellCommands(code: string): string[] {
  return code
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean)
    .flatMap((line) => line.split('&&'))
    .map((command) => command.trim());
}

// ─── Markdown links ──────────────────────────────────────────────────────────────────────────

/** GitHub's heading anchors: lower-case, punctuation dropped, spaces to dashes. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = (heading[1] as string)
      .toLowerCase()
      .replace(/<[^>]*>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const seen = counts.get(base) ?? 0;
    counts.set(base, seen + 1);
    anchors.add(seen === 0 ? base : `${base}-${seen}`);
  }
  return anchors;
}

// ─── The tests ───────────────────────────────────────────────────────────────────────────────

const runnable = allBlocks.filter((block) => block.lang === 'js' && notRunReason(block) === undefined);

describe('documentation code blocks', () => {
  beforeAll(() => {
    expect(existsSync(join(root, 'dist', 'index.mjs')), 'the package is built (npm test builds it first)').toBe(true);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('are found in the README and in every page of docs/', () => {
    const files = new Set(allBlocks.map((block) => block.file));
    for (const file of documentationFiles()) {
      if (readFileSync(join(root, file), 'utf8').includes('```')) expect(files).toContain(file);
    }
    expect(runnable.length).toBeGreaterThan(0);
  });

  it('each declare a language this test knows, and each block that is not exercised says why', () => {
    const problems: string[] = [];
    for (const block of allBlocks) {
      const reason = notRunReason(block);
      const output = block.markers.some(isOutputMarker);
      if (!['js', 'ts', 'yaml', 'sh', 'bash', 'console', 'mermaid'].includes(block.lang)) {
        problems.push(`${label(block)}: unknown or missing language; use js, ts, yaml, sh, console or mermaid`);
      }
      for (const marker of block.markers) {
        if (!/^(not run:\s*\S.*|run:\s*\S.*)$/.test(marker) && !isOutputMarker(marker)) problems.push(`${label(block)}: unknown marker <!-- ${marker} -->`);
      }
      if (block.markers.some((marker) => marker.startsWith('run:')) && (block.lang !== 'js' || reason !== undefined)) {
        problems.push(`${label(block)}: a run marker belongs on a js block that is run`);
      }
      if (block.lang === 'console' && output === (reason !== undefined)) {
        problems.push(`${label(block)}: a console block is either the checked output of the js block above (<!-- output of the block above -->) or shown as-is with <!-- not run: reason -->`);
      }
      const producer = output ? producerOf(block) : undefined;
      if (output && (block.lang !== 'console' || producer?.lang !== 'js' || notRunReason(producer) !== undefined)) {
        problems.push(`${label(block)}: an output marker must be on a console block, and name a js block that is run (the block above, or one starting with "// <file>")`);
      }
      if ((block.lang === 'sh' || block.lang === 'bash') && reason === undefined) {
        for (const command of shellCommands(block.code).filter((command) => !ciCommand(command))) {
          problems.push(`${label(block)}: "${command}" is not a command CI runs; mark the block <!-- not run: reason -->`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  describe('js', () => {
    let cluster: FakeCluster | undefined;
    afterEach(async () => {
      await cluster?.close();
      cluster = undefined;
    });

    it.each(runnable.map((block) => [label(block), block] as const))('%s runs as shown', async (_, block) => {
      cluster = await docsCluster();
      const result = await runBlock(block, cluster);
      expect({ stderr: result.stderr, code: result.code, signal: result.signal }).toEqual({ stderr: '', code: 0, signal: null });
      const stdout = outputLines(result.stdout);
      const promised = promisedOutput(block.code);
      if (promised.length > 0) expectLines(stdout, promised, `${label(block)}: the // → comments`);
      const shown = allBlocks.find((candidate) => candidate.lang === 'console' && producerOf(candidate) === block);
      if (shown) expectLines(stdout, outputLines(shown.code), `${label(shown)}: the output shown`);
    });

    it('that are not run are still valid JavaScript', async () => {
      const shown = allBlocks.filter((block) => block.lang === 'js' && notRunReason(block) !== undefined);
      mkdirSync(scratch, { recursive: true });
      for (const block of shown) {
        const path = join(scratch, `${block.file.replace(/[\\/.]/g, '-')}-L${block.line}-check.mjs`);
        writeFileSync(path, block.code);
        await expect(run(process.execPath, ['--check', path]), label(block)).resolves.toBeDefined();
      }
    });
  });

  it('ts: type-check against the built declarations, and declarations named like exports match them', async () => {
    const blocks = allBlocks.filter((block) => block.lang === 'ts');
    expect(blocks.length).toBeGreaterThan(0);
    const directory = join(root, '.ci', 'scratch', 'docs-ts');
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    const entries = [
      [PACKAGE.name, exportedNames('index.d.mts')],
      [`${PACKAGE.name}/testing`, exportedNames(join('testing', 'index.d.mts'))],
      [`${PACKAGE.name}/opentelemetry`, exportedNames(join('opentelemetry', 'index.d.mts'))],
    ] as const;
    const files = blocks.map((block) => {
      const name = `${block.file.replace(/[\\/.]/g, '-')}-L${block.line}.mts`;
      writeFileSync(join(directory, name), `${block.code}\n${shapeChecks(block.code, entries)}\nexport {};\n`);
      return name;
    });
    writeFileSync(
      join(directory, 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022',
            lib: ['ES2023', 'ESNext.Disposable'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            types: ['node'],
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            noUnusedLocals: false,
          },
          files,
        },
        null,
        2,
      ),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', join(directory, 'tsconfig.json')], { cwd: root }).catch((error: { stdout?: string }) => error);
    expect('stdout' in result ? String(result.stdout).trim() : '').toBe('');
  });

  it('yaml: parse, and the manifests have what the library relies on', () => {
    const blocks = allBlocks.filter((block) => block.lang === 'yaml');
    expect(blocks.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const block of blocks) {
      const documents = parseAllDocuments(block.code);
      if (!Array.isArray(documents)) {
        problems.push(`${label(block)}: not a YAML stream`);
        continue;
      }
      for (const document of documents) {
        for (const issue of [...document.errors, ...document.warnings]) problems.push(`${label(block)}: ${issue.message}`);
      }
      if (problems.length > 0) continue;
      problems.push(...manifestProblems(documents).map((problem) => `${label(block)}: ${problem}`));
    }
    expect(problems).toEqual([]);
  });

  it('mermaid: each diagram starts with a diagram type', () => {
    for (const block of allBlocks.filter((candidate) => candidate.lang === 'mermaid')) {
      expect(block.code.trimStart(), label(block)).toMatch(/^(flowchart|graph|sequenceDiagram|stateDiagram(-v2)?|classDiagram|erDiagram|timeline)\b/);
    }
  });
});

describe('documentation pages', () => {
  it('link only to files and headings that exist', () => {
    const problems: string[] = [];
    for (const file of documentationFiles()) {
      const text = readFileSync(join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] as string;
        if (/^[a-z]+:/i.test(target)) continue; // an absolute URL
        const [path = '', anchor] = target.split('#');
        const resolved = path === '' ? join(root, file) : join(root, file, '..', path);
        if (!existsSync(resolved)) {
          problems.push(`${file}: link to missing ${target}`);
          continue;
        }
        if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
          problems.push(`${file}: link to missing heading ${target}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('troubleshooting covers every error code the package can produce', () => {
    const declarations = readFileSync(join(root, 'dist', 'index.d.mts'), 'utf8');
    const union = /type ErrorCode\s*=([^;]*);/.exec(declarations)?.[1] ?? '';
    const codes = [...union.matchAll(/'(ERR_[A-Z0-9_]+)'/g)].map((match) => match[1] as string);
    expect(codes.length).toBeGreaterThan(0);
    const page = readFileSync(join(root, 'docs', 'troubleshooting.md'), 'utf8');
    expect(codes.filter((code) => !page.includes(`\`${code}\``))).toEqual([]);
  });
});

describe('API reference (typedoc)', () => {
  it('builds from TSDoc with no warning: every public export is documented', async () => {
    const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
    expect(existsSync(typedoc), 'typedoc is a devDependency').toBe(true);
    const result = await run(process.execPath, [typedoc, '--options', join(root, 'typedoc.json'), '--emit', 'none'], { cwd: root }).then(
      () => ({ output: '', failed: false }),
      (error: { stdout?: string; stderr?: string }) => ({ output: `${error.stdout ?? ''}${error.stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, ''), failed: true }),
    );
    expect(result.output.split('\n').filter((line) => /\[(warning|error)\]/.test(line))).toEqual([]);
    expect(result.failed).toBe(false);
  }, 120_000);

  it('is generated, not committed: docs/api/ is git-ignored', () => {
    const ignored = readFileSync(join(root, '.gitignore'), 'utf8').split('\n').map((line) => line.trim());
    expect(ignored).toContain('docs/api/');
  });
});
