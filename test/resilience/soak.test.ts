/**
 * A short soak (~20 s of chaos) in the normal suite: the scenario of scripts/soak.mjs (see
 * soak-scenario.mjs), run against the sources. `npm run soak -- --minutes N` runs it for longer
 * against the built package.
 */
import { expect, it } from 'vitest';
import { createDiscovery } from '../../src/index';
import { createFakeCluster } from '../../src/testing/index';
import { formatSoak, runSoak } from './soak-scenario.mjs';

const CHAOS_MS = Number(process.env.SOAK_TEST_MS ?? 20_000);

it(
  'under continuous scaling, restarts, readiness flips and DNS outages, every discovery ends at the truth, its events add up, no leave during an outage, flat heap',
  async () => {
    const result = await runSoak({
      createDiscovery,
      createFakeCluster,
      durationMs: CHAOS_MS,
      settleMs: 20_000,
      ...(process.env.SOAK_SEED ? { seed: Number(process.env.SOAK_SEED) } : {}),
      // A short run can only catch a gross leak; the long soak tightens this by running longer.
      maxHeapGrowthBytes: 16 * 1024 * 1024,
    });
    const summary = formatSoak(result);
    console.info(summary);
    expect(result.violations, summary).toEqual([]);
    // The run must have exercised what it claims to.
    expect(result.actions.outages).toBeGreaterThan(0);
    expect(result.actions.scale + result.actions.restart + result.actions.ready).toBeGreaterThan(10);
  },
  CHAOS_MS + 90_000,
);
