// Runtime smoke test of the packed tarball: install it into scratch projects the way consumers
// do (npm, `npm install --engine-strict`, yarn 1) and use it for real through `import` and through
// `require()`, on whatever Node runs this script. Static checks (publint, attw:
// scripts/check-tarball.mjs) have passed builds that crash at run time; this one runs the code.
// An install that prints a warning (EBADENGINE, npm's install-scripts notice, a deprecation…)
// fails, and so does a scenario that writes anything to stderr. The OpenTelemetry subpath runs in
// a consumer of its own that also installs `@opentelemetry/api` (its optional peer) and the SDK;
// every other consumer has neither, which shows the main entry needs neither.
//
// Usage: node scripts/smoke-tarball.mjs [--tarball file.tgz] [--yarn path/to/yarn]
// Without --tarball it packs one (which builds, through `prepack`). yarn 1 is the one given, else
// .ci/yarn1's (`npm install --prefix .ci/yarn1 yarn@1`, as .ci/run does), else skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, relative, resolve } from 'node:path';
import { imports, otelImports, otelScenario, otelScenarios, otelTyped, scenario, scenarios, typed } from './smoke-scenarios.mjs';
import { describeSize, npm, option, root, sizeOf, tarballFromArgs } from './tarball.mjs';

const scratch = join(root, '.ci', 'scratch', `node${process.versions.node.split('.')[0]}`);
// Every child (npm, yarn, the installed command) runs on the Node that runs this script.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, YARN_DISABLE_SELF_UPDATE_CHECK: 'true' };
const run = (command, args, cwd) => execFileSync(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
const fail = (message) => {
  console.error(`FAIL: ${message}`);
  process.exit(1);
};

rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });

const tarball = tarballFromArgs(scratch);
console.log(`node ${process.version}, npm ${run(npm, ['--version'], scratch).trim()}`);
console.log(`tarball ${basename(tarball)}: ${describeSize(sizeOf(tarball))}`);

const yarnGiven = option('yarn');
const yarnDefault = join(root, '.ci', 'yarn1', 'node_modules', '.bin', 'yarn');
const yarn = yarnGiven !== undefined ? resolve(yarnGiven) : existsSync(yarnDefault) ? yarnDefault : null;
if (yarn !== null && !existsSync(yarn)) fail(`no yarn at ${yarn}`);
const registry = run(npm, ['config', 'get', 'registry'], scratch).trim();

// A warning or an error a consumer would see: npm's `npm warn …` / `npm error …` (EBADENGINE,
// deprecated, install-scripts), yarn's `warning …` / `error …`, Node's `(node:123) …Warning: …`.
const WARNING = /^(npm (warn|error|err!)|warning|error)\b|\(node:\d+\)|Warning:|EBADENGINE/i;

