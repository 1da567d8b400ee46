import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// The source imports dns2's codec module by itself, as the build bundles it (tsup.config.ts).
const dns2Packet = createRequire(import.meta.url).resolve('dns2/package.json').replace(/package\.json$/, 'packet.js');

export default defineConfig({
  resolve: { alias: { 'dns2/packet': dns2Packet } },
  test: {
    include: ['test/**/*.test.ts'],
    // Network tests run real sockets on loopback; a loaded 2-core machine needs headroom.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
