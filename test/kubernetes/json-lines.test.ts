/**
 * Splitting a watch stream into lines (pure): chunks cut lines and UTF-8 characters anywhere;
 * blank lines are dropped; a line past the limit is refused rather than buffered without end.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonLines } from '../../src/kubernetes/json-lines';

describe('JsonLines', () => {
  it('gives the same lines however the stream is cut, multi-byte characters included', () => {
    const lines = ['{"type":"ADDED","object":{"name":"web-0"}}', '{"note":"zoné ✓ 日本"}', '{"type":"BOOKMARK"}'];
    const bytes = Buffer.from(`${lines.join('\n')}\n\n`);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (cuts) => {
        const splitter = new JsonLines(1024);
        const seen: string[] = [];
        let start = 0;
        for (const cut of [...cuts.sort((a, b) => a - b), bytes.length]) {
          const got = splitter.push(bytes.subarray(start, cut));
          expect(got).not.toBe('too long');
          seen.push(...(got as string[]));
          start = cut;
        }
        expect(seen).toEqual(lines);
      }),
    );
  });

  it('refuses a line longer than the limit, complete or not', () => {
    expect(new JsonLines(10).push(Buffer.from(`${'x'.repeat(11)}\n`))).toBe('too long');
    expect(new JsonLines(10).push(Buffer.from('x'.repeat(11)))).toBe('too long');
    expect(new JsonLines(10).push(Buffer.from(`${'x'.repeat(10)}\n`))).toEqual(['x'.repeat(10)]);
  });
});
