import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// dns2 exports only its entry point, which loads its servers and clients (and http, https,
// http2, tls) with the codec. We bundle its `packet.js` alone: the codec, nothing else.
const dns2Packet = createRequire(import.meta.url).resolve('dns2/package.json').replace(/package\.json$/, 'packet.js');

// No source maps: the bundle is not minified, so a stack trace into `dist/` already points at
// readable code the package ships. Maps would point at `src/*.ts` files it does not ship (or, with
// `sourcesContent`, carry a second copy of the whole source: most of the tarball's weight), and
// bundlers that follow dependencies' maps warn about the missing files.
const shared = {
  sourcemap: false,
  clean: false,
  target: 'node20',
  platform: 'node',
  splitting: false,
  noExternal: ['dns2/packet', 'eventemitter3'],
  esbuildOptions(options) {
    options.alias = { 'dns2/packet': dns2Packet };
  },
} as const satisfies Options;

// The main entry is split: what `diagnose()`, the explanation of an empty membership and the
// `kubernetes` source load on first use (`import()` in src/) are chunks of their own, so
// importing the library compiles only what a DNS discovery runs. (esbuild splits CommonJS too
// through tsup; each build's chunks sit next to its entry in dist/.)
const main = { index: 'src/index.ts' };

// The subpaths are bundled whole, each on its own, but for the error classes (below).
// `opentelemetry/index` imports `@opentelemetry/api`, a peer dependency, which tsup leaves
// external: only that entry loads it, so the main entry works without it installed.
const subpaths = { 'testing/index': 'src/testing/index.ts', 'opentelemetry/index': 'src/opentelemetry/index.ts' };

// A subpath takes the error classes from the main entry (the package importing itself) instead of
// bundling a copy: a copy would be other classes, and `error instanceof InvalidOptionError` would
// fail for an error the subpath threw.
const errorsModule = resolve('src/errors.ts');
type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];
const errorsFromMainEntry: EsbuildPlugin = {
  name: 'errors-from-main-entry',
  setup(build) {
    build.onResolve({ filter: /(^|\/)errors$/ }, (args) =>
      resolve(args.resolveDir, `${args.path}.ts`) === errorsModule ? { path: 'headless-discovery', external: true } : undefined,
    );
  },
};

// The bundled codec is CommonJS and `require()`s Node's built-ins; an ES module has no
// `require`, so the ESM build defines one for it.
const esmRequire = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

// The version, for what names it at run time (the command's --version, the OpenTelemetry meter's scope).
const define = { __VERSION__: JSON.stringify(version) };

// `dist/` is emptied by the build script first: the configs build into it side by side.
export default defineConfig([
  { ...shared, entry: main, splitting: true, format: ['esm'], dts: true, banner: { js: esmRequire }, define },
  { ...shared, entry: main, splitting: true, format: ['cjs'], dts: true, define },
  { ...shared, entry: subpaths, format: ['esm'], dts: true, banner: { js: esmRequire }, define, esbuildPlugins: [errorsFromMainEntry] },
  { ...shared, entry: subpaths, format: ['cjs'], dts: true, define, esbuildPlugins: [errorsFromMainEntry] },
  {
    // The command: CommonJS only (a bin is one file), with its version baked in.
    ...shared,
    entry: { cli: 'src/cli/main.ts' },
    format: ['cjs'],
    dts: false,
    define,
  },
]);
