// Runtime smoke test of the packed tarball: install it into scratch projects the way consumers
// do (npm, `npm install --engine-strict`, yarn 1) and use it for real through `import` and through
// `require()`, on whatever Node runs this script. Static checks (publint, attw:
// scripts/check-tarball.mjs) have passed builds that crash at run time; this one runs the code.
// An install that prints a warning (EBADENGINE, npm's install-scripts notice, a deprecation…)
// fails, and so does a scenario that writes anything to stderr.
//
// Usage: node scripts/smoke-tarball.mjs [--tarball file.tgz] [--yarn path/to/yarn]
// Without --tarball it packs one (which builds, through `prepack`). yarn 1 is the one given, else
// .ci/yarn1's (`npm install --prefix .ci/yarn1 yarn@1`, as .ci/run does), else skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, join, relative, resolve } from 'node:path';
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
function install(label, command, args) {
  const consumer = join(scratch, `consumer-${label.replace(/\W+/g, '-')}`);
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

// The same scenario for both module systems: a real discovery against the fake cluster DNS.
const scenario = (load) => `
${load}
const assert = (condition, message) => { if (!condition) { console.error('FAIL: ' + message); process.exit(1); } };
(async () => {
  const cluster = await createFakeCluster();
  try {
    const svc = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const options = { service: 'mysql', namespace: 'default', clusterDomain: 'cluster.local', port: 'mysql',
      nameservers: [cluster.nameserver], podName: 'mysql-1', intervalMs: 200 };
    const once = await discover(options);
    assert(once.peers.map((p) => p.name).join() === 'mysql-0,mysql-1,mysql-2', 'discover() found the 3 pods');
    assert(once.seed && once.seed.name === 'mysql-0', 'seed is mysql-0');
    assert(once.self && once.self.name === 'mysql-1', 'self is mysql-1');

    const discovery = createDiscovery(options);
    const joined = new Promise((resolve) => discovery.on('join', (peer) => peer.name === 'mysql-3' && resolve(peer)));
    await discovery.start();
    svc.scale(4);
    const peer = await joined;
    assert(peer.port === 3306, 'the new peer has the SRV port');
    await discovery.close();

    try {
      createDiscovery({ service: 'Not A Label' });
      assert(false, 'invalid options must throw');
    } catch (error) {
      assert(error.code === 'ERR_INVALID_OPTION', 'invalid options throw ERR_INVALID_OPTION');
    }
  } finally {
    await cluster.close();
  }
  console.log('ok: ' + process.argv[1].split(/[\\\\/]/).pop() + ' on node ' + process.version);
})().catch((error) => { console.error(error); process.exit(1); });
`;

const scenarios = {
  'esm.mjs': "import { createDiscovery, discover } from 'headless-discovery';\nimport { createFakeCluster } from 'headless-discovery/testing';",
  'cjs.cjs': "const { createDiscovery, discover } = require('headless-discovery');\nconst { createFakeCluster } = require('headless-discovery/testing');",
};
for (const directory of consumers) {
  for (const [file, load] of Object.entries(scenarios)) {
    writeFileSync(join(directory, file), scenario(load));
    // No warning at run time either (a deprecation, an experimental feature): stderr stays empty.
    const result = spawnSync(process.execPath, [file], { cwd: directory, env, encoding: 'utf8' });
    process.stdout.write(result.stdout.replace(/\n$/, ` (${basename(directory)})\n`));
    if (result.stderr !== '') process.stderr.write(result.stderr);
    if (result.status !== 0 || result.stderr !== '') fail(`${file} in ${basename(directory)}: exit ${result.status ?? result.signal}, ${result.stderr === '' ? 'no output' : 'output'} on stderr`);
  }
}

// The published types must resolve for TypeScript consumers of either module system.
const typed = `
const discovery = createDiscovery({ service: 'mysql', port: 'mysql' });
discovery.on('join', (peer: Peer) => peer.ordinal);
discovery.on('update', (peer, previous) => previous.addresses.concat(peer.addresses));
const membership: Promise<Membership> = discovery.start();
const code: string = new InvalidOptionError('service', 'x').code;
const fake: Promise<FakeCluster> = createFakeCluster();
void membership; void code; void fake;
`;
const imports =
  "import { createDiscovery, InvalidOptionError, type Membership, type Peer } from 'headless-discovery';\n" +
  "import { createFakeCluster, type FakeCluster } from 'headless-discovery/testing';\n";
writeFileSync(join(consumer, 'types-esm.mts'), imports + typed);
writeFileSync(join(consumer, 'types-cjs.cts'), imports + typed);
writeFileSync(join(consumer, 'types.ts'), imports + typed); // CommonJS (no "type": "module"), or bundled
// Every moduleResolution a consumer may have: node10 (`typesVersions` serves `/testing` there),
// node16 and nodenext from CommonJS and from ESM, and bundler.
const resolutions = {
  node10: { module: 'commonjs', files: ['types.ts'] },
  node16: { module: 'node16', files: ['types-esm.mts', 'types-cjs.cts'] },
  nodenext: { module: 'nodenext', files: ['types-esm.mts', 'types-cjs.cts'] },
  bundler: { module: 'preserve', files: ['types.ts'] },
};
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
for (const [moduleResolution, { module, files }] of Object.entries(resolutions)) {
  writeFileSync(
    join(consumer, `tsconfig.${moduleResolution}.json`),
    JSON.stringify({
      compilerOptions: {
        noEmit: true,
        strict: true,
        skipLibCheck: true,
        module,
        moduleResolution,
        target: 'es2022',
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
        ignoreDeprecations: '6.0', // node10 is deprecated in TypeScript 6, still what old setups have
      },
      files,
    }),
  );
  run(process.execPath, [tsc, '-p', `tsconfig.${moduleResolution}.json`], consumer);
}
console.log(`ok: types resolve under moduleResolution ${Object.keys(resolutions).join(', ')} (ESM and CommonJS)`);

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
