/** Types of soak-scenario.mjs (plain JavaScript, so that scripts/soak.mjs runs it with Node as is). */
import type { createDiscovery } from '../../src/index';
import type { createFakeCluster } from '../../src/testing/index';

export interface SoakSettings {
  readonly createDiscovery: typeof createDiscovery;
  readonly createFakeCluster: typeof createFakeCluster;
  readonly durationMs: number;
  readonly settleMs?: number;
  readonly seed?: number;
  readonly maxHeapGrowthBytes?: number;
  readonly log?: (line: string) => void;
}

export interface SoakRow {
  readonly discovery: string;
  readonly joins: number;
  readonly leaves: number;
  readonly updates: number;
  readonly members: number;
  readonly truth: number;
  readonly errors: number;
  readonly 'leaves in outage': number;
  readonly ok: 'yes' | 'NO';
}

export interface SoakResult {
  readonly ok: boolean;
  readonly seed: number;
  readonly violations: readonly string[];
  readonly rows: readonly SoakRow[];
  readonly actions: { readonly scale: number; readonly restart: number; readonly ready: number; readonly delete: number; readonly outages: number; readonly outageMs: number };
  readonly outageWindows: number;
  readonly settledAfterMs: number | null;
  readonly heapStart: number;
  readonly heapEnd: number;
  readonly durationMs: number;
}

export function obtainGc(): () => void;
export function runSoak(settings: SoakSettings): Promise<SoakResult>;
export function formatSoak(result: SoakResult): string;
