#!/usr/bin/env node
/**
 * The long fuzz: `npm run fuzz -- [--runs N] [--seed S]`.
 *
 * Runs the properties of test/resilience/fuzz.test.ts (fuzzed DNS responses through the real
 * transport, SRV source and discovery) with many more runs than the normal suite (default 20000
 * per property instead of 500). A failure prints fast-check's seed and counterexample; replay it
 * with `--seed`.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    seed: { type: 'string' },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs <= 0) {
  console.error(`--runs must be a positive integer, got ${values.runs}`);
  process.exit(2);
}

const result = spawnSync('npx', ['vitest', 'run', 'test/resilience/fuzz.test.ts'], {
  stdio: 'inherit',
  shell: process.platform === 'win32',
  env: { ...process.env, FUZZ_RUNS: String(runs), ...(values.seed === undefined ? {} : { FUZZ_SEED: values.seed }) },
});
process.exit(result.status ?? 1);
