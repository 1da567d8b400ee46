#!/usr/bin/env node
/**
 * The long soak: `npm run soak -- --minutes N [--seed S] [--settle-seconds S] [--max-heap-growth-mb M]`.
 *
 * Runs the scenario of test/resilience/soak-scenario.mjs against the BUILT package
 * (`headless-discovery`, `headless-discovery/testing`: run `npx tsup --silent` or `npm run build`
 * first): a fake cluster DNS keeps scaling, restarting and un-readying pods and going dark while
 * five discoveries (SRV, SRV with slow leaves, A/AAAA + PTR, a custom readiness check, and
 * includeNotReady) watch it. Prints a summary table; exits 1 on any violation. Run it with
 * `node --expose-gc` for exact heap figures (it obtains a GC function itself otherwise).
 */
import { parseArgs } from 'node:util';
import { createDiscovery } from 'headless-discovery';
import { createFakeCluster } from 'headless-discovery/testing';
import { formatSoak, runSoak } from '../test/resilience/soak-scenario.mjs';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    seed: { type: 'string' },
    'settle-seconds': { type: 'string', default: '30' },
    'max-heap-growth-mb': { type: 'string', default: '16' },
  },
});

const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error(`--minutes must be a positive number, got ${values.minutes}`);
  process.exit(2);
}

const result = await runSoak({
  createDiscovery,
  createFakeCluster,
  durationMs: minutes * 60_000,
  settleMs: Number(values['settle-seconds']) * 1000,
  maxHeapGrowthBytes: Number(values['max-heap-growth-mb']) * 1024 * 1024,
  ...(values.seed === undefined ? {} : { seed: Number(values.seed) }),
  log: (line) => console.log(line),
});
console.log(formatSoak(result));
process.exitCode = result.ok ? 0 : 1;
