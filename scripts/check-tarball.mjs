// Static checks of the packed tarball, the file a publish uploads (CI runs them on the tarball it
// then smoke-tests on every Node line; scripts/smoke-tarball.mjs runs the code):
//
// - arethetypeswrong: the types of every subpath (`.`, `./testing`, `./opentelemetry`) resolve, and match the
//   JavaScript, under moduleResolution node10, node16 (from CommonJS and from ESM) and bundler;
// - publint: the package.json fields point at files that exist, in the right module format; any
//   message (suggestions included) fails;
// - no install-time script (npm runs `preinstall`, `install`, `postinstall`, and `prepare` for
//   git and file installs; npm 11 warns about each one not covered by allowScripts), no
//   `binding.gyp` (npm would run node-gyp), no source map that embeds the sources;
// - optional peers stay optional: only `dist/opentelemetry/` names `@opentelemetry/api` (in its
//   code or its types), so the other entry points load and type-check without it.
//
// Usage: node scripts/check-tarball.mjs [--tarball path/to/headless-discovery-x.y.z.tgz]
// Without --tarball it packs one (which builds, through `prepack`) into .ci/scratch/check.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describeSize, option, readTarball, root, sizeOf, tarballFromArgs } from './tarball.mjs';

const scratch = join(root, '.ci', 'scratch', 'check');
if (option('tarball') === undefined) rmSync(scratch, { recursive: true, force: true });
const tarball = tarballFromArgs(scratch);
console.log(`tarball ${tarball}: ${describeSize(sizeOf(tarball))}`);

const problems = [];

// 1. What the package itself declares and ships.
const files = readTarball(tarball);
const manifest = JSON.parse(files.find((file) => file.path === 'package.json').data.toString('utf8'));
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];
for (const name of INSTALL_SCRIPTS) {
  if (manifest.scripts?.[name] !== undefined) problems.push(`package.json has an install-time script "${name}": ${manifest.scripts[name]}`);
}
if (files.some((file) => file.path === 'binding.gyp')) problems.push('the tarball has a binding.gyp: npm would run node-gyp on install');
for (const file of files.filter((entry) => entry.path.endsWith('.map'))) {
  if (JSON.parse(file.data.toString('utf8')).sourcesContent) problems.push(`${file.path} embeds the sources (sourcesContent)`);
}
console.log(`install-time scripts: ${INSTALL_SCRIPTS.filter((name) => manifest.scripts?.[name] !== undefined).join(', ') || 'none'}`);
const OPTIONAL_PEER_DIRS = { '@opentelemetry/': 'dist/opentelemetry/' };
for (const [peer, home] of Object.entries(OPTIONAL_PEER_DIRS)) {
  if (manifest.peerDependenciesMeta?.[`${peer}api`]?.optional !== true) problems.push(`${peer}api is not an optional peer dependency`);
  const outside = files.filter((file) => file.path.startsWith('dist/') && !file.path.startsWith(home) && file.data.toString('utf8').includes(peer));
  for (const file of outside) problems.push(`${file.path} names ${peer}: only ${home} may load it`);
  console.log(`${peer}: named only under ${home}${outside.length ? ` (and in ${outside.length} other file(s))` : ''}`);
}

// 2. arethetypeswrong, its own command line (it prints the resolution table); exit 1 on a problem.
const require = createRequire(import.meta.url);
const attwBin = join(dirname(require.resolve('@arethetypeswrong/cli/package.json')), require('@arethetypeswrong/cli/package.json').bin.attw);
const attw = spawnSync(process.execPath, [attwBin, tarball, '--format', 'table-flipped', '--no-color', '--no-definitely-typed'], { stdio: 'inherit' });
if (attw.status !== 0) problems.push(`arethetypeswrong found problems (exit ${attw.status ?? attw.signal})`);

// 3. publint, through its API so that suggestions fail too.
const bytes = new Uint8Array(readFileSync(tarball)); // a copy: a Buffer may be a window on a pool
const { messages, pkg } = await publint({ pack: { tarball: bytes.buffer }, level: 'suggestion', strict: true });
for (const message of messages) problems.push(`publint ${message.type}: ${formatMessage(message, pkg, { color: false })}`);
console.log(`publint: ${messages.length === 0 ? 'no message' : `${messages.length} message(s)`}`);

if (problems.length > 0) {
  for (const problem of problems) console.error(`FAIL: ${problem}`);
  process.exit(1);
}
console.log('ok: the tarball passes arethetypeswrong and publint, with no install-time script');
