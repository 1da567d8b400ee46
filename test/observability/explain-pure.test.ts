/**
 * The pure part of `explain()`: built from any state it never throws, is JSON as it is, and its
 * status agrees with its facts; each rule that holds a missing peer is said in words.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AbsenceVerdict } from '../../src/index';
import { explain, explainedName, type ExplainedPeer, type ExplainInput } from '../../src/observability/explain';

const NAMES = ['web-0', 'web-1', 'web-2', 'web-3'];
const peer = fc.record({
  name: fc.constantFrom(...NAMES),
  ordinal: fc.option(fc.nat(9), { nil: null }),
  host: fc.option(fc.constant('web-x.web.default.svc.cluster.local'), { nil: null }),
  addresses: fc.array(fc.ipV4(), { maxLength: 2 }),
  port: fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: null }),
  ready: fc.boolean(),
  draining: fc.boolean(),
  self: fc.boolean(),
  sources: fc.subarray(['srv', 'kubernetes']),
}) as fc.Arbitrary<ExplainedPeer>;
const verdict = fc.record({
  name: fc.constantFrom(...NAMES),
  fate: fc.constantFrom('kept', 'held', 'removed'),
  rule: fc.constantFrom('leaveAfterPolls', 'leaveAfterMs', 'maxRemovalFraction', 'partialObservation', 'failedPoll'),
  polls: fc.nat(5),
  requiredPolls: fc.integer({ min: 1, max: 5 }),
  since: fc.integer({ min: 0, max: 2_000_000 }),
}) as fc.Arbitrary<AbsenceVerdict>;
const input = fc.record({
  service: fc.constant('web'),
  namespace: fc.constant('default'),
  name: fc.oneof(fc.constantFrom(...NAMES, 'WEB-1', 'web-2.web.default.svc.cluster.local.', ''), fc.string()),
  now: fc.integer({ min: 2_000_000, max: 3_000_000 }),
  peers: fc.uniqueArray(peer, { selector: (candidate) => candidate.name, maxLength: 4 }),
  includeNotReady: fc.boolean(),
  stale: fc.boolean(),
  updatedAt: fc.nat(2_000_000),
  missing: fc.array(verdict, { maxLength: 4 }),
  sightings: fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.record({ at: fc.nat(2_000_000), sources: fc.constant(['srv']) }))).map((entries) => new Map(entries)),
  removals: fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.record({ at: fc.nat(2_000_000), rule: fc.constant('leaveAfterPolls'), polls: fc.nat(4), since: fc.nat(2_000_000) }))).map((entries) => new Map(entries)),
  probes: fc.option(fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.array(fc.record({ at: fc.nat(), passed: fc.boolean(), ready: fc.boolean(), durationMs: fc.nat(100) }), { maxLength: 3 }))).map((entries) => new Map(entries)), { nil: null }),
  lastPoll: fc.record({
    at: fc.option(fc.nat(2_000_000), { nil: null }),
    outcome: fc.constantFrom('ok', 'failed', null),
    source: fc.constantFrom('srv', null),
    lookups: fc.array(fc.record({ type: fc.constant('SRV'), name: fc.constant('_p._tcp.web.default.svc.cluster.local.'), outcome: fc.constantFrom('answer', 'nxdomain', 'timeout'), records: fc.nat(4) }), { maxLength: 2 }),
  }),
}) as fc.Arbitrary<ExplainInput>;

describe('explain() from any state', () => {
  it('never throws, is JSON as it is, and its status agrees with its facts', () => {
    fc.assert(
      fc.property(input, (given) => {
        const explanation = explain(given);
        expect(JSON.parse(JSON.stringify(explanation))).toEqual(explanation);
        expect(explanation.name).toBe(explainedName(given.name));
        expect(explanation.peer === null).toBe(explanation.status === 'never-seen' || explanation.status === 'removed');
        if (explanation.member) expect(['member', 'missing']).toContain(explanation.status);
        if (explanation.status === 'missing') expect(explanation.missing).not.toBeNull();
        if (explanation.status === 'removed') expect(explanation.removed).not.toBeNull();
        expect(explanation.readiness === null).toBe(given.probes === null);
        expect(explanation.summary.startsWith(explanation.name)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the rule that holds a missing peer', () => {
  const base: ExplainInput = {
    service: 'web',
    namespace: 'default',
    name: 'web-2',
    now: 10_000,
    peers: [{ name: 'web-2', ordinal: 2, host: null, addresses: ['10.0.0.2'], port: 7000, ready: true, self: false, sources: [] }],
    includeNotReady: false,
    stale: false,
    updatedAt: 9000,
    missing: [],
    sightings: new Map(),
    removals: new Map(),
    probes: null,
    lastPoll: { at: 9000, outcome: 'ok', source: 'srv', lookups: [] },
  };
  it.each([
    ['maxRemovalFraction', 'held', 'maxRemovalFraction: too many peers went missing at once, so a second poll must confirm it'],
    ['leaveAfterMs', 'kept', 'leaveAfterMs: not missing for long enough yet'],
    ['partialObservation', 'kept', 'the last answer may not list everyone (truncated or partly failed): it proves no absence'],
    ['failedPoll', 'kept', 'the last poll failed: a failed lookup says nothing about who left'],
  ] as const)('%s is said in words', (rule, fate, words) => {
    const explanation = explain({ ...base, missing: [{ name: 'web-2', fate, rule, polls: 1, requiredPolls: 2, since: 8000 }] });
    expect(explanation).toMatchObject({ status: 'missing', member: true, missing: { rule, fate, forMs: 2000 } });
    expect(explanation.summary).toBe(`web-2 is still in the membership but missing from the last answers for 2000 ms; it is ${fate} by ${words}.`);
  });
});
