/**
 * bootstrap({ latch }) on a running discovery against the fake cluster DNS: the latch is read
 * before deciding (an unreadable one rejects, it is never "no latch"), and the decision's
 * confirm() writes it, refusing another cluster than the one decided. Split checks start after
 * the decision unless `splitCheck: false`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FormedLatch, type ClusterReport, type Peer } from '../../src/index';
import { useDiscoveryHarness } from '../helpers/discovery-harness';

const harness = useDiscoveryHarness({ base: { podName: 'mysql-0', intervalMs: 100, jitter: 0, dnsTimeoutMs: 200, dnsAttempts: 1 }, quiet: true });
const { discovery } = harness;
let volume: string;
let path: string;

beforeEach(async () => {
  volume = await mkdtemp(join(tmpdir(), 'bootstrap-latch-'));
  path = join(volume, 'formed-latch.json');
});

afterEach(async () => {
  await rm(volume, { recursive: true, force: true });
});

const define = (replicas: number) => harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas });
const answering = (answers: Record<string, ClusterReport | null>) => async (peer: Peer) => answers[peer.name] ?? null;

describe('bootstrap with a latch', () => {
  it('initialize, then confirm(clusterId) writes the latch; latchPending until then', async () => {
    define(1);
    const subject = discovery();
    const decision = await subject.bootstrap({ probe: answering({}), latch: path, stableForMs: 0, splitCheck: false });
    expect(decision).toMatchObject({ action: 'initialize', latched: null });
    expect(Object.keys(decision)).not.toContain('confirm');
    expect(subject.latchPending).toBe(true);
    await expect(decision.confirm()).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'clusterId' });
    expect(subject.latchPending).toBe(true);
    const record = await decision.confirm('c-1');
    expect(record).toMatchObject({ clusterId: 'c-1', podName: 'mysql-0' });
    expect(subject.latchPending).toBe(false);
    expect(await new FormedLatch(path).read()).toEqual(record);
    // Idempotent.
    expect(await decision.confirm('c-1')).toEqual(record);
  });

  it('a join confirms the decided cluster; another id is ERR_LATCH_CONFLICT and writes nothing', async () => {
    define(3);
    const decision = await discovery({ podName: 'mysql-2' }).bootstrap({
      probe: answering({ 'mysql-0': { clusterId: 'c-1' }, 'mysql-1': { clusterId: 'c-1' } }),
      latch: new FormedLatch(path),
      stableForMs: 0,
      splitCheck: false,
    });
    expect(decision).toMatchObject({ action: 'join', clusterId: 'c-1', target: { name: 'mysql-0' } });
    await expect(decision.confirm('c-9')).rejects.toMatchObject({ code: 'ERR_LATCH_CONFLICT' });
    expect(await new FormedLatch(path).read()).toBeNull();
    expect((await decision.confirm())?.clusterId).toBe('c-1');
  });

  it('a pod whose latch names a cluster resumes it instead of initializing', async () => {
    define(1);
    await new FormedLatch(path).write('c-1');
    const decision = await discovery().bootstrap({ probe: answering({}), latch: path, stableForMs: 0, splitCheck: false });
    expect(decision).toMatchObject({ action: 'join', clusterId: 'c-1', target: null, latched: { clusterId: 'c-1' } });
  });

  it('a latch that cannot be read rejects the bootstrap with its code, and nothing is decided', async () => {
    define(1);
    await writeFile(path, '{"kind":"headless-discovery/formed-latch","vers');
    let asked = 0;
    const probe = async (): Promise<null> => {
      asked += 1;
      return null;
    };
    await expect(discovery().bootstrap({ probe, latch: path, stableForMs: 0 })).rejects.toMatchObject({ code: 'ERR_LATCH_INVALID', path });
    await expect(discovery().bootstrap({ probe, latch: join(volume, 'gone', 'latch.json'), stableForMs: 0 })).rejects.toMatchObject({ code: 'ERR_LATCH_UNREADABLE' });
    expect(asked).toBe(0);
    await expect(discovery().bootstrap({ latch: 42 as unknown as string })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'latch' });
    await expect(discovery().bootstrap({ splitCheck: { intervalMs: -1 } })).rejects.toMatchObject({ option: 'splitCheck.intervalMs' });
  });

  it('starts split checks with the probe after the decision, unless splitCheck is false', async () => {
    define(2);
    const calls = { on: 0, off: 0 };
    let checked!: () => void;
    const twice = new Promise<void>((resolve) => (checked = resolve));
    const on = async (): Promise<ClusterReport> => {
      if (++calls.on === 3) checked();
      return { clusterId: 'c-1' };
    };
    const off = async (): Promise<ClusterReport> => {
      calls.off += 1;
      return { clusterId: 'c-1' };
    };
    await discovery({ podName: 'mysql-1' }).bootstrap({ probe: off, stableForMs: 0, splitCheck: false });
    const offAfterBootstrap = calls.off;
    await discovery({ podName: 'mysql-1' }).bootstrap({ probe: on, stableForMs: 0, splitCheck: { intervalMs: 20, jitter: 0 } });
    // One probe for the bootstrap, then two split checks of the other discovery: this one asked nothing more.
    await twice;
    expect(calls.off).toBe(offAfterBootstrap);
  });
});
