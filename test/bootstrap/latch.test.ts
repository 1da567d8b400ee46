/**
 * The formed latch's file format: what is a latch, and that everything else (empty, truncated,
 * another kind or version, a bad cluster id) is ERR_LATCH_INVALID, never "no latch".
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterIdProblem, LATCH_KIND, parseLatch, serializeLatch } from '../../src/bootstrap/latch';
import { LatchError } from '../../src/errors';

const record = { clusterId: 'c-1', podName: 'kv-0', writtenAt: '2026-12-01T12:00:00.000Z' };
const invalid = (text: string): LatchError => {
  try {
    parseLatch(text, '/data/latch.json');
  } catch (error) {
    return error as LatchError;
  }
  throw new Error(`parsed ${JSON.stringify(text)} as a latch`);
};

describe('the latch format', () => {
  it('is one line of JSON with its kind and version, read back as written', () => {
    const text = serializeLatch(record);
    expect(text).toBe(`{"kind":"${LATCH_KIND}","version":1,"clusterId":"c-1","podName":"kv-0","writtenAt":"2026-12-01T12:00:00.000Z"}\n`);
    expect(parseLatch(text, '/data/latch.json')).toEqual(record);
    expect(parseLatch(serializeLatch({ ...record, podName: null }), 'x')).toEqual({ ...record, podName: null });
  });

  it('refuses empty, truncated, foreign and future files with ERR_LATCH_INVALID naming the path', () => {
    const text = serializeLatch(record);
    for (const [content, says] of [
      ['', 'empty'],
      ['\n', 'empty'],
      [text.slice(0, 20), 'not JSON'],
      [text.slice(0, -3), 'not JSON'],
      ['[1]', 'not a JSON object'],
      ['{"clusterId":"c-1"}', 'not a formed latch'],
      [text.replace('"version":1', '"version":2'), 'version 2'],
      [text.replace('"c-1"', '""'), 'clusterId'],
      [text.replace('"c-1"', '5'), 'clusterId'],
      [text.replace('"2026-12-01T12:00:00.000Z"', '"yesterday"'), 'writtenAt'],
      [text.replace('"kv-0"', '7'), 'podName'],
    ] as const) {
      const error = invalid(content);
      expect(error).toBeInstanceOf(LatchError);
      expect(error).toMatchObject({ code: 'ERR_LATCH_INVALID', path: '/data/latch.json' });
      expect(error.message).toContain(says);
      expect(error.message).toContain('/data/latch.json');
    }
  });

  it('no prefix of a latch file is a latch: a write cut short anywhere is detected', () => {
    const text = serializeLatch(record);
    // The newline is the only byte that can go: the JSON is complete without it.
    for (let length = 0; length < text.length - 1; length++) expect(invalid(text.slice(0, length)).code).toBe('ERR_LATCH_INVALID');
    expect(parseLatch(text.slice(0, -1), 'x')).toEqual(record);
  });

  it('cluster ids: non-empty, at most 253 characters, no surrounding space or control character', () => {
    expect(clusterIdProblem('c-1')).toBeUndefined();
    expect(clusterIdProblem('0f8c1b9e-6f1a-4b8e-9a55-0d1f6a3c2b7e')).toBeUndefined();
    for (const bad of ['', ' c', 'c ', 'a\nb', 'x'.repeat(254), 5, null, undefined]) expect(clusterIdProblem(bad)).toBeDefined();
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), (id) => {
        fc.pre(clusterIdProblem(id) === undefined);
        expect(parseLatch(serializeLatch({ ...record, clusterId: id }), 'x').clusterId).toBe(id);
      }),
    );
  });
});
