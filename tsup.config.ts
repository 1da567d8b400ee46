import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

const shared = { sourcemap: true, clean: false, target: 'node20', platform: 'node', splitting: false } as const;

// `dist/` is emptied by the build script first: two configs build into it side by side.
export default defineConfig([
  {
    ...shared,
    entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
  },
  {
    // The command: CommonJS only (a bin is one file), with its version baked in.
    ...shared,
    entry: { cli: 'src/cli/main.ts' },
    format: ['cjs'],
    dts: false,
    define: { __VERSION__: JSON.stringify(version) },
  },
]);
