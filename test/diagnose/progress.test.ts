/**
 * `diagnose()` reports as it goes: each finding to `onFinding` as soon as its check completes,
 * in the order of CHECK_IDS (resolv.conf first, before DNS answers anything), and what the
 * running check waits for to `onProgress`. Against the fake cluster and a blackhole nameserver.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECK_IDS, type Diagnosis, type DiagnosisProgress, type Finding } from '../../src/diagnose';
import { startBlackhole, type Blackhole } from '../helpers/faulty-dns';
import { fakeCluster, podEnvironment, run, statuses } from './helpers';

let blackhole: Blackhole;
beforeEach(async () => {
  blackhole = await startBlackhole();
});
afterEach(async () => {
  await blackhole.close();
});

/** Resolves once `test` holds, checked whenever `poke` is called; rejects after `timeoutMs`. */
function until(test: () => boolean, timeoutMs = 20_000): { poke: () => void; reached: Promise<void> } {
  let poke = (): void => undefined;
  const reached = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not reached within ${timeoutMs} ms`)), timeoutMs);
    poke = () => {
      if (!test()) return;
      clearTimeout(timer);
      resolve();
    };
  });
  return { poke: () => poke(), reached };
}

describe('diagnose() as it goes', () => {
  it('hands over the resolv-conf finding before any DNS answer, and says the Service name check waits for A and AAAA', async () => {
    const seen: Finding[] = [];
    const progress: DiagnosisProgress[] = [];
    const controller = new AbortController();
    const waiting = until(() => seen.length > 0 && progress.some((report) => report.check === 'service-name' && report.waitingFor.length === 2));
    let settled = false;

    const diagnosing = run(blackhole.nameserver, { dnsTimeoutMs: 10_000 }, {
      environment: podEnvironment(),
      signal: controller.signal,
      onFinding: (finding) => {
        seen.push(finding);
        waiting.poke();
      },
      onProgress: (report) => {
        progress.push(report);
        waiting.poke();
      },
    }).finally(() => {
      settled = true;
    });
    await waiting.reached;

    expect(seen.map((finding) => finding.check)).toEqual(['resolv-conf']);
    expect(settled).toBe(false);
    expect(progress[0]).toEqual({ check: 'resolv-conf', waitingFor: [] });
    expect(progress.find((report) => report.waitingFor.length === 2)).toEqual({
      check: 'service-name',
      waitingFor: ['A mysql.default.svc.cluster.local.', 'AAAA mysql.default.svc.cluster.local.'],
    });
    controller.abort(new Error('enough'));
    await expect(diagnosing).rejects.toThrow('enough');
    expect(seen.map((finding) => finding.check)).toEqual(['resolv-conf']);
  });

  it('hands over every finding in the order of CHECK_IDS, each with the diagnosis so far, and resolves with the same findings', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const calls: Array<{ finding: Finding; soFar: Diagnosis }> = [];
    const started: string[] = [];

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' }, {
      environment: podEnvironment(),
      onFinding: (finding, soFar) => calls.push({ finding, soFar }),
      onProgress: (report) => {
        if (report.waitingFor.length === 0 && started.at(-1) !== report.check) started.push(report.check);
      },
    });

    expect(calls.map((call) => call.finding.check)).toEqual([...CHECK_IDS]);
    expect(started).toEqual([...CHECK_IDS]);
    expect(calls.map((call) => call.finding)).toEqual(diagnosis.findings);
    for (const [index, call] of calls.entries()) {
      expect(call.soFar.findings).toEqual(diagnosis.findings.slice(0, index + 1));
      expect(call.soFar.service).toBe('mysql.default.svc.cluster.local');
    }
    expect(calls.at(-1)?.soFar).toEqual(diagnosis);
  });

  it('marks the checks that could not run after a typo in the service name as skip, not warn', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });

    const diagnosis = await run(cluster.nameserver, { service: 'mysqll', port: 'mysql' });

    expect(statuses(diagnosis)).toEqual({
      'resolv-conf': 'pass',
      'service-name': 'fail',
      srv: 'skip',
      'pod-names': 'skip',
      ptr: 'skip',
      truncation: 'pass',
      ttl: 'pass',
      self: 'skip',
      ordinals: 'skip',
      'api-service': 'skip',
      'api-pods': 'skip',
      'api-endpointslices': 'skip',
      'api-vs-dns': 'skip',
    });
    for (const finding of diagnosis.findings.filter((each) => each.status === 'skip')) {
      expect(finding.evidence).toHaveLength(1);
      expect(finding.evidence[0]).toMatch(/^skipped: /);
      expect(finding.fix).toEqual([]);
    }
  });
});
