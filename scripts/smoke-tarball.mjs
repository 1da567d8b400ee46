// Runtime smoke test of the packed tarball: install it into a scratch project and use it for
// real through `import` and through `require()`, on whatever Node runs this script. Static
// checks (publint, attw) have passed builds that crash at run time; this one runs the code.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const scratch = join(root, '.ci', 'scratch', `node${process.versions.node.split('.')[0]}`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });

const packed = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', scratch], root));
const tarball = join(scratch, packed[0].filename);
console.log(`packed ${packed[0].filename}: ${statSync(tarball).size} bytes, ${packed[0].entryCount} files`);

const consumer = join(scratch, 'consumer');
mkdirSync(consumer);
writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
run(npm, ['install', '--no-audit', '--no-fund', '--no-package-lock', tarball], consumer);

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

writeFileSync(
  join(consumer, 'esm.mjs'),
  scenario(
    "import { createDiscovery, discover } from 'headless-discovery';\nimport { createFakeCluster } from 'headless-discovery/testing';",
  ),
);
writeFileSync(
  join(consumer, 'cjs.cjs'),
  scenario(
    "const { createDiscovery, discover } = require('headless-discovery');\nconst { createFakeCluster } = require('headless-discovery/testing');",
  ),
);

for (const file of ['esm.mjs', 'cjs.cjs']) {
  process.stdout.write(run(process.execPath, [file], consumer));
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
writeFileSync(
  join(consumer, 'types-esm.mts'),
  "import { createDiscovery, InvalidOptionError, type Membership, type Peer } from 'headless-discovery';\n" +
    "import { createFakeCluster, type FakeCluster } from 'headless-discovery/testing';\n" + typed,
);
writeFileSync(
  join(consumer, 'types-cjs.cts'),
  "import { createDiscovery, InvalidOptionError, type Membership, type Peer } from 'headless-discovery';\n" +
    "import { createFakeCluster, type FakeCluster } from 'headless-discovery/testing';\n" + typed,
);
writeFileSync(
  join(consumer, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
    },
    files: ['types-esm.mts', 'types-cjs.cts'],
  }),
);
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], consumer);
console.log('ok: types resolve for ESM and CommonJS TypeScript consumers');

// The command installed with the package: its version, and a real doctor run against the fake
// cluster (asynchronously: the fake cluster answers from this process's event loop).
const bin = join(consumer, 'node_modules', '.bin', process.platform === 'win32' ? 'headless-discovery.cmd' : 'headless-discovery');
const { version } = JSON.parse(run(process.execPath, ['-p', 'JSON.stringify(require("headless-discovery/package.json"))'], consumer));
if (run(bin, ['--version'], consumer).trim() !== version) throw new Error('headless-discovery --version does not print the package version');
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