/** Installs the tarball into a new project with one installer; fails on an error or a warning. */
function install(label, command, args, base = scratch) {
  const consumer = join(base, `consumer-${label.replace(/\W+/g, '-')}`);
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  const result = spawnSync(command, args, { cwd: consumer, env, encoding: 'utf8' });
  const lines = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.split('\n').filter((line) => line.trim() !== '');
  const shown = [basename(command), ...args.map((arg) => (arg.startsWith(root) ? relative(root, arg) : arg))];
  console.log(`install with ${label}: ${shown.join(' ')}`);
  for (const line of lines) console.log(`  | ${line}`);
  if (result.error || result.status !== 0) fail(`${label} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
  const warnings = lines.filter((line) => WARNING.test(line));
  if (warnings.length > 0) fail(`${label} printed ${warnings.length} warning line(s):\n${warnings.join('\n')}`);
  console.log(`ok: ${label} installed it with no warning`);
  return consumer;
}

const npmFlags = ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel', 'warn'];
const consumers = [
  install('npm', npm, [...npmFlags, tarball]),
  install('npm --engine-strict', npm, [...npmFlags, '--engine-strict', tarball]),
];
if (yarn === null) console.log('yarn 1: not installed in .ci/yarn1 and no --yarn given: skipped');
else {
  // A cache of this run's own: yarn 1 caches a local tarball by name and version, and would
  // install a stale build of the same version from a shared cache.
  const cache = join(scratch, 'yarn-cache');
  console.log(`yarn ${run(yarn, ['--version'], scratch).trim()}`);
  consumers.push(install('yarn 1', yarn, ['add', '--non-interactive', '--no-progress', '--registry', registry, '--cache-folder', cache, tarball]));
}
const [consumer] = consumers;
// The versions this repository develops against (exact pins in its devDependencies).
const devVersion = (name) => JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies[name];
const otelPackages = ['@opentelemetry/api', '@opentelemetry/sdk-metrics'].map((name) => `${name}@${devVersion(name)}`);
const otelConsumer = install('npm with @opentelemetry/api', npm, [...npmFlags, tarball, ...otelPackages]);
// The oldest @opentelemetry/api the peer range allows, with an SDK of its time.
const oldestOtelConsumer = install('npm with @opentelemetry/api 1.3', npm, [...npmFlags, tarball, '@opentelemetry/api@1.3.0', '@opentelemetry/sdk-metrics@1.8.0']);
// Node resolves a package it cannot find in a consumer from the folders above it: inside this
// repository, from its own node_modules, where @opentelemetry/api (and every devDependency) is.
// A consumer outside the repository sees only what the tarball's install brought.
const outside = mkdtempSync(join(tmpdir(), 'headless-discovery-smoke-'));
process.on('exit', () => rmSync(outside, { recursive: true, force: true }));
const isolated = install('npm, outside the repository', npm, [...npmFlags, tarball], outside);

// The same scenario for both module systems: a real discovery against the fake cluster DNS.
for (const directory of [...consumers, isolated]) {
  for (const [file, load] of Object.entries(scenarios)) {
    writeFileSync(join(directory, file), scenario(load));
    // No warning at run time either (a deprecation, an experimental feature): stderr stays empty.
    const result = spawnSync(process.execPath, [file], { cwd: directory, env, encoding: 'utf8' });
    process.stdout.write(result.stdout.replace(/\n$/, ` (${basename(directory)})\n`));
    if (result.stderr !== '') process.stderr.write(result.stderr);
    if (result.status !== 0 || result.stderr !== '') fail(`${file} in ${basename(directory)}: exit ${result.status ?? result.signal}, ${result.stderr === '' ? 'no output' : 'output'} on stderr`);
  }
}

// Without @opentelemetry/api (outside the repository: nothing to find above) the main entry and
// /testing work (above), and only the subpath fails to load, naming the package to install.
if (spawnSync(process.execPath, ['-e', "require.resolve('@opentelemetry/api')"], { cwd: isolated, env }).status === 0) fail('@opentelemetry/api is resolvable outside the repository');
for (const [file, load] of Object.entries({
  'no-otel.mjs': "await import('headless-discovery/opentelemetry');",
  'no-otel.cjs': "require('headless-discovery/opentelemetry');",
})) {
  writeFileSync(join(isolated, file), load);
  const result = spawnSync(process.execPath, [file], { cwd: isolated, env, encoding: 'utf8' });
  if (result.status === 0 || !result.stderr.includes("'@opentelemetry/api'")) fail(`${file}: loading the subpath without @opentelemetry/api must fail naming it (exit ${result.status}, stderr: ${result.stderr.slice(0, 300)})`);
}
console.log('ok: without @opentelemetry/api, only the opentelemetry subpath fails to load, naming it');

// With it: a discovery's metrics read back through the SDK, from both module systems.
for (const directory of [otelConsumer, oldestOtelConsumer]) {
  for (const [file, load] of Object.entries(otelScenarios)) {
    writeFileSync(join(directory, file), otelScenario(load, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version));
    const result = spawnSync(process.execPath, [file], { cwd: directory, env, encoding: 'utf8' });
    process.stdout.write(result.stdout.replace(/\n$/, ` (${basename(directory)})\n`));
    if (result.stderr !== '') process.stderr.write(result.stderr);
    if (result.status !== 0 || result.stderr !== '') fail(`${file} in ${basename(directory)}: exit ${result.status ?? result.signal}, ${result.stderr === '' ? 'no output' : 'output'} on stderr`);
  }
}

// The published types must resolve for TypeScript consumers of either module system.
for (const [directory, text] of [
  [consumer, imports + typed],
  [otelConsumer, otelImports + otelTyped],
]) {
  writeFileSync(join(directory, 'types-esm.mts'), text);
  writeFileSync(join(directory, 'types-cjs.cts'), text);
  writeFileSync(join(directory, 'types.ts'), text); // CommonJS (no "type": "module"), or bundled
}
// Every moduleResolution a consumer may have: node10 (`typesVersions` serves the subpaths there),
// node16 and nodenext from CommonJS and from ESM, and bundler.
const resolutions = {
  node10: { module: 'commonjs', files: ['types.ts'] },
  node16: { module: 'node16', files: ['types-esm.mts', 'types-cjs.cts'] },
  nodenext: { module: 'nodenext', files: ['types-esm.mts', 'types-cjs.cts'] },
  bundler: { module: 'preserve', files: ['types.ts'] },
};
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
for (const directory of [consumer, otelConsumer]) {
  for (const [moduleResolution, { module, files }] of Object.entries(resolutions)) {
    writeFileSync(
      join(directory, `tsconfig.${moduleResolution}.json`),
      JSON.stringify({
        compilerOptions: {
          noEmit: true,
          strict: true,
          // Off in the subpath's consumer: its declarations must resolve @opentelemetry/api's types.
          skipLibCheck: directory === consumer,
          module,
          moduleResolution,
          target: 'es2022',
          lib: ['es2023', 'esnext.disposable'],
          types: ['node'],
          typeRoots: [join(root, 'node_modules', '@types')],
          ignoreDeprecations: '6.0', // node10 is deprecated in TypeScript 6, still what old setups have
        },
        files,
      }),
    );
    run(process.execPath, [tsc, '-p', `tsconfig.${moduleResolution}.json`], directory);
  }
}
console.log(`ok: types of the entry, /testing and /opentelemetry resolve under moduleResolution ${Object.keys(resolutions).join(', ')} (ESM and CommonJS)`);

// The command installed with the package: its version, and a real doctor run against the fake
// cluster (asynchronously: the fake cluster answers from this process's event loop).
const binOf = (directory) => join(directory, 'node_modules', '.bin', process.platform === 'win32' ? 'headless-discovery.cmd' : 'headless-discovery');
const bin = binOf(consumer);
const { version } = JSON.parse(run(process.execPath, ['-p', 'JSON.stringify(require("headless-discovery/package.json"))'], consumer));
for (const directory of consumers) {
  if (run(binOf(directory), ['--version'], directory).trim() !== version) fail(`headless-discovery --version does not print ${version} (${basename(directory)})`);
}
writeFileSync(
  join(consumer, 'doctor.mjs'),
  `import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createFakeCluster } from 'headless-discovery/testing';
const cluster = await createFakeCluster();
cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
try {
  const { stdout: out } = await promisify(execFile)(${JSON.stringify(bin)}, ['doctor', 'mysql', '--port', 'mysql', '--nameserver', cluster.nameserver, '--namespace', 'default', '--cluster-domain', 'cluster.local', '--pod-name', 'mysql-1', '--json'], { encoding: 'utf8' });
  const report = JSON.parse(out);
  if (!report.findings.some((finding) => finding.check === 'srv' && finding.status === 'pass')) throw new Error('doctor did not pass the SRV check');
} finally {
  await cluster.close();
}
`,
);
run(process.execPath, ['doctor.mjs'], consumer);
console.log('ok: the headless-discovery command runs from the tarball');
